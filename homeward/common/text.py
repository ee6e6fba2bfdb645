"""Text and numbers as people and partner systems type them.

Chinese input methods type full-width digits (１２３), some keyboards give superscripts or
other Unicode digits (²) that Python's `isdigit()` accepts and `int()` may refuse, and a
JSON body can carry NUL characters or lone surrogates that no database will store. These
helpers say what is wrong in the user's language, so that a form or an API names the field
instead of failing with a 500.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

# Full-width digits and Latin letters (U+FF10..) as Chinese input methods type them.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF5B)} | {0x3000: 0x20}
_ASCII_DIGITS = re.compile(r"[0-9]+")


def half_width(text: str) -> str:
    """Full-width digits, letters and spaces as their ASCII forms; nothing else changes."""
    return text.translate(_FULL_WIDTH)


def ascii_int(text: str, *, max_digits: int = 12) -> int | None:
    """The whole number written in ASCII digits (full-width accepted), or None.

    None for anything else: signs, spaces inside, other Unicode digits ("²"), or more
    than `max_digits` digits (Python refuses to read past 4300 and no field needs 13).
    """
    digits = half_width(text).strip()
    if not 0 < len(digits) <= max_digits or not _ASCII_DIGITS.fullmatch(digits):
        return None
    return int(digits)


def text_problem(text: str) -> str | None:
    """Why `text` cannot be kept (a NUL character, a lone surrogate), or None."""
    if "\x00" in text:
        return _("The text contains a NUL character, which cannot be kept.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _("The text contains characters that are not valid Unicode.")
    return None


def bad_strings(data: Any, path: str = "") -> dict[str, list[str]]:
    """Every string in a decoded JSON document that cannot be kept, by its field path
    ("name", "belongings[0][0]"); keys are checked too."""
    found: dict[str, list[str]] = {}
    if isinstance(data, str):
        problem = text_problem(data)
        if problem:
            found[path or "body"] = [problem]
    elif isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and text_problem(key):
                found[where] = [text_problem(key) or ""]
            found |= bad_strings(value, where)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found |= bad_strings(value, f"{path}[{index}]")
    return found
