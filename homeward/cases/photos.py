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
