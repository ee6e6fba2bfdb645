"""Interchange of missing reports: HWX lines in and out, and PFIF 1.4 persons and notes."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from homeward.tracing.hwx import import_missing
from homeward.tracing.models import Candidate, MissingReport, Notice, Relative, Reunion
from homeward.tracing.pfif import export_pfif, import_pfif, parse_pfif, public_reports
from homeward.tracing.selectors import public_notices
from homeward.tracing.services import notices_sync, tip_leave
from tests.cases.conftest import admit
from tests.tracing.conftest import staff_report

PROFILE = {"D8S1179": ["13", "14"], "TH01": ["9.3"]}


@pytest.fixture
def report(tracer):
    report = staff_report(
        tracer,
        aliases=["李小明"],
        conditions=["dementia"],
        marks=["scar:face"],
        height_cm=170,
        description="他有糖尿病，邻居电话13711112222",
    )
    Relative.objects.create(
        report=report, relation="mother", name="王芳", dna_status="entered", profile=PROFILE
    )
    return report


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


@pytest.fixture
def world(report, suzhou, desk, tracer, second_tracer):
    """The report, a public notice of a man with a tip, and a completed reunion."""
    stay = admit(suzhou, desk, name="", name_source="unknown", health_on_arrival="乙肝")
    stay.admitted_at = timezone.now() - timedelta(days=2)
    stay.save()
    notices_sync()
    tip_leave(notice=Notice.objects.get(), message="像我们村的人", contact="13600000000")
    candidate = Candidate.objects.create(
        person=stay.person,
        report=report,
        station=suzhou,
        status="confirmed",
        posterior=0.99,
        log10_total=6,
    )
    Reunion.objects.create(
        candidate=candidate,
        stay=stay,
        channel="face",
        confirmed_by=tracer,
        completed_by=second_tracer,
        completed_at=timezone.now(),
        claimant_id_number="320508198503121234",
    )
    return report


def test_pfif_export_holds_no_contact_health_dna_or_id_number(world, settings):
    settings.PUBLIC_URL = "https://homeward.test"
    document = export_pfif(public_reports(), public_notices()).decode()
    for secret in ["13900000001", "李红", "dementia", "糖尿病", "13711112222", "乙肝"]:
        assert secret not in document
    for secret in ["13600000000", "320508198503121234", "D8S1179", "王芳"]:
        assert secret not in document
    persons, notes = parse_pfif(document)
    assert {p["full_name"] for p in persons} == {"李明", "?"}
    assert {n["text"] for n in notes} >= {"像我们村的人"}
    reunion = next(n for n in notes if n.get("status") == "believed_alive")
    assert reunion["person_record_id"] == f"homeward.test/report.{world.public_id}"
    assert reunion["linked_person_record_id"].startswith("homeward.test/notice.")


def test_pfif_round_trip_through_another_system(world, settings, hangzhou):
    settings.PUBLIC_URL = "https://homeward.test"
    first = export_pfif(public_reports(), public_notices())
    settings.PUBLIC_URL = "https://other.test"  # the same file read by another instance
    result = import_pfif(first, station=hangzhou, by=None)
    assert (result.imported, result.skipped, result.notes) == (1, 1, 1)
    copy = MissingReport.objects.get(source_ref__startswith="pfif:")
    assert copy.status == "pending" and copy.station == hangzhou
    assert (copy.name, copy.aliases, copy.sex, copy.home_division_id) == (
        "李明",
        ["李小明"],
        "M",
        "410102",
    )
    assert "Reunited with family" in copy.description
    copy.status = "verified"
    copy.save()
    second = export_pfif(MissingReport.objects.filter(pk=copy.pk), [])
    (original,) = [p for p in parse_pfif(first)[0] if p["full_name"] == "李明"]
    (back,) = parse_pfif(second)[0]
    same = ["person_record_id", "full_name", "alternate_names", "sex", "date_of_birth"]
    same += ["home_neighborhood", "home_city", "home_state", "home_country"]
    assert {k: back.get(k) for k in same} == {k: original.get(k) for k in same}
    again = import_pfif(first, station=hangzhou, by=None)
    assert (again.imported, again.notes) == (0, 0)  # re-import skips by record id


def test_a_pfif_note_about_our_notice_becomes_a_tip(world, settings, hangzhou):
    settings.PUBLIC_URL = "https://homeward.test"
    notice = Notice.objects.get()
    document = f"""<?xml version="1.0" encoding="utf-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">
  <pfif:note>
    <pfif:note_record_id>finder.test/note.1</pfif:note_record_id>
    <pfif:person_record_id>homeward.test/notice.{notice.public_id}</pfif:person_record_id>
    <pfif:author_name>Wang</pfif:author_name>
    <pfif:author_phone>13512345678</pfif:author_phone>
    <pfif:text>I saw him in 2019 in Kaifeng.</pfif:text>
  </pfif:note>
  <pfif:person><pfif:full_name>nobody</pfif:full_name></pfif:person>
</pfif:pfif>"""
    result = import_pfif(document, station=hangzhou, by=None)
    assert result.notes == 1 and result.errors == ["person 1 (?): person_record_id: is required"]
    assert notice.tips.filter(contact="13512345678").exists()
    assert import_pfif("<not xml", station=hangzhou, by=None).errors[0].startswith("document")
