"""The retention table, applied day by day with the clock frozen: each kind of sensitive
data goes when its rule says and not a day before, consent to keep holds, what is open is
never touched, a second run erases nothing, and every run is in the audit trail."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from homeward.accounts.models import AuditEvent
from homeward.cases.services import ExitData, IntakeData, intake_admit, stay_exit
from homeward.privacy.models import Erasure
from homeward.privacy.rules import RULES
from homeward.privacy.services import retention_apply
from homeward.regions.models import Division
from homeward.tracing.models import (
    FaceVector,
    FoundDna,
    MissingReport,
    Notice,
    Relative,
    ReportPhoto,
    ReportUpdate,
    Tip,
)
from homeward.tracing.services import found_dna_set, notices_sync, relative_set_dna
from tests.conftest import frozen_at
from tests.tracing.conftest import PROFILE, face_file, staff_report

DAY = date(2026, 3, 2)


@pytest.fixture(params=["00:30", "15:00"])
def clock(request):
    """Each test at half past midnight (UTC still on the day before) and mid-afternoon."""
    with frozen_at(request.param, DAY) as traveller:
        yield traveller


def _ended(report: MissingReport, kind: str) -> None:
    report.status = (
        MissingReport.Status.REUNITED if kind == "reunited" else MissingReport.Status.CLOSED
    )
    report.save()
    ReportUpdate.objects.create(report=report, kind=kind, at=timezone.now())


def test_the_table_names_a_rule_a_period_and_a_reason_for_each_kind_of_data():
    codes = [rule.code for rule in RULES]
    assert codes == [
        "relative_dna",
        "found_dna",
        "found_faces",
        "report_contact",
        "notices",
        "tips",
        "audit",
    ]
    for rule in RULES:
        assert str(rule.data) and str(rule.reason) and str(rule.days) in rule.keep_text()


def test_a_closed_reports_dna_contact_and_photos_go_after_their_days_unless_kept(
    clock, tracer, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        ended = staff_report(
            tracer,
            photos=[(face_file("obama.jpg"), 2009)],
            relatives=[("mother", "王芳"), ("father", "李强")],
        )
        mother, father = ended.relatives.order_by("id")
        relative_set_dna(relative=mother, status="entered", profile=PROFILE, by=tracer,
                         consent="search")  # fmt: skip
        relative_set_dna(relative=father, status="entered", profile=PROFILE, by=tracer,
                         consent="keep")  # fmt: skip
        still_open = staff_report(tracer, name="王五", relatives=[("mother", "")])
        relative_set_dna(relative=still_open.relatives.get(), status="entered",
                         profile=PROFILE, by=tracer, consent="search")  # fmt: skip
    photo = ReportPhoto.objects.get(report=ended).image.name
    assert default_storage.exists(photo)
    _ended(ended, "reunited")

    clock.shift(timedelta(days=29))
    assert retention_apply().counts == {}
    assert Relative.objects.get(pk=mother.pk).profile == PROFILE

    clock.shift(timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        result = retention_apply()
    assert result.counts == {"relative_dna": 1, "report_contact": 1}
    mother.refresh_from_db()
    assert mother.profile is None and mother.dna_status == "sampled"
    assert Relative.objects.get(pk=father.pk).profile == PROFILE  # consented to keep it
    ended.refresh_from_db()
    assert (ended.contact_phone, ended.contact_name, ended.name) == ("", "", "李明")
    assert not ended.photos.exists() and not default_storage.exists(photo)
    assert (
        not FaceVector.objects.filter(kind="missing")
        .exclude(report_photo=None)
        .filter(report_photo__report=ended)
        .exists()
    )
    # The open report keeps everything.
    still_open.refresh_from_db()
    assert still_open.contact_phone and still_open.relatives.get().profile == PROFILE

    event = AuditEvent.objects.filter(object_type="privacy.retention").latest("id")
    assert event.detail["counts"] == {"relative_dna": 1, "report_contact": 1}
    assert set(Erasure.objects.values_list("rule", flat=True)) == {"relative_dna", "report_contact"}
    assert retention_apply().counts == {}  # nothing left to erase


def _reunited_man(station, desk, tracer):
    stay = intake_admit(
        station=station,
        by=desk,
        photo=face_file("obama2.jpg"),
        data=IntakeData(brought_by="police", sex="M", age_estimate_min=45, age_estimate_max=60),
    )
    found_dna_set(person=stay.person, status="entered", profile=PROFILE, by=tracer)
    return stay


def test_a_reunited_persons_face_vectors_go_at_once_and_their_dna_after_its_days(
    clock, suzhou, desk, tracer, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        home = _reunited_man(suzhou, desk, tracer)
        staying = _reunited_man(suzhou, desk, tracer)
    assert FaceVector.objects.filter(person=home.person).exists()
    assert FaceVector.objects.filter(person=staying.person).exists()
    home_town = Division.objects.get(code="410102")
    stay_exit(
        stay=home, by=desk, data=ExitData(kind="returned_home", destination_division=home_town)
    )

    clock.shift(timedelta(hours=23))
    assert retention_apply().counts == {}  # a day to correct a mistaken exit
    clock.shift(timedelta(hours=2))
    assert retention_apply().counts == {"found_faces": 1}
    assert not FaceVector.objects.filter(person=home.person).exists()
    assert home.person.photos.exists()  # the case file keeps its photo
    assert FaceVector.objects.filter(person=staying.person).exists()
    assert FoundDna.objects.get(person=home.person).profile == PROFILE

    clock.shift(timedelta(days=31))
    assert retention_apply().counts == {"found_dna": 1}
    assert FoundDna.objects.get(person=home.person).profile is None
    assert FoundDna.objects.get(person=staying.person).profile == PROFILE


def test_a_withdrawn_notice_loses_its_photo_and_words_and_is_never_published_again(
    clock, suzhou, desk, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        stay = intake_admit(
            station=suzhou,
            by=desk,
            photo=face_file("obama2.jpg"),
            data=IntakeData(
                brought_by="police", name="老李", name_source="said", sex="M",
                age_estimate_min=45, age_estimate_max=60, found_address="观前街",
            ),
        )  # fmt: skip
    clock.shift(timedelta(days=2))
    notices_sync()
    notice = Notice.objects.get(stay=stay)
    assert notice.published_at and notice.photo and notice.name_said == "老李"
    Tip.objects.create(notice=notice, message="我见过他", contact="13800000000")
    photo = notice.photo.name
    family = ExitData(
        kind="handed_to_family", collector_name="李红", collector_relation="女儿",
        collector_id_number="11010519491231002X", identity_checked=True,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        stay_exit(stay=stay, by=desk, data=family)

    clock.shift(timedelta(days=1, hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_apply().counts == {"found_faces": 1, "notices": 1}
    notice.refresh_from_db()
    assert notice.withdrawn_at and not notice.photo and notice.name_said == ""
    assert notice.found_place == "" and notice.published_at  # the dates stay for the figures
    assert not default_storage.exists(photo)
    notices_sync()
    notice.refresh_from_db()
    assert notice.withdrawn_at is not None and not notice.photo

    assert Tip.objects.filter(notice=notice).exists()
    clock.shift(timedelta(days=91))
    assert retention_apply().counts == {"tips": 1}
    assert not Tip.objects.exists()


def test_the_audit_trail_is_kept_for_its_legal_period_then_deleted(clock, tracer):
    AuditEvent.objects.create(action="view", object_type="tracing.missingreport", object_id="1")
    old = AuditEvent.objects.count()  # with the fixtures' own (their accounts were made)
    clock.shift(timedelta(days=3 * 365 - 1))
    AuditEvent.objects.create(action="view", object_type="tracing.missingreport", object_id="2")
    assert "audit" not in retention_apply().counts
    clock.shift(timedelta(days=2))
    assert retention_apply().counts == {"audit": old}
    kept = set(
        AuditEvent.objects.filter(object_type="tracing.missingreport").values_list(
            "object_id", flat=True
        )
    )
    assert kept == {"2"}
    # The runs themselves are in the trail (newer than the period).
    assert AuditEvent.objects.filter(object_type="privacy.retention").count() == 2
