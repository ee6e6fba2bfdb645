"""The intake photo must meet the recognition standard (人像信息必须符合识别规范).

The face engine measures; this module says what failed in the desk clerk's
language, so they can retake the photo on the spot.
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _


# Each face-engine rule code -> what to tell the clerk (value and limit as measured).
def _messages() -> dict[str, str]:
    return {
        "no_face": _(
            "No face was found. Take the photo from the front, with the whole face in view."
        ),
        "several_faces": _(
            "%(value).0f faces were found. Choose which face is the person's (1 is the leftmost), "
            "or take a photo of the person alone."
        ),
        "face_index_invalid": _("There is no face with that number in the photo."),
        "face_too_small": _(
            "The face is too small: %(value).0f pixels between the eyes, at least %(threshold).0f "
            "needed. Come closer."
        ),
        "blurred": _(
            "The face is blurred (sharpness %(value).0f, at least %(threshold).0f needed). "
            "Hold the camera still."
        ),
        "too_dark": _(
            "The face is too dark (brightness %(value).0f of 255, at least %(threshold).0f). "
            "Add light in front of the person."
        ),
        "too_bright": _(
            "The face is too bright (brightness %(value).0f of 255, at most %(threshold).0f). "
            "Avoid flash or sunlight on the face."
        ),
        "head_turned": _(
            "The head is turned to the side (turn %(value).2f, at most %(threshold).2f). "
            "Ask the person to look at the camera."
        ),
        "unreadable": _("This file is not a photo that can be read."),
    }


def intake_photo_problems(upload: UploadedFile, *, face_number: int | None = None) -> list[str]:
    """What is wrong with an intake photo, in the current language; empty when it is fit.

    `face_number` (1 = leftmost) chooses the person's face when the photo has several.
    """
    from homeward.matching.face.photo import PhotoError
    from homeward.matching.face.pipeline import analyse_photo

    messages = _messages()
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        data = upload.read()
        upload.seek(position)
        analysis = analyse_photo(data, face_index=None if face_number is None else face_number - 1)
    except PhotoError:
        return [messages["unreadable"]]
    return [
        messages[r.code] % {"value": r.value or 0, "threshold": r.threshold or 0}
        for r in analysis.report.reasons
    ]


def _short() -> dict[str, str]:
    return {
        "no_face": _("no face found"),
        "several_faces": _("several faces"),
        "face_index_invalid": _("no such face"),
        "face_too_small": _("face too small"),
        "blurred": _("blurred"),
        "too_dark": _("too dark"),
        "too_bright": _("too bright"),
        "head_turned": _("head turned"),
    }


def quality_words(accepted: bool | None, codes: list[str]) -> str:
    """A photo's face check in a few words: "meets the standard", or what fell short."""
    if accepted is None:
        return _("not checked yet")
    if accepted:
        return _("meets the recognition standard")
    short = _short()
    found = [short.get(code, _("unreadable")) for code in codes] or [_("unreadable")]
    return _("below the standard: %(what)s") % {"what": ", ".join(found)}


# A photo chosen on an intake form that then had an error is held for the clerk (an hour),
# so that correcting a field does not lose the photo: the form carries this signed token.
HELD_SALT = "cases.held-photo"
HELD_MAX_AGE_S = 3600
HELD_FOLDER = "pending"


def photo_hold(upload, *, user) -> str | None:
    """Keep a readable photo for `user` and return the token that brings it back."""
    import uuid

    from django.core import signing
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from homeward.common.images import ImageRefused, clean_upload

    try:
        clean = clean_upload(upload)
    except ImageRefused:
        return None
    name = default_storage.save(f"{HELD_FOLDER}/{uuid.uuid4().hex}.jpg", ContentFile(clean.data))
    return signing.dumps({"name": name, "user": user.pk}, salt=HELD_SALT)


def photo_held(token: str, *, user):
    """The photo held under `token` for `user` (a file to pass to intake), or None."""
    from django.core import signing
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    try:
        held = signing.loads(token, salt=HELD_SALT, max_age=HELD_MAX_AGE_S)
    except signing.BadSignature:
        return None
    name = held.get("name", "") if isinstance(held, dict) else ""
    if held.get("user") != user.pk or not name.startswith(f"{HELD_FOLDER}/"):
        return None
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return ContentFile(handle.read(), name="held.jpg")


def photo_release(token: str) -> None:
    """Remove a held photo once the intake that used it is saved."""
    from django.core import signing
    from django.core.files.storage import default_storage

    try:
        held = signing.loads(token, salt=HELD_SALT, max_age=HELD_MAX_AGE_S)
    except signing.BadSignature:
        return
    name = held.get("name", "") if isinstance(held, dict) else ""
    if name.startswith(f"{HELD_FOLDER}/") and default_storage.exists(name):
        default_storage.delete(name)


def photos_held_forget(*, older_than_s: int = 24 * 3600) -> int:
    """Remove held photos nobody came back for (their tokens have long expired)."""
    import time

    from django.core.files.storage import default_storage

    if not default_storage.exists(HELD_FOLDER):
        return 0
    _folders, files = default_storage.listdir(HELD_FOLDER)
    cutoff = time.time() - older_than_s
    removed = 0
    for name in files:
        path = f"{HELD_FOLDER}/{name}"
        if default_storage.get_modified_time(path).timestamp() < cutoff:
            default_storage.delete(path)
            removed += 1
    return removed
