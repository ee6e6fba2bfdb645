"""The intake photo must meet the recognition standard: the desk hears what to fix."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageEnhance, ImageFilter

from homeward.accounts.models import Role
from homeward.cases.models import Person
from homeward.cases.services import IntakeData, intake_admit
from tests.conftest import make_user

IMAGES = Path(__file__).resolve().parents[1] / "matching" / "face" / "images"


def upload(image: Image.Image, name: str = "photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=92)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def admit_with(station, by, photo, face=None):
    return intake_admit(
        station=station,
        by=by,
        photo=photo,
        photo_face=face,
        data=IntakeData(brought_by="police", sex="F"),
    )


@pytest.fixture
def astronaut() -> Image.Image:
    return Image.open(IMAGES / "astronaut.jpg")


def test_a_good_photo_is_kept_with_the_intake(suzhou, desk, astronaut):
    stay = admit_with(suzhou, desk, upload(astronaut))
    assert stay.person.photo.name.endswith(".jpg")


@pytest.mark.parametrize(
    "spoil,words",
    [
        (lambda im: im.filter(ImageFilter.GaussianBlur(3)), "模糊"),
        (lambda im: ImageEnhance.Brightness(im).enhance(0.15), "太暗"),
        (lambda im: Image.new("RGB", (400, 400), "grey"), "未检测到人脸"),
    ],
)
def test_a_spoilt_photo_is_refused_with_a_reason_in_chinese(suzhou, desk, astronaut, spoil, words):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as err:
        admit_with(suzhou, desk, upload(spoil(astronaut)))
    with translation.override("zh-hans"):
        assert any(words in m for m in err.value.message_dict["photo"])
    assert not Person.objects.exists()


def test_two_faces_ask_the_desk_to_choose_and_a_choice_is_accepted(suzhou, desk, astronaut):
    hopper = Image.open(IMAGES / "grace_hopper.jpg").resize(astronaut.size)
    both = Image.new("RGB", (astronaut.width * 2, astronaut.height))
    both.paste(astronaut, (0, 0))
    both.paste(hopper, (astronaut.width, 0))
    with translation.override("en"), pytest.raises(ValidationError) as err:
        admit_with(suzhou, desk, upload(both))
    with translation.override("en"):
        assert "2 faces were found" in err.value.message_dict["photo"][0]
    stay = admit_with(suzhou, desk, upload(both), face=2)
    assert stay.person.photo


def test_a_photo_chosen_before_an_error_is_kept_and_saved_with_the_record(client, suzhou, desk):
    import re
    from pathlib import Path

    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from homeward.cases.models import Person

    face = Path(__file__).resolve().parents[1] / "matching" / "face" / "images" / "grace_hopper.jpg"
    client.force_login(desk)
    fields = {"brought_by": "police", "name": "王芳", "name_source": "said", "sex": "F"}
    first = client.post(
        "/cases/intake/",
        {
            **fields,
            "id_number": "320508198503121235",
            "photo": SimpleUploadedFile("f.jpg", face.read_bytes()),
        },
    ).content.decode()
    assert 'id="photo-held"' in first and not Person.objects.exists()
    token = re.search(r'name="photo_held" value="([^"]+)"', first).group(1)
    second = client.post("/cases/intake/", {**fields, "photo_held": token})
    assert second.status_code == 302
    person = Person.objects.get()
    assert person.photo and default_storage.exists(person.photo.name)
    assert default_storage.listdir("pending")[1] == []  # the held copy is gone
    # Another clerk cannot use the token.
    other = make_user("sz.other", Role.INTAKE, station=suzhou)
    client.force_login(other)
    client.post("/cases/intake/", {**fields, "name": "李四", "photo_held": token})
    assert not Person.objects.filter(name="李四", photos__isnull=False).exists()
