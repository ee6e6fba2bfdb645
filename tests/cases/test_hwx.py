"""Found persons move between systems as HWX lines; bad lines are reported, good ones go in."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from homeward.cases.hwx import export_found, import_found
from homeward.cases.models import Person, Stay
from tests.cases.conftest import admit

GOOD = {
    "kind": "found",
    "id": "F-1",
    "sex": "M",
    "age_estimate": [30, 40],
    "name": "李明",
    "dialect_division": "41",
    "found_date": "2024-06-19",
    "found_division": "320500",
    "found_point": [31.30, 120.58],
    "height_cm": 170,
    "marks": ["scar:forehead"],
    "conditions": ["dementia"],
    "face_embeddings": [[0.01, 0.02]],
    "unknown_key": "kept quiet",
}


def test_a_good_line_becomes_an_intake_and_bad_lines_name_line_and_field(suzhou):
    lines = [
        json.dumps(GOOD, ensure_ascii=False),
        json.dumps({**GOOD, "id": "F-2", "sex": "X"}),
        "{not json",
        "",
        json.dumps({**GOOD, "id": "F-3", "found_division": "999999"}),
        json.dumps({**GOOD, "id": "F-4", "age_estimate": [50, 40]}),
        json.dumps({**GOOD, "id": "F-5", "marks": ["wings:back"]}),
    ]
    report = import_found(lines, station=suzhou, by=None)
    assert report.imported == 1
    assert [(e.line, e.field) for e in report.errors] == [
        (2, "sex"),
        (3, "line"),
        (5, "found_division"),
        (6, "age_estimate"),
        (7, "marks"),
    ]
    person = Person.objects.get()
    assert (person.name, person.sex, person.source_ref) == ("李明", "M", "hwx:F-1")
    assert person.marks == ["scar:face"] and person.conditions == ["dementia"]
    assert person.dialect_division_id == "410000"
    stay = Stay.objects.get()
    assert stay.found_division_id == "320500" and stay.found_latitude == 31.30


def test_importing_the_same_file_twice_adds_nothing(suzhou):
    line = json.dumps(GOOD)
    import_found([line], station=suzhou, by=None)
    report = import_found([line], station=suzhou, by=None)
    assert (report.imported, report.skipped) == (0, 1)
    assert Person.objects.count() == 1


def test_export_then_import_round_trips_what_hwx_carries(suzhou, hangzhou, desk):
    stay = admit(
        suzhou,
        desk,
        name="王五",
        marks=["tattoo:left_arm"],
        conditions=["mental_illness"],
        height_cm=168,
    )
    buffer = io.StringIO()
    assert export_found(Stay.objects.all(), buffer) == 1
    record = json.loads(buffer.getvalue())
    assert record["id"] == str(stay.person.public_id)
    assert (record["marks"], record["conditions"], record["height_cm"]) == (
        ["tattoo:left_arm"],
        ["mental_illness"],
        168,
    )
    assert "found_division" not in record  # unknown is left out, never guessed
    assert "health_on_arrival" not in record and "id_number" not in record
    assert (record["kind"], record["name"], record["sex"]) == ("found", "王五", "M")
    assert record["age_estimate"] == [40, 50]
    report = import_found(buffer.getvalue().splitlines(), station=hangzhou, by=None)
    assert report.imported == 1 and report.errors == []
    copy = Person.objects.get(source_ref=f"hwx:{stay.person.public_id}")
    assert (copy.name, copy.marks, copy.conditions, copy.height_cm) == (
        "王五",
        ["tattoo:left_arm"],
        ["mental_illness"],
        168,
    )
    admitted = Stay.objects.get(person=copy).admitted_at
    assert copy.age_on(timezone.localdate(admitted)) == (40, 50)


def test_the_commands_write_and_read_files(tmp_path, suzhou, desk, capsys):
    admit(suzhou, desk, name="赵六")
    out = tmp_path / "found.jsonl"
    call_command("export_found", "--out", str(out))
    assert json.loads(out.read_text())["name"] == "赵六"
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**GOOD, "id": "F-9", "sex": "?"}) + "\n" + json.dumps(GOOD) + "\n")
    call_command("import_found", str(bad), "--station", str(suzhou.pk))
    captured = capsys.readouterr()
    assert "line 1: sex" in captured.err
    assert "1 imported" in captured.out


def test_python_m_homeward_accepts_the_hyphenated_name():
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-m", "homeward", "export-found", "--help"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "HWX" in result.stdout


def test_an_imported_record_exists_once_whatever_the_race(suzhou):
    """Two imports of the same file at once: the database keeps one person per HWX id (the
    second run's intake is refused by the constraint and counted as skipped)."""
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    from homeward.cases.services import IntakeData, intake_admit

    data = IntakeData(brought_by="police", sex="M", source_ref="hwx:F-race")
    intake_admit(station=suzhou, data=data, by=None)
    with pytest.raises((IntegrityError, ValidationError)), transaction.atomic():
        intake_admit(station=suzhou, data=data, by=None)
    assert Person.objects.filter(source_ref="hwx:F-race").count() == 1
