"""The 18-digit resident ID number (GB 11643-1999)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from homeward.cases.idcard import IdNumberError, check_character, parse_id_number


def test_the_standards_own_example_is_valid_and_read_correctly():
    # GB 11643-1999 appendix example: 11010519491231002X, a woman born 1949-12-31.
    parsed = parse_id_number("11010519491231002x")
    assert parsed.number == "11010519491231002X"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.sex == "F"
    assert parsed.division_code == "110105"


def test_the_check_character_is_iso_7064_mod_11_2():
    # Worked by hand: weights 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2 over
    # 32050819850312123 sum to 239; 239 mod 11 = 8; "10X98765432"[8] = "4".
    assert check_character("32050819850312123") == "4"
    # The standard's example ends in X: sum 167, 167 mod 11 = 2, "10X98765432"[2] = "X".
    assert check_character("11010519491231002") == "X"
    assert parse_id_number("320508198503121234").sex == "M"


@pytest.mark.parametrize(
    "number,words",
    [
        ("32050819850312123", "18"),
        ("3205081985031212A4", "17 digits"),
        ("320508198502301234", "not a real date"),
        ("320508203001011234", "not possible"),
        ("320508198503121235", "does not match"),
    ],
)
def test_a_bad_number_is_refused_with_the_reason(number, words):
    with pytest.raises(IdNumberError) as err:
        parse_id_number(number, today=date(2026, 11, 23))
    with translation.override("en"):
        assert words in str(err.value.message)
