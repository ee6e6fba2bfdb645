"""The one HWX reader: line numbers as an editor shows them, every bad line named, dates
with their precision."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeward.matching.hwx import LineError, RecordError, date_precision, date_span, read


def test_good_lines_come_with_their_number_and_bad_ones_say_why():
    lines = [
        json.dumps({"kind": "found", "id": "F-1"}),
        "",
        "{not json",
        "[1, 2]",
        json.dumps({"kind": "missing", "id": "M-1"}),
        json.dumps({"id": "F-2"}),
        json.dumps({"kind": "found", "id": "F-3"}),
    ]
    items = list(read(lines, kinds=["found"]))
    assert items[0] == (1, {"kind": "found", "id": "F-1"})
    assert [str(item) for item in items[1:4]] == [
        "line 3: line: not valid JSON (Expecting property name enclosed in double quotes)",
        "line 4: line: is not a JSON object",
        "line 5: kind: must be \"found\", not 'missing'",
    ]
    assert isinstance(items[4], LineError) and (items[4].line, items[4].field) == (6, "kind")
    assert items[5] == (7, {"kind": "found", "id": "F-3"})
    both = [item[1]["id"] for item in read(lines) if not isinstance(item, LineError)]
    assert both == ["F-1", "M-1", "F-3"]


@given(st.lists(st.text(max_size=40), max_size=8))
def test_any_text_is_read_or_named_line_by_line(lines):
    for item in read(lines):
        if isinstance(item, LineError):
            assert 1 <= item.line <= len(lines) and item.field in {"line", "kind"}
        else:
            number, record = item
            assert record["kind"] in {"found", "missing"} and lines[number - 1].strip()


@pytest.mark.parametrize(
    ("raw", "first", "last", "precision"),
    [
        ("1985", dt.date(1985, 1, 1), dt.date(1985, 12, 31), "year"),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "month"),
        ("2023-12", dt.date(2023, 12, 1), dt.date(2023, 12, 31), "month"),
        ("2015-2-10", dt.date(2015, 2, 10), dt.date(2015, 2, 10), "day"),
    ],
)
def test_a_date_means_every_day_its_precision_allows(raw, first, last, precision):
    assert date_span(raw, "lost_date") == (first, last)
    assert date_precision(raw) == precision


@pytest.mark.parametrize(
    "raw", ["85", "2020-13", "2023-02-29", "0000", "1985/03", 1985, "１９８５"]
)
def test_a_date_that_is_not_one_names_its_field(raw):
    with pytest.raises(RecordError) as refused:
        date_span(raw, "birth_date")
    assert refused.value.field == "birth_date" and "YYYY" in refused.value.message


def test_an_absent_date_is_unknown_not_guessed():
    assert date_span(None, "lost_date") is None and date_span("", "lost_date") is None


def test_a_file_read_for_one_kind_takes_records_without_a_kind_as_that_kind():
    lines = [json.dumps({"id": "F-1"}), json.dumps({"kind": "missing", "id": "M-1"})]
    items = list(read(lines, kinds=["found"], default="found"))
    assert items[0] == (1, {"kind": "found", "id": "F-1"})
    assert isinstance(items[1], LineError) and items[1].field == "kind"
    # The station's imports give no default: a record must say what it is.
    assert isinstance(next(read(lines[:1], kinds=["found"])), LineError)
