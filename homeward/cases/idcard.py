"""Checks of the 18-digit resident identity card number (居民身份证号码, GB 11643-1999).

Layout: 6 digits of the division where it was first issued, 8 digits of birth
date (YYYYMMDD), 3 digits of sequence (odd for men, even for women) and a
check character computed by ISO 7064 MOD 11-2 (0-9 or X).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeward.common.text import half_width

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
ID_PATTERN = re.compile(r"[0-9]{17}[0-9X]")


class IdNumberError(ValueError):
    """The number is not a valid resident ID; `message` says why, translatably."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class IdNumber:
    number: str
    division_code: str
    birth_date: date
    sex: str  # "M" or "F"


def check_character(first17: str) -> str:
    """The check character of 17 ASCII digits."""
    if not re.fullmatch(r"[0-9]{17}", first17):
        raise IdNumberError(_("An ID number is 17 digits followed by a digit or X."))
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def id_number_facts(raw: str) -> tuple[date, str] | None:
    """(birth date, sex) as the digits say, even when the check character is wrong, so the
    desk hears of every mismatch at once; None when they cannot be read."""
    number = half_width(raw or "").strip().upper().replace(" ", "")
    if not ID_PATTERN.fullmatch(number):
        return None
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    return born, ("M" if int(number[16]) % 2 == 1 else "F")


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Validate an 18-digit resident ID number and read what it encodes.

    Raises IdNumberError with a message for the desk clerk.
    """
    # Full-width digits (as Chinese input methods type them) are the same digits.
    number = half_width(raw or "").strip().upper().replace(" ", "")
    if len(number) != 18:
        raise IdNumberError(_("An ID number has 18 characters."))
    if not ID_PATTERN.fullmatch(number):  # ASCII digits only: "³".isdigit() is True
        raise IdNumberError(_("An ID number is 17 digits followed by a digit or X."))
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(_("The birth date inside the ID number is not a real date.")) from None
    today = today or timezone.localdate()
    if born > today or born.year < 1890:
        raise IdNumberError(_("The birth date inside the ID number is not possible."))
    if check_character(number[:17]) != number[17]:
        raise IdNumberError(_("The last character does not match: check each digit again."))
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdNumber(number=number, division_code=number[:6], birth_date=born, sex=sex)
