"""Correcting a person's record after intake (更正档案): what the desk learns later."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.models import User
from homeward.cases.idcard import IdNumberError, parse_id_number
from homeward.cases.models import CareNote, Person, PersonPhoto
from homeward.cases.models.vocabulary import Sex, invalid_marks, mark_notes_of, normalise_mark
from homeward.cases.photos import intake_photo_problems
from homeward.cases.services.common import require_case_writer
from homeward.cases.services.intake import person_changes_record
from homeward.cases.services.photos import photo_store
from homeward.cases.signals import person_corrected
from homeward.common.images import clean_or_errors
from homeward.regions.models import Division


@dataclass
class PersonCorrection:
    """The record's facts as they should now read (every field, not only the changed)."""

    name: str = ""
    name_source: str = Person.NameSource.UNKNOWN
    aliases: list[str] = field(default_factory=list)
    id_number: str = ""
    sex: str = "U"
    birth_date: date | None = None
    age_estimate_min: int | None = None
    age_estimate_max: int | None = None
    home_division: Division | None = None
    dialect_division: Division | None = None
    language: str = ""
    height_cm: int | None = None
    marks: list[str] = field(default_factory=list)
    mark_notes: dict[str, str] = field(default_factory=dict)


FIELDS = (
    "name", "name_source", "aliases", "id_number", "sex", "birth_date", "born_after",
    "born_before", "home_division", "dialect_division", "language", "height_cm", "marks",
    "mark_notes",
)  # fmt: skip


def _check(data: PersonCorrection, today: date) -> tuple[dict[str, list[str]], object]:
    errors: dict[str, list[str]] = {}
    parsed = None
    if data.id_number.strip():
        try:
            parsed = parse_id_number(data.id_number, today=today)
        except IdNumberError as exc:
            errors["id_number"] = [str(exc.message)]
        else:
            if data.sex not in ("U", parsed.sex):
                errors["sex"] = [_("The sex does not match the ID number.")]
            if data.birth_date and data.birth_date != parsed.birth_date:
                errors["birth_date"] = [_("The birth date does not match the ID number.")]
    if data.sex not in Sex.values:
        errors["sex"] = [_("Choose the sex.")]
    if data.name_source not in Person.NameSource.values:
        errors["name_source"] = [_("Say where the name comes from.")]
    if data.birth_date and data.birth_date > today:
        errors["birth_date"] = [_("The birth date is in the future.")]
    low, high = data.age_estimate_min, data.age_estimate_max
    if (low is None) != (high is None):
        errors["age_estimate_max"] = [_("Give both ends of the estimated age, or neither.")]
    elif low is not None and high is not None and not 0 <= low <= high <= 120:
        errors["age_estimate_max"] = [_("The estimated age range runs backwards.")]
    if data.height_cm is not None and not 40 <= data.height_cm <= 230:
        errors["height_cm"] = [_("Height must be between 40 and 230 cm.")]
    bad = invalid_marks([normalise_mark(m) for m in data.marks])
    if bad:
        errors["marks"] = [_("Unknown marks: %(marks)s") % {"marks": ", ".join(bad)}]
    return errors, parsed


@transaction.atomic
def person_correct(
    *,
    person: Person,
    data: PersonCorrection,
    by: User,
    photo: UploadedFile | None = None,
    from_note: CareNote | None = None,
) -> dict[str, list[str]]:
    """Correct the record; returns what changed ({field: [before, after]}).

    Only the desk of the station the person is in (or was last in) corrects it. Every
    change is on the audit trail with its before and after, shown on the person's page;
    a new photo is added beside the earlier ones once it meets the recognition standard; the
    automatic search runs again for the corrected record. `from_note` is the care note the
    facts were learned from: the change cites it.
    """
    last = person.stays.order_by("-admitted_at").select_related("station").first()
    if last is not None:
        require_case_writer(by, last.station)
    today = timezone.localdate()
    errors, parsed = _check(data, today)
    clean = clean_or_errors(photo, errors, "photo")
    if clean is not None:
        problems = intake_photo_problems(ContentFile(clean.data))
        if problems:
            errors["photo"] = problems
    if errors:
        raise ValidationError(errors)
    before = {name: getattr(person, name) for name in FIELDS}
    person.name = data.name.strip()
    person.name_source = data.name_source if person.name else Person.NameSource.UNKNOWN
    person.aliases = sorted({a.strip() for a in data.aliases if a.strip()} - {person.name})
    person.id_number = parsed.number if parsed else ""
    person.sex = parsed.sex if parsed else data.sex
    person.birth_date = parsed.birth_date if parsed else data.birth_date
    if person.birth_date:
        person.born_after = person.born_before = None
    elif data.age_estimate_min is not None and data.age_estimate_max is not None:
        known = person.age_on(today)
        if known != (data.age_estimate_min, data.age_estimate_max):
            person.set_age_estimate(data.age_estimate_min, data.age_estimate_max, today)
    else:
        person.born_after = person.born_before = None
    person.home_division = data.home_division
    person.dialect_division = data.dialect_division
    person.language = data.language.strip()
    person.height_cm = data.height_cm
    person.marks = sorted({normalise_mark(m) for m in data.marks})
    person.mark_notes = mark_notes_of(data.mark_notes, person.marks)
    person.full_clean()
    person.save()
    if clean is not None:  # a photo is added, never replaced: the earlier ones stay
        photo_store(person, clean, taken_on=today, by=by, source=PersonPhoto.Source.ADDED)
    changes = person_changes_record(
        person,
        before,
        by=by,
        station=last.station if last else None,
        extra={"photo": ["", _("a new photo")]} if clean is not None else None,
        source=_("care note of %(day)s") % {"day": f"{from_note.at:%Y-%m-%d}"}
        if from_note is not None
        else "",
    )
    if changes:
        # Tracing embeds a new face and searches again for the corrected record.
        new_photo = clean is not None
        transaction.on_commit(
            lambda: person_corrected.send(sender=Person, person=person, new_photo=new_photo)
        )
    return changes


@transaction.atomic
def person_identified(
    *, person: Person, name: str, home_division: Division | None, by: User | None, source: str
) -> dict[str, list[str]]:
    """Who the person is, learned from their family at a reunion: a record with no name (or
    one the station gave) takes the family's name, the earlier one kept as another name, and
    a home it lacked. On the person's page with `source`; returns the changes."""
    before = {n: getattr(person, n) for n in ("name", "name_source", "aliases", "home_division")}
    name = name.strip()
    unnamed = not person.name or person.name_source in (
        Person.NameSource.UNKNOWN,
        Person.NameSource.ASSIGNED,
    )
    if name and unnamed and name != person.name:
        if person.name:
            person.aliases = sorted({*person.aliases, person.name})
        person.name, person.name_source = name, Person.NameSource.OTHERS
    elif name and name != person.name:
        person.aliases = sorted({*person.aliases, name})
    if person.home_division is None and home_division is not None:
        person.home_division = home_division
    person.save()
    last = person.stays.order_by("-admitted_at").select_related("station").first()
    return person_changes_record(
        person, before, by=by, station=last.station if last else None, source=source
    )
