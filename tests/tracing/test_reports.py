"""Missing reports: who may file, verification, duplicates flagged but never blocking."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from homeward.accounts.models import Role
from homeward.tracing.models import MissingReport
from homeward.tracing.services import duplicate_reports, report_file, report_verify
from tests.conftest import make_user
from tests.tracing.conftest import report_data, staff_report


def test_staff_file_for_a_family_and_the_report_is_verified_at_once(tracer):
    report = staff_report(tracer)
    assert report.status == MissingReport.Status.VERIFIED
    assert report.station == tracer.station and report.channel == "staff"


def test_a_family_must_verify_its_phone_before_filing(db):
    family = make_user("13800000000", Role.FAMILY)
    with pytest.raises(PermissionDenied):
        report_file(data=report_data(), by=family)
    family.phone_verified = True
    family.save()
    report = report_file(data=report_data(), by=family)
    assert report.status == MissingReport.Status.PENDING and report.station is None


def test_a_pending_report_is_verified_by_a_tracing_officer(tracer, desk):
    family = make_user("13800000000", Role.FAMILY)
    family.phone_verified = True
    family.save()
    report = report_file(data=report_data(), by=family)
    with pytest.raises(PermissionDenied):
        report_verify(report=report, by=desk)
    report_verify(report=report, by=tracer)
    report.refresh_from_db()
    assert (report.status, report.station, report.verified_by) == (
        "verified",
        tracer.station,
        tracer,
    )


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"name": " "}, "name"),
        ({"contact_phone": "12"}, "contact_phone"),
        ({"sex": "Q"}, "sex"),
        ({"height_cm": 20}, "height_cm"),
        ({"marks": ["wings:back"]}, "marks"),
    ],
)
def test_bad_input_names_the_field_and_files_nothing(tracer, fields, field):
    with pytest.raises(ValidationError) as err:
        staff_report(tracer, **fields)
    assert field in err.value.message_dict
    assert not MissingReport.objects.exists()


def test_a_second_report_of_the_same_person_is_flagged_but_may_be_filed(tracer):
    first = staff_report(tracer)
    again = report_data(contact_phone="13700000000")
    assert list(duplicate_reports(again)) == [first]
    other_phone_same_family = report_data(name="张伟", contact_phone="139-0000-0001")
    assert list(duplicate_reports(other_phone_same_family)) == [first]
    assert not duplicate_reports(report_data(name="王五", contact_phone="13500000000")).exists()
    staff_report(tracer)  # advisory only
    assert MissingReport.objects.count() == 2
