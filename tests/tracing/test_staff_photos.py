"""Staff see the faces they compare: the intake photo on the stay, person and candidate
pages, the family's photos on the report and candidate pages, each served by a scoped and
audited view as a JPEG, never from a public address."""

from __future__ import annotations

from homeward.accounts.models import AuditEvent, Role
from homeward.cases.services import IntakeData, intake_admit
from homeward.tracing.models import Candidate
from tests.conftest import make_user
from tests.tracing.conftest import face_file, staff_report


def _pair(suzhou, desk, tracer):
    stay = intake_admit(
        station=suzhou,
        data=IntakeData(brought_by="police", name="张三", name_source="said", sex="M"),
        by=desk,
        photo=face_file("obama.jpg"),
    )
    report = staff_report(tracer, name="张三", photos=[(face_file("obama2.jpg"), 2009)])
    candidate = Candidate.objects.create(
        person=stay.person, report=report, station=suzhou, posterior=0.9, log10_total=3
    )
    return stay, report, candidate


def test_the_candidate_page_shows_both_faces(client, suzhou, desk, tracer):
    stay, report, candidate = _pair(suzhou, desk, tracer)
    client.force_login(tracer)
    page = client.get(f"/tracing/candidates/{candidate.pk}/").content.decode()
    person_src = f'src="/cases/people/{stay.person_id}/photos/{stay.person.photos.get().pk}"'
    photo = report.photos.get()
    report_src = f'src="/tracing/reports/{report.pk}/photos/{photo.pk}"'
    assert person_src in page and report_src in page and "2009" in page
    for url in (
        f"/cases/people/{stay.person_id}/photo",
        f"/cases/people/{stay.person_id}/photos/{stay.person.photos.get().pk}",
        f"/tracing/reports/{report.pk}/photos/{photo.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_a_photo_is_a_read_of_the_record_scoped_and_audited(
    client, suzhou, hangzhou, desk, tracer, jiangsu_supervisor
):
    stay, report, _candidate = _pair(suzhou, desk, tracer)
    url = f"/cases/people/{stay.person_id}/photo"
    client.force_login(desk)
    before = AuditEvent.objects.filter(object_id=str(stay.person_id), action="view").count()
    assert client.get(url).status_code == 200
    after = AuditEvent.objects.filter(object_id=str(stay.person_id), action="view").count()
    assert after == before + 1
    client.force_login(make_user("hz.desk", Role.INTAKE, station=hangzhou))
    assert client.get(url).status_code == 404
    client.force_login(jiangsu_supervisor)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
