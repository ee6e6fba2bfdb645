"""Uploads are decoded, turned upright and re-encoded: nothing the uploader put in a file
other than its pixels ever reaches a browser, and no picture gives a 500."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from homeward.cases.models import Person, PersonPhoto, Stay
from homeward.cases.services import IntakeData, intake_admit
from homeward.common.images import is_clean_jpeg
from homeward.tracing.models import Notice
from homeward.tracing.services import notices_sync

FACE = Path(__file__).resolve().parents[1] / "matching" / "face" / "images" / "grace_hopper.jpg"
SCRIPT = b"<script>alert(document.cookie)</script>"


def hostile_jpeg() -> bytes:
    """A real face photo with a script in a JPEG comment and a GPS position in its EXIF."""
    image = Image.open(FACE)
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (31.0, 18.0, 0.0), 3: "E", 4: (120.0, 37.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=exif.tobytes(), comment=SCRIPT)
    data = out.getvalue()
    assert SCRIPT in data
    return data


def bomb_png(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny PNG that claims `width` x `height` pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_a_photo_named_html_with_a_script_is_served_as_a_bare_jpeg(client, suzhou, desk):
    upload = SimpleUploadedFile("x.html", hostile_jpeg(), content_type="text/html")
    stay = intake_admit(
        station=suzhou,
        data=IntakeData(brought_by="police", sex="F", age_estimate_min=60, age_estimate_max=70),
        by=desk,
        photo=upload,
    )
    person = stay.person
    assert person.photo.name.endswith(".jpg") and "x.html" not in person.photo.name
    Stay.objects.filter(pk=stay.pk).update(admitted_at=timezone.now() - timedelta(days=2))
    notices_sync()
    notice = Notice.objects.get()
    response = client.get(f"/p/notices/{notice.public_id}/photo")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content)
    assert SCRIPT not in body and b"<script" not in body.lower()
    shown = Image.open(io.BytesIO(body))
    assert shown.format == "JPEG" and not shown.getexif()  # the GPS position is gone
    assert is_clean_jpeg(body)


def test_a_picture_claiming_900_megapixels_is_a_form_error_not_a_500(client, suzhou, desk):
    client.force_login(desk)
    response = client.post(
        "/cases/intake/",
        {
            "brought_by": "police",
            "name": "王五",
            "name_source": "said",
            "sex": "M",
            "photo": SimpleUploadedFile("tiny.png", bomb_png(), content_type="image/png"),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-error-for="photo"' in page and "50" in page  # at most 50 megapixels
    assert not Person.objects.exists()


def test_the_face_engine_refuses_a_bomb_instead_of_failing_its_job_forever():
    from homeward.matching.face.photo import PhotoError, load_photo

    with pytest.raises(PhotoError):
        load_photo(bomb_png())


@pytest.mark.parametrize(
    "name,data",
    [
        ("face.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("empty.jpg", b""),
        ("cut.jpg", None),
    ],
)
def test_files_that_are_not_photos_are_refused_on_a_family_report(name, data, client, db):
    from homeward.accounts.models import Role
    from tests.conftest import make_user

    if data is None:
        data = FACE.read_bytes()[:2000]  # a JPEG cut short
    family = make_user("13900000009", Role.FAMILY)
    family.phone_verified = True
    family.save()
    client.force_login(family)
    response = client.post(
        "/p/report/",
        {
            "name": "李明",
            "sex": "M",
            "contact_name": "李红",
            "contact_relation": "女儿",
            "contact_phone": "13900000009",
            "lost_date": "2023-03-01",
            "lost_division": "410102",
            "photo1": SimpleUploadedFile(name, data),
        },
    )
    assert response.status_code == 200, response.status_code
    from homeward.tracing.models import MissingReport, ReportPhoto

    assert not MissingReport.objects.exists() and not ReportPhoto.objects.exists()
    assert "data-error-for" in response.content.decode()  # the family is told why


def test_a_sideways_phone_photo_is_stored_upright(suzhou, desk):
    image = Image.open(FACE).convert("RGB")
    width, height = image.size
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    out = io.BytesIO()
    image.transpose(Image.Transpose.ROTATE_90).save(out, "JPEG", exif=exif.tobytes())
    stay = intake_admit(
        station=suzhou,
        data=IntakeData(brought_by="police", sex="F"),
        by=desk,
        photo=SimpleUploadedFile("phone.jpg", out.getvalue()),
    )
    with default_storage.open(stay.person.photo.name, "rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert stored.size == (width, height) and not stored.getexif()


def test_the_command_re_encodes_photos_stored_before(suzhou, desk):
    stay = intake_admit(station=suzhou, data=IntakeData(brought_by="police"), by=desk)
    person = stay.person
    PersonPhoto.objects.create(person=person, image=ContentFile(hostile_jpeg(), name="old.html"))
    junk = Person.objects.create()
    PersonPhoto.objects.create(
        person=junk, image=ContentFile(b"<svg><script>alert(1)</script></svg>", name="junk.svg")
    )
    old_name = person.photo.name

    out = io.StringIO()
    call_command("reencode_photos", stdout=out, stderr=io.StringIO())
    assert "1 re-encoded" in out.getvalue() and "1 removed" in out.getvalue()
    assert person.photo.name != old_name and not default_storage.exists(old_name)
    with default_storage.open(person.photo.name, "rb") as handle:
        assert is_clean_jpeg(handle.read())
    assert not junk.photo  # the row that held only the script is gone

    again = io.StringIO()
    call_command("reencode_photos", stdout=again, stderr=io.StringIO())
    assert again.getvalue().startswith("0 re-encoded, 1 already clean")
