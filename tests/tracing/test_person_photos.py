"""Several photos per person, kept with their days: a photo added at any time is embedded and
searched, the candidate page puts every photo beside the family's with the years between and
each one's face check, and a merge takes the photos and the open candidates with it."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from django.utils import timezone
from PIL import Image

from homeward.cases.models import PersonPhoto
from homeward.cases.services import IntakeData, intake_admit, person_merge, person_merge_undo
from homeward.tracing.models import Candidate, FaceVector
from tests.tracing.conftest import face_file, staff_report


def _person(suzhou, desk, photo="biden.jpg", **fields):
    data = {"brought_by": "police", "sex": "M", "age_estimate_min": 45, "age_estimate_max": 60}
    return intake_admit(
        station=suzhou, by=desk, photo=face_file(photo), data=IntakeData(**{**data, **fields})
    )


def _blank_jpeg() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (320, 400), (200, 190, 180)).save(out, "JPEG")
    out.name = "wall.jpg"
    out.seek(0)
    return out


def test_a_photo_added_later_is_kept_beside_the_first_embedded_and_searched(
    client, suzhou, desk, tracer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = staff_report(tracer, photos=[(face_file("obama.jpg"), 2009)], birth_date=None)
        stay = _person(suzhou, desk)  # another man's face: the report is not his
    before = Candidate.objects.filter(report=report).first()
    assert before is None or before.log10_face < 0

    client.force_login(desk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/cases/people/{stay.person_id}/photos/add/",
            {"photo": face_file("obama2.jpg"), "taken_on": "2025-06-01"},
        )
    assert response.status_code == 302
    photos = list(stay.person.photos.all())
    assert [p.taken_on for p in photos] == [timezone.localdate(stay.admitted_at), date(2025, 6, 1)]
    assert [p.source for p in photos] == ["intake", "added"]
    assert FaceVector.objects.filter(kind="found", person=stay.person).count() == 2
    match = Candidate.objects.get(report=report)
    assert match.log10_face > 1  # the added photo is this report's face
    page = client.get(f"/cases/people/{stay.person_id}/").content.decode()
    shown = re.findall(r'data-photo="(\d+)"', page)
    assert shown == [str(p.pk) for p in photos] and "2025-06-01" in page


def test_the_candidate_page_shows_every_photo_with_its_check_and_the_years_between(
    client, suzhou, desk, tracer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = staff_report(tracer, photos=[(face_file("obama.jpg"), 2009)], birth_date=None)
        stay = _person(suzhou, desk, photo="obama2.jpg")
    client.force_login(desk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/cases/people/{stay.person_id}/photos/add/",
            {"photo": _blank_jpeg(), "taken_on": "2020-01-02"},
        )
    blank = stay.person.photos.get(taken_on=date(2020, 1, 2))  # kept, though no face is in it
    assert not blank.face.accepted
    candidate = Candidate.objects.get(report=report)
    client.force_login(tracer)
    page = client.get(f"/tracing/candidates/{candidate.pk}/").content.decode()
    person_part = page[page.index('id="person-photos"') : page.index('id="report-photos"')]
    assert person_part.count("data-photo=") == 2
    assert "符合识别规范" in person_part and "未检测到人脸" in person_part
    years = timezone.localdate().year - 2009
    assert f'data-years-apart="{years}"' in page and f"比此人最新的照片早 {years} 年" in page


def test_a_photo_day_in_the_future_is_refused_and_nothing_is_kept(client, suzhou, desk):
    stay = _person(suzhou, desk)
    client.force_login(desk)
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = client.post(
        f"/cases/people/{stay.person_id}/photos/add/",
        {"photo": face_file("obama2.jpg"), "taken_on": tomorrow.isoformat()},
    ).content.decode()
    assert 'data-error-for="taken_on"' in page and stay.person.photos.count() == 1
    page = client.post(f"/cases/people/{stay.person_id}/photos/add/", {}).content.decode()
    assert 'data-error-for="photo"' in page and stay.person.photos.count() == 1


def test_only_the_desk_of_the_persons_station_adds_a_photo(client, suzhou, desk, tracer):
    from homeward.accounts.models import Role
    from tests.conftest import make_station, make_user

    stay = _person(suzhou, desk)
    other = make_station("杭州站", "330100")
    client.force_login(make_user("hz.desk", Role.INTAKE, station=other))
    url = f"/cases/people/{stay.person_id}/photos/add/"
    assert client.post(url, {"photo": face_file("obama2.jpg")}).status_code in (403, 404)
    assert stay.person.photos.count() == 1


def test_a_merge_takes_the_photos_and_open_candidates_and_an_undo_gives_the_photos_back(
    suzhou, desk, tracer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = staff_report(tracer, photos=[(face_file("obama.jpg"), 2009)], birth_date=None)
        kept = _person(suzhou, desk).person
        duplicate = _person(suzhou, desk, photo="obama2.jpg").person
    Candidate.objects.filter(person=kept, report=report).delete()
    candidate, _ = Candidate.objects.get_or_create(
        person=duplicate, report=report, defaults={"station": suzhou, "posterior": 0.8}
    )
    assert candidate.status == Candidate.Status.OPEN

    with django_capture_on_commit_callbacks(execute=True):
        merge = person_merge(kept=kept, merged=duplicate, reason="同一人", by=desk)
    assert set(kept.photos.values_list("source", flat=True)) == {"intake"}
    assert kept.photos.count() == 2 and not duplicate.photos.exists()
    candidate.refresh_from_db()
    assert candidate.person_id == kept.pk
    assert FaceVector.objects.filter(kind="found", person=kept).count() == 2
    assert Candidate.objects.get(report=report, person=kept).log10_face > 1

    person_merge_undo(merge=merge, by=desk)
    assert kept.photos.count() == 1 and duplicate.photos.count() == 1
    assert PersonPhoto.objects.filter(merged_from__isnull=False).count() == 0
    assert FaceVector.objects.get(person_photo=duplicate.photos.get()).person_id == duplicate.pk
