"""Mobile numbers as account names: a family's user name is its number."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from homeward.common.text import half_width


def normalise_phone(phone: str) -> str:
    """The digits of a mobile number, without China's country code: "+86 138-0013-8000",
    "0086 13800138000" and "13800138000" are the same account."""
    # Only 0-9 (full-width ones, as a Chinese keyboard types them, read as 0-9): other
    # characters Unicode calls digits are not a phone number's.
    digits = "".join(c for c in half_width(phone) if c in "0123456789")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
    if not 7 <= len(digits) <= 15:
        raise ValidationError({"phone": _("Give a mobile number we can send a code to.")})
    return digits


def looks_like_phone(text: str) -> bool:
    """A user name typed as a phone number (spaces, dashes, +86), not a staff name."""
    return bool(text.strip()) and all(c in "0123456789 -+()" for c in half_width(text).strip())
