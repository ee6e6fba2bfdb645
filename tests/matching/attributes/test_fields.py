import pytest

from homeward.matching.attributes.comparisons import (
    AGE,
    CONDITIONS,
    DATES,
    HEIGHT,
    HOME,
    MARKS,
    PLACE,
    SEX,
    reference_level,
)
from homeward.matching.attributes.divisions import distance_km, normalise_division, shared_level
from homeward.matching.attributes.records import RecordError, parse_date, parse_found

from .helpers import found, missing


def label(comparison, f, m):
    return comparison.levels[reference_level(comparison, f, m)].label


def test_sex_agrees_differs_or_is_unknown():
    assert label(SEX, found(sex="M"), missing(sex="M")) == "same sex"
    assert label(SEX, found(sex="F"), missing(sex="M")) == "else"
    assert label(SEX, found(sex="U"), missing(sex="M")) == "unknown"


def test_an_estimated_age_is_compared_with_the_birth_date_at_the_day_found():
    # Found 2024 aged 30-36 -> born 1987-1994; the report says born 1990.
    assert label(AGE, found(), missing(birth_date="1990-03")) == "birth years agree"
    assert label(AGE, found(), missing(birth_date="1985")) == "birth years 2 or fewer apart"
    assert label(AGE, found(), missing(birth_date="1983")) == "birth years 5 or fewer apart"
    assert label(AGE, found(), missing(birth_date="1960")) == "else"
    assert label(AGE, found(age_estimate=None), missing()) == "unknown"


def test_divisions_compare_at_the_coarser_precision():
    assert shared_level("41", "410102") == 1
    assert shared_level("410102", "410105") == 2
    assert shared_level("410102", "410102") == 3
    assert shared_level("41", "32") == 0
    assert normalise_division("410102000000") == "410102"
    assert normalise_division("410000") == "41"


def test_dialect_region_is_compared_with_the_home_division():
    assert label(HOME, found(dialect_division="41"), missing(home_division="410102")) == (
        "same province"
    )
    assert label(HOME, found(dialect_division="4101"), missing(home_division="410102")) == (
        "same city"
    )
    assert label(HOME, found(dialect_division="32"), missing(home_division="410102")) == "else"
    assert label(HOME, found(), missing(home_division="410102")) == "unknown"


def test_place_found_is_compared_with_place_lost_by_division_then_distance():
    assert distance_km("410102", "320500") == pytest.approx(755, abs=15)
    f = found(found_division="410102")
    assert label(PLACE, f, missing(lost_division="410102")) == "same county"
    # Zhengzhou to Kaifeng (Henan): same province; Zhengzhou to Handan (Hebei): ~240 km.
    assert label(PLACE, f, missing(lost_division="410204")) == "same province"
    assert label(PLACE, f, missing(lost_division="130402")) == "seats within 300 km"
    assert label(PLACE, f, missing(lost_division="320500")) == "seats within 1000 km"
    assert label(PLACE, f, missing(lost_division="650102")) == "else"


def test_a_person_cannot_be_found_before_they_were_lost():
    f = found(found_date="2019-05-01")
    assert label(DATES, f, missing(lost_date="2020-02-10")) == "found before lost"
    assert label(DATES, found(found_date="2020-03-01"), missing()) == "found within 90 days"
    assert label(DATES, found(found_date="2024-06-19"), missing()) == "found within 10 years"
    assert label(DATES, found(found_date="2024"), missing(lost_date="2021")) == (
        "found within 10 years"
    )


def test_dates_keep_their_precision():
    first, last = parse_date("2020-02", "d")
    assert last - first == 28
    with pytest.raises(RecordError) as err:
        parse_date("2020-13-01", "lost_date")
    assert err.value.field == "lost_date"


def test_height_is_compared_only_between_adults():
    assert label(HEIGHT, found(height_cm=171), missing(height_cm=172)) == (
        "adult heights within 3 cm"
    )
    assert label(HEIGHT, found(height_cm=160), missing(height_cm=172)) == (
        "adult heights within 15 cm"
    )
    child = missing(birth_date="2015", height_cm=120)
    assert label(HEIGHT, found(height_cm=171), child) == "unknown"


def test_marks_match_by_type_and_place_and_missed_marks_are_neutral():
    f = found(marks=["scar:head", "tattoo:left_arm"])
    assert label(MARKS, f, missing(marks=["scar:head", "tattoo:left_arm"])) == (
        "two or more marks in common"
    )
    assert label(MARKS, f, missing(marks=["scar:head"])) == "one mark in common"
    assert label(MARKS, f, missing(marks=["scar:back"])) == "same kind of mark elsewhere"
    assert label(MARKS, f, missing(marks=["mole:face"])) == "else"
    assert label(MARKS, found(), missing(marks=["mole:face"])) == "unknown"


def test_conditions_in_common_and_none_observed_is_no_information():
    f = found(conditions=["dementia"])
    assert label(CONDITIONS, f, missing(conditions=["dementia"])) == "a condition in common"
    assert label(CONDITIONS, f, missing(conditions=["mental_illness"])) == "else"
    assert label(
        CONDITIONS, found(conditions=["none_observed"]), missing(conditions=["dementia"])
    ) == ("unknown")


def test_bad_fields_are_named():
    with pytest.raises(RecordError) as err:
        parse_found({"id": "F", "found_division": "4101x"})
    assert err.value.field == "found_division"
    with pytest.raises(RecordError) as err:
        parse_found({"id": "F", "age_estimate": [40, 30]})
    assert err.value.field == "age_estimate"
