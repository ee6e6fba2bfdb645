"""Face evidence from real photos reaches the candidate (the intake photo against the report's)."""

from __future__ import annotations

from homeward.cases.services import IntakeData, intake_admit
from homeward.tracing import matcher
from homeward.tracing.models import Candidate, FaceVector
from tests.tracing.conftest import face_file, staff_report


def test_the_same_face_in_another_photo_raises_the_candidate_and_another_face_lowers_it(
    suzhou, desk, tracer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        same = staff_report(
            tracer, name="张三", photos=[(face_file("obama.jpg"), 2009)], birth_date=None
        )
        other = staff_report(
            tracer,
            name="王五",
            photos=[(face_file("biden.jpg"), 2012)],
            birth_date=None,
            contact_phone="13700000002",
        )
    assert FaceVector.objects.filter(kind="missing", accepted=True).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        intake_admit(
            station=suzhou,
            by=desk,
            photo=face_file("obama2.jpg"),
            data=IntakeData(brought_by="police", sex="M", age_estimate_min=45, age_estimate_max=60),
        )
    assert FaceVector.objects.get(kind="found").accepted
    match = Candidate.objects.get(report=same)
    assert match.log10_face > 1
    assert match.posterior > 0.5
    # The other face, scored directly: the engine weighs it against the pair.
    found = matcher.found_hwx(match.person)
    rival = matcher.match([found], [matcher.missing_hwx(other)], 10)
    assert len(rival) == 1 and rival[0]["log10_lr"]["face"] < 0


def test_the_desk_is_told_when_a_new_photo_looks_like_someone_seen_before(
    client, suzhou, desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        earlier = intake_admit(
            station=suzhou,
            by=desk,
            photo=face_file("obama.jpg"),
            data=IntakeData(brought_by="police", name="张三", sex="M"),
        )
    client.force_login(desk)
    same = client.post(
        "/cases/intake/earlier/", {"photo": face_file("obama3.jpg")}
    ).content.decode()
    assert f'data-person="{earlier.person_id}"' in same and "相似人脸" in same
    other = client.post(
        "/cases/intake/earlier/", {"photo": face_file("biden.jpg")}
    ).content.decode()
    assert f'data-person="{earlier.person_id}"' not in other


def test_each_candidate_records_the_model_version_that_scored_it(
    client, suzhou, desk, tracer, django_capture_on_commit_callbacks
):
    from homeward.matching.attributes.model import AttributeModel

    with django_capture_on_commit_callbacks(execute=True):
        staff_report(tracer, name="张三", birth_date=None)
        intake_admit(
            station=suzhou,
            by=desk,
            data=IntakeData(brought_by="police", name="张三", sex="M"),
        )
    candidate = Candidate.objects.get()
    version = AttributeModel.load().version()
    assert candidate.model_version == version and version.startswith("attr-")
    # One report searched: its only rival is "not reported", as likely as a neutral field.
    assert candidate.evidence["rivals"] == 0.0
    client.force_login(tracer)
    page = client.get(f"/tracing/candidates/{candidate.pk}/").content.decode()
    assert version in page


def test_a_new_reports_search_job_embeds_its_photos_before_it_searches(
    suzhou, desk, tracer, django_capture_on_commit_callbacks
):
    """The consumer's workers take jobs in any order: the search job itself embeds the
    report's photos first, so its face counts in the very first search."""
    from homeward.tracing.tasks import search_for_report_job

    with django_capture_on_commit_callbacks(execute=True):
        intake_admit(
            station=suzhou,
            by=desk,
            photo=face_file("obama2.jpg"),
            data=IntakeData(brought_by="police", sex="M", age_estimate_min=45, age_estimate_max=60),
        )
    with django_capture_on_commit_callbacks(execute=False):  # no job run on commit
        report = staff_report(
            tracer, name="张三", photos=[(face_file("obama.jpg"), 2009)], birth_date=None
        )
    assert not FaceVector.objects.filter(kind="missing").exists()
    search_for_report_job(report.pk)  # alone, as a worker may take it first
    assert FaceVector.objects.get(kind="missing").accepted
    assert Candidate.objects.get(report=report).log10_face > 1
