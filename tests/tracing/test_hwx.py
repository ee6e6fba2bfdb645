"""Missing reports in HWX: lines out and back in, each bad line named (`tracing/hwx.py`)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import call_command

from homeward.tracing.hwx import import_missing
from homeward.tracing.models import MissingReport
from tests.tracing.conftest import PROFILE, report_with_secrets


@pytest.fixture
def report(tracer):
    return report_with_secrets(tracer)


def test_missing_reports_go_out_as_hwx_and_come_back_once(report, hangzhou, tmp_path):
    path = tmp_path / "missing.jsonl"
    call_command("export_missing", out=str(path))
    (line,) = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["kind"] == "missing" and record["id"] == str(report.public_id)
    assert record["relatives"] == [{"relation": "mother", "dna": PROFILE}]
    assert "13900000001" not in line and "李红" not in line and "糖尿病" not in line
    result = import_missing(path.read_text().splitlines(), station=hangzhou, by=None)
    assert (result.imported, result.skipped, result.errors) == (1, 0, [])
    copy = MissingReport.objects.get(source_ref=f"hwx:{report.public_id}")
    assert copy.station == hangzhou and copy.status == "verified" and copy.channel == "import"
    assert (copy.name, copy.aliases, copy.birth_date, copy.home_division_id) == (
        "李明",
        ["李小明"],
        date(1960, 5, 1),
        "410102",
    )
    assert copy.relatives.get().profile == PROFILE
    again = import_missing(path.read_text().splitlines(), station=hangzhou, by=None)
    assert (again.imported, again.skipped) == (0, 1)


def test_a_bad_hwx_line_is_reported_by_number_and_the_good_ones_go_in(hangzhou):
    good = {"kind": "missing", "id": "M-1", "name": "张三", "sex": "M", "birth_date": "1990-04"}
    lines = [
        json.dumps(good | {"favourite_colour": "blue"}),  # an unknown key is ignored
        "{not json",
        json.dumps(good | {"id": "M-2", "sex": "X"}),
        "",
        json.dumps(good | {"id": "M-3", "home_division": "999999"}),
        json.dumps(good | {"id": "M-4", "lost_date": "2999-01-01"}),
        json.dumps(good | {"id": "M-5", "relatives": [{"relation": "cousin"}]}),
    ]
    result = import_missing(lines, station=hangzhou, by=None)
    assert result.imported == 1
    assert [(e.line, e.field) for e in result.errors] == [
        (2, "line"),
        (3, "sex"),
        (5, "home_division"),
        (6, "lost_date"),
        (7, "relatives[0].relation"),
    ]
    imported = MissingReport.objects.get(source_ref="hwx:M-1")
    assert imported.birth_precision == "month" and imported.contact_phone == hangzhou.phone_24h
