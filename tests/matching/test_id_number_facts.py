"""A found person's ID number, whole or in part, gives facts a report can be compared with:
the birth date (digits 7 to 14) and the birthplace county (the first six digits)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeward.matching.attributes.records import (
    RecordError,
    birth_years,
    feature_row,
    id_number_facts,
    parse_date,
    parse_found,
)
from homeward.matching.search import match_records


def test_a_whole_number_gives_the_birth_day_and_the_birthplace():
    place, born = id_number_facts("41010219850312123X")
    assert place == "410102" and born == parse_date("1985-03-12", "x")


@pytest.mark.parametrize(
    ("raw", "place", "born"),
    [
        ("410102", "410102", None),
        ("4101021985", "410102", "1985"),
        ("41010219850*", "410102", "1985"),
        ("410102198503**", "410102", "1985-03"),
        ("******19850312****", None, "1985-03-12"),
        ("41010219851332123X", "410102", "1985"),  # no 32 December: the year only
        ("000000", None, None),
    ],
)
def test_a_part_of_a_number_gives_what_it_shows(raw, place, born):
    got_place, got_born = id_number_facts(raw)
    assert got_place == place
    assert got_born == (parse_date(born, "x") if born else None)


def test_the_number_outranks_the_estimate_and_the_dialect():
    rec = parse_found(
        {
            "id": "F-1",
            "age_estimate": [20, 30],
            "found_date": "2026-01-01",
            "dialect_division": "32",
            "id_number": "410102195006151234",
        }
    )
    assert birth_years(rec) == (1950, 1950)
    assert feature_row(rec)["home"] == "410102"


def test_something_that_is_no_id_number_is_refused_naming_the_field():
    with pytest.raises(RecordError) as refused:
        parse_found({"id": "F-1", "id_number": "李明"})
    assert refused.value.field == "id_number"


@given(st.text(max_size=24))
def test_any_text_is_facts_or_a_refusal(text):
    try:
        place, born = id_number_facts(text)
    except RecordError:
        return
    assert place is None or (len(place) == 6 and place.isdigit())
    assert born is None or born[0] <= born[1]


def test_the_facts_raise_the_true_report_above_a_namesake():
    found = {
        "kind": "found",
        "id": "F-1",
        "sex": "M",
        "name": "王伟",
        "age_estimate": [20, 60],
        "found_date": "2026-01-01",
        "id_number": "41010219700101****",
    }
    true = {"kind": "missing", "id": "M-2", "sex": "M", "name": "王伟", "birth_date": "1970-01",
            "home_division": "410102"}  # fmt: skip
    other = {"kind": "missing", "id": "M-1", "sex": "M", "name": "王伟", "birth_date": "1990",
             "home_division": "330105"}  # fmt: skip
    got = match_records([found], [other, true], top=5).candidates
    assert got[0]["missing"] == "M-2"
    without = match_records([{**found, "id_number": None}], [other, true], top=5).candidates
    assert got[0]["posterior"] > max(c["posterior"] for c in without if c["missing"] == "M-2")
