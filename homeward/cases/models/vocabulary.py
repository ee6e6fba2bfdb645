"""Vocabularies shared with the exchange format (HWX, see docs/interchange)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNKNOWN = "U", _("Unknown")


MARK_TYPES = {
    "scar": _("scar"),
    "tattoo": _("tattoo"),
    "birthmark": _("birthmark"),
    "mole": _("mole"),
    "burn": _("burn"),
    "missing_limb": _("missing limb"),
    "missing_finger": _("missing finger"),
    "deformity": _("deformity"),
    "glasses": _("glasses"),
    "other": _("other mark"),
}
MARK_PLACES = {
    "head": _("head"),
    "face": _("face"),
    "neck": _("neck"),
    "chest": _("chest"),
    "back": _("back"),
    "abdomen": _("abdomen"),
    "left_arm": _("left arm"),
    "right_arm": _("right arm"),
    "left_hand": _("left hand"),
    "right_hand": _("right hand"),
    "left_leg": _("left leg"),
    "right_leg": _("right leg"),
    "left_foot": _("left foot"),
    "right_foot": _("right foot"),
}
CONDITIONS = {
    "intellectual_disability": _("intellectual disability"),
    "mental_illness": _("mental illness"),
    "dementia": _("dementia"),
    "hearing_speech": _("hearing or speech impairment"),
    "physical_disability": _("physical disability"),
    "none_observed": _("none observed"),
}


# Places other systems write that our vocabulary files under a broader place.
MARK_PLACE_ALIASES = {"forehead": "face", "cheek": "face", "chin": "face", "scalp": "head"}


def normalise_mark(mark: str) -> str:
    kind, _sep, place = mark.strip().lower().partition(":")
    return f"{kind}:{MARK_PLACE_ALIASES.get(place, place)}"


def mark_label(mark: str) -> str:
    kind, _sep, place = mark.partition(":")
    return f"{MARK_PLACES.get(place, place)} {MARK_TYPES.get(kind, kind)}".strip()


def invalid_marks(marks: list[str]) -> list[str]:
    return [
        m
        for m in marks
        if m.partition(":")[0] not in MARK_TYPES or m.partition(":")[2] not in MARK_PLACES
    ]


def mark_notes_of(notes: dict[str, str], marks: list[str]) -> dict[str, str]:
    """The notes of marks the record has, trimmed (a note never outlives its mark)."""
    kept = {normalise_mark(code): (text or "").strip()[:100] for code, text in notes.items()}
    return {code: text for code, text in kept.items() if text and code in marks}


def marks_in_words(marks: list[str], notes: dict[str, str] | None) -> list[str]:
    """Each mark as people say it, with what it looks like: "左臂 纹身（龙形）"."""
    notes = notes or {}
    return [
        f"{mark_label(code)}（{notes[code]}）" if notes.get(code) else mark_label(code)
        for code in marks
    ]
