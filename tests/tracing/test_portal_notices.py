"""Notices worth reading: the found person's face, cut from the intake photo and encoded
anew; marks in words in the reader's language; one stated order; a filter that is not
understood is said next to its field."""

from __future__ import annotations

import io
from datetime import timedelta

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from homeward.cases.models import Stay
from homeward.cases.services import IntakeData, intake_admit
from homeward.common.images import is_clean_jpeg
from homeward.matching.face.model import default_model
from homeward.tracing.models import Notice
from homeward.tracing.services import notices_sync
from tests.browser.test_reunion import face_path
from tests.cases.conftest import admit


@pytest.fixture(autouse=True)
def _at_once(settings):
    settings.NOTICE_DELAY_HOURS = 0


def _publish() -> None:
    notices_sync()


@pytest.fixture
def with_photo(suzhou, desk):
    with open(face_path("obama.jpg"), "rb") as handle:
        data = handle.read()
    stay = intake_admit(
        station=suzhou,
        by=desk,
        data=IntakeData(brought_by="police", sex="M", age_estimate_min=45, age_estimate_max=60),
        photo=SimpleUploadedFile("face.jpg", data, content_type="image/jpeg"),
    )
    _publish()
    return stay


def test_the_notice_shows_the_face_cut_and_encoded_anew(client, with_photo):
    notice = Notice.objects.get()
    person = with_photo.person
    assert notice.photo.name != person.photo.name  # a file of its own, not the intake photo
    response = client.get(f"/p/notices/{notice.public_id}/photo")
    data = b"".join(response.streaming_content)
    assert response["Content-Type"] == "image/jpeg" and is_clean_jpeg(data)
    with default_storage.open(person.photo.name, "rb") as handle:
        whole = Image.open(io.BytesIO(handle.read()))
    crop = Image.open(io.BytesIO(data)).convert("RGB")
    assert crop.width * crop.height < 0.6 * whole.width * whole.height  # cut, not the whole
    faces = default_model().detect(np.ascontiguousarray(np.asarray(crop)))
    assert len(faces) == 1
    left, top, right, bottom = faces[0].box
    assert (right - left) * (bottom - top) > 0.12 * crop.width * crop.height  # the face fills it


def test_a_refresh_keeps_the_same_face_and_a_new_photo_replaces_it(
    with_photo, desk, django_capture_on_commit_callbacks
):
    from homeward.cases.services.photos import person_photo_add

    first = Notice.objects.get().photo.name
    with django_capture_on_commit_callbacks(execute=True):
        notices_sync(now=timezone.now() + timedelta(days=33))
    assert Notice.objects.get().photo.name == first  # the same photo: nothing written again
    with open(face_path("obama2.jpg"), "rb") as handle:
        upload = SimpleUploadedFile("new.jpg", handle.read(), content_type="image/jpeg")
    person_photo_add(person=with_photo.person, photo=upload, taken_on=None, by=desk)
    with django_capture_on_commit_callbacks(execute=True):
        notices_sync(now=timezone.now() + timedelta(days=66))
    second = Notice.objects.get().photo.name
    assert second and second != first
    assert default_storage.exists(second) and not default_storage.exists(first)
    assert all(default_storage.exists(p.image.name) for p in with_photo.person.photos.all())


def test_a_photo_that_cannot_be_read_leaves_that_notice_without_one_and_others_go_on(suzhou, desk):
    with open(face_path("obama.jpg"), "rb") as handle:
        upload = SimpleUploadedFile("face.jpg", handle.read(), content_type="image/jpeg")
    broken = intake_admit(
        station=suzhou,
        by=desk,
        data=IntakeData(brought_by="police", sex="M", age_estimate_min=45, age_estimate_max=60),
        photo=upload,
    )
    default_storage.delete(broken.person.photo.name)  # the file broke on the disk
    default_storage.save(broken.person.photo.name, ContentFile(b"not a picture any more"))
    admit(suzhou, desk, name="", name_source="unknown")
    result = notices_sync()
    assert result.created == 2 and result.published == 2
    assert Notice.objects.get(stay=broken).photo.name == ""


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "面部"), ("en", "face")])
def test_marks_read_in_words_in_the_readers_language(client, suzhou, desk, language, words):
    admit(suzhou, desk, name="", name_source="unknown", marks=["scar:face"])
    _publish()
    notice = Notice.objects.get()
    client.cookies["django_language"] = language
    page = client.get(f"/p/notices/{notice.public_id}/").content.decode()
    assert "scar:face" not in page and words in page.lower()


def test_one_order_the_most_recently_found_first_filtered_or_not(client, suzhou, desk):
    now = timezone.now()
    for days, age in ((30, 40), (2, 42), (10, 44)):
        stay = admit(
            suzhou,
            desk,
            name="",
            name_source="unknown",
            age_estimate_min=age,
            age_estimate_max=age + 5,
        )
        Stay.objects.filter(pk=stay.pk).update(found_at=now - timedelta(days=days))
    _publish()
    found = list(Notice.objects.order_by("-found_on").values_list("public_id", flat=True))

    def order(query: str) -> list:
        page = client.get(f"/p/{query}").content.decode()
        return sorted(found, key=lambda pid: page.index(f"/p/notices/{pid}/"))

    assert order("") == found
    assert order("?sex=M") == found
    assert 'id="notice-order"' in client.get("/p/").content.decode()


def test_a_filter_not_understood_is_said_by_its_field_and_the_rest_still_apply(
    client, suzhou, desk
):
    admit(suzhou, desk, name="", name_source="unknown", sex="F")
    admit(suzhou, desk, name="", name_source="unknown", sex="M")
    _publish()
    page = client.get("/p/", {"age_from": "abc", "sex": "F"}).content.decode()
    assert 'data-error-for="age_from"' in page and 'id="filter-errors"' in page
    assert page.count('class="stretched-link"') == 1  # the sex filter still applied
