"""Photos of a person: several over the years, each with the day it was taken."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import User
from homeward.cases.models import Person, PersonPhoto
from homeward.cases.services.common import require_case_writer
from homeward.cases.signals import person_photo_added
from homeward.common.clock import day_is_future
from homeward.common.images import CleanImage, clean_or_errors


def photo_store(
    person: Person, clean: CleanImage, *, taken_on: date | None, by: User | None, source: str
) -> PersonPhoto:
    """Keep a cleaned photo of the person (the caller checked who may, and audits)."""
    return PersonPhoto.objects.create(
        person=person, image=clean.as_file(), taken_on=taken_on, source=source, added_by=by
    )


@transaction.atomic
def person_photo_add(
    *, person: Person, photo: UploadedFile | None, taken_on: date | None, by: User | None
) -> PersonPhoto:
    """Add a photo of the person at any time; it is embedded and searched.

    The desk of the person's (last) station adds it. The upload is decoded and re-encoded.
    A photo that falls short of the recognition standard is still kept and compared, as a
    family's old photo is: its quality result shows beside it wherever staff weigh it.
    """
    last = person.stays.order_by("-admitted_at").select_related("station").first()
    if last is not None:
        require_case_writer(by, last.station)
    errors: dict[str, list[str]] = {}
    if photo is None:
        errors["photo"] = [_("Choose a photo.")]
    clean = clean_or_errors(photo, errors, "photo")
    if taken_on is not None and day_is_future(taken_on):
        errors["taken_on"] = [_("The day taken cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    kept = photo_store(
        person,
        clean,
        taken_on=taken_on or timezone.localdate(),
        by=by,
        source=PersonPhoto.Source.ADDED,
    )
    audit_record(actor=by, action="update", obj=person, detail={"photo_added": kept.pk})
    transaction.on_commit(lambda: person_photo_added.send(sender=Person, person=person, photo=kept))
    return kept
