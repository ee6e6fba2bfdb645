"""Ties between candidates of one found person are broken by the strongest single part, then
by the more recent report, then by the report's id, on both paths (the app's match_records
and the bulk ReportTable) and never by the order the reports were read in."""

from __future__ import annotations

import numpy as np
import pytest

from homeward.matching import fusion
from homeward.matching.bulk import ReportTable
from homeward.matching.search import match_records, parse_records

FOUND = {"kind": "found", "id": "F-1", "sex": "M", "age_estimate": [40, 50], "name": "李明"}


def _report(rid: str, lost: str) -> dict:
    return {
        "kind": "missing",
        "id": rid,
        "sex": "M",
        "birth_date": "1980",
        "name": "李明",
        "lost_date": lost,
    }


def _order(reports: list[dict], bulk: bool) -> list[str]:
    if bulk:
        parsed, _ = parse_records(reports, "missing")
        got = ReportTable(parsed).match([FOUND], top=10)["candidates"]
    else:
        got = match_records([FOUND], reports, top=10).candidates
    return [c["missing"] for c in got]


@pytest.mark.parametrize("bulk", [False, True], ids=["match_records", "bulk"])
def test_the_more_recent_report_then_the_id_go_first_whatever_the_file_order(bulk):
    reports = [_report("M-3", "2015"), _report("M-1", "2020"), _report("M-2", "2020")]
    for shuffled in (reports, reports[::-1], [reports[1], reports[2], reports[0]]):
        assert _order(shuffled, bulk) == ["M-1", "M-2", "M-3"]


def test_a_tie_goes_to_the_pair_with_the_strongest_single_part():
    total = np.array([3.0, 3.0, 3.0, 4.0])
    strongest = np.array([1.5, 3.0, -np.inf, 0.5])
    recency = np.array([np.nan, 10.0, 20.0, 0.0])
    ids = fusion.id_ranks(["b", "c", "a", "d"])
    assert fusion.best_first(total, strongest, recency, ids).tolist() == [3, 1, 0, 2]


def test_the_strongest_part_ignores_missing_evidence():
    parts = {
        "attributes": np.array([1.0, np.nan]),
        "face": np.array([2.5, np.nan]),
        "dna": np.array([np.nan, np.nan]),
    }
    assert fusion.strongest_part(parts).tolist() == [2.5, -np.inf]
