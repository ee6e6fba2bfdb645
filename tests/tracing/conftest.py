"""Tracing fixtures: a tracing team of two at Suzhou, reports, and people at the desk."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from homeward.accounts.models import Role
from homeward.regions.models import Division
from homeward.tracing.services import ReportData, report_file
from tests.conftest import make_user

FACES = Path(__file__).resolve().parents[1] / "matching" / "face"


def face_file(name: str) -> SimpleUploadedFile:
    """A real photo: the vendored ones, or those scripts/fetch_test_faces.py fetched."""
    for folder in (FACES / "images", FACES / ".cache"):
        if (folder / name).exists():
            return SimpleUploadedFile(name, (folder / name).read_bytes(), content_type="image/jpeg")
    pytest.fail(f"{name} is missing: run scripts/fetch_test_faces.py")


@pytest.fixture
def tracer(suzhou, desk):
    return make_user("sz.tracer", Role.TRACING_OFFICER, station=suzhou)


@pytest.fixture
def second_tracer(suzhou, desk):
    return make_user("sz.tracer2", Role.TRACING_OFFICER, station=suzhou)


@pytest.fixture
def desk(suzhou):
    from homeward.stations.models import Room
    from homeward.stations.services import room_create

    room_create(station=suzhou, name="301", kind=Room.Kind.MINORS, beds=2)
    return make_user("sz.desk", Role.INTAKE, station=suzhou)


def report_data(**fields) -> ReportData:
    values = {
        "name": "李明",
        "sex": "M",
        "contact_name": "李红",
        "contact_relation": "女儿",
        "contact_phone": "13900000001",
        "birth_date": date(1960, 5, 1),
        "home_division": Division.objects.get(code="410102"),
        "lost_date": date(2023, 3, 1),
        "lost_division": Division.objects.get(code="410102"),
    }
    values.update(fields)
    return ReportData(**values)


def staff_report(by, photos=None, relatives=None, **fields):
    return report_file(data=report_data(**fields), by=by, photos=photos, relatives=relatives)


PROFILE = {"D8S1179": ["13", "14"], "TH01": ["9.3"]}


def report_with_secrets(by):
    """A verified report holding what must never leave in an exchange file: a health
    condition, the family's words with a neighbour's phone, a relative's name and DNA."""
    from homeward.tracing.models import Relative

    report = staff_report(
        by,
        aliases=["李小明"],
        conditions=["dementia"],
        marks=["scar:face"],
        height_cm=170,
        description="他有糖尿病，邻居电话13711112222",
    )
    Relative.objects.create(
        report=report,
        relation="mother",
        name="王芳",
        dna_status="entered",
        profile=PROFILE,
        consent="search",
    )
    return report
