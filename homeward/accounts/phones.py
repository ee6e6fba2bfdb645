"""Mobile numbers as account names: a family's user name is its number."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalise_phone(phone: str) -> str:
    """The digits of a mobile number, without China's country code: "+86 138-0013-8000",
    "0086 13800138000" and "13800138000" are the same account."""
    digits = "".join(c for c in phone if c.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
    if not 7 <= len(digits) <= 15:
        raise ValidationError({"phone": _("Give a mobile number we can send a code to.")})
    return digits


def looks_like_phone(text: str) -> bool:
    """A user name typed as a phone number (spaces, dashes, +86), not a staff name."""
    return bool(text) and all(c.isdigit() or c in " -+()" for c in text.strip())
