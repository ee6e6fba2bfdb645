"""Intake (接收登记): a person arrives, with or without papers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import User
from homeward.cases.idcard import IdNumberError, id_number_facts, parse_id_number
from homeward.cases.models import CONDITIONS, MINOR_AGE, Belonging, Person, PersonPhoto, Stay
from homeward.cases.models.vocabulary import invalid_marks, mark_notes_of, normalise_mark
from homeward.cases.photos import intake_photo_problems
from homeward.cases.services.common import require_case_writer
from homeward.cases.services.photos import photo_store
from homeward.cases.signals import stay_admitted
from homeward.common.clock import day_is_future, is_future
from homeward.common.images import clean_or_errors
from homeward.regions.models import Division
from homeward.stations.models import Station

# Bounds of what the desk can mean: a belonging counted in the thousands is a typing
# slip, and nobody now in a station was found before 1900.
MAX_QUANTITY = 9999
EARLIEST_YEAR = 1900


@dataclass
class IntakeData:
    """What the intake desk records. Person fields first, then the stay's."""

    brought_by: str
    name: str = ""
    name_source: str = Person.NameSource.UNKNOWN
    id_number: str = ""
    sex: str = "U"
    birth_date: date | None = None
    age_estimate_min: int | None = None
    age_estimate_max: int | None = None
    ethnicity: str = ""
    language: str = ""
    dialect_division: Division | None = None
    home_division: Division | None = None
    height_cm: int | None = None
    build: str = ""
    marks: list[str] = field(default_factory=list)
    mark_notes: dict[str, str] = field(default_factory=dict)  # {code: what it looks like}
    conditions: list[str] = field(default_factory=list)
    fingerprints_taken: bool = False
    referring_unit: str = ""
    found_at: datetime | None = None
    # DAY when only the day is known: `found_at` is then `common.clock.moment_of_day(day)`.
    found_precision: str = Stay.FoundPrecision.MINUTE
    found_division: Division | None = None
    found_address: str = ""
    found_latitude: float | None = None
    found_longitude: float | None = None
    health_on_arrival: str = ""
    left_behind_child: bool = False
    child_in_plight: bool = False
    guardian_name: str = ""
    guardian_relation: str = ""
    guardian_phone: str = ""
    belongings: list[tuple[str, int]] = field(default_factory=list)
    # The record this came from in an exchange file ("hwx:…"): a new person keeps it.
    source_ref: str = ""


def _check(data: IntakeData, today: date) -> dict[str, list[str]]:
    """Every problem with the intake, by field, so the form can show them all at once."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.brought_by not in Stay.BroughtBy.values:
        add("brought_by", _("Choose who brought the person."))
    if data.id_number:
        try:
            parsed = parse_id_number(data.id_number, today=today)
        except IdNumberError as exc:
            add("id_number", str(exc.message))
        else:
            if not Division.objects.filter(code=parsed.division_code[:2] + "0000").exists():
                add("id_number", _("The first digits of the ID number are not a Chinese division."))
        # Every mismatch at once, even beside a wrong check character: the clerk corrects
        # them in one go instead of meeting one more on each submit.
        facts = id_number_facts(data.id_number)
        if facts is not None:
            born, sex = facts
            if data.sex != "U" and data.sex != sex:
                add("sex", _("The sex does not match the ID number."))
            if data.birth_date and data.birth_date != born:
                add("birth_date", _("The birth date does not match the ID number."))
    low, high = data.age_estimate_min, data.age_estimate_max
    if (low is None) != (high is None):
        add("age_estimate_max", _("Give both ends of the estimated age, or neither."))
    elif low is not None and high is not None:
        if low > high:
            add("age_estimate_max", _("The estimated age range runs backwards."))
        if high > 120:
            add("age_estimate_max", _("An age above 120 is not plausible."))
    if data.birth_date and data.birth_date > today:
        add("birth_date", _("The birth date is in the future."))
    if data.height_cm is not None and not 40 <= data.height_cm <= 230:
        add("height_cm", _("Height must be between 40 and 230 cm."))
    bad_marks = invalid_marks([normalise_mark(m) for m in data.marks])
    if bad_marks:
        add("marks", _("Unknown marks: %(marks)s") % {"marks": ", ".join(bad_marks)})
    bad_conditions = [c for c in data.conditions if c not in CONDITIONS]
    if bad_conditions:
        add("conditions", _("Unknown conditions: %(c)s") % {"c": ", ".join(bad_conditions)})
    if data.found_latitude is not None and not -90 <= data.found_latitude <= 90:
        add("found_latitude", _("Latitude must be between -90 and 90."))
    if data.found_longitude is not None and not -180 <= data.found_longitude <= 180:
        add("found_longitude", _("Longitude must be between -180 and 180."))
    if data.found_at and data.found_at.year < EARLIEST_YEAR:
        add("found_at", _("The time found is before %(year)d.") % {"year": EARLIEST_YEAR})
    elif data.found_precision not in Stay.FoundPrecision.values:
        add("found_at", _("Say whether the time found is known or only the day."))
    elif data.found_at and data.found_precision == Stay.FoundPrecision.DAY:
        if day_is_future(timezone.localdate(data.found_at), today):
            add("found_at", _("The day found is in the future."))
    elif data.found_at and is_future(data.found_at):
        add("found_at", _("The time found is in the future."))
    for description, quantity in data.belongings:
        if not description.strip() or not 1 <= quantity <= MAX_QUANTITY:
            add(
                "belongings",
                _("Each belonging needs a description and a quantity from 1 to %(n)d.")
                % {"n": MAX_QUANTITY},
            )
            break
    return errors


def person_changes_record(
    person: Person,
    before: dict,
    *,
    by: User | None,
    station: Station | None,
    extra=None,
    source: str = "",
) -> dict[str, list[str]]:
    """Write what changed on `person` since `before` ({field: old value}) to the audit
    trail, before and after, which the person's page shows; returns the changes. `source`
    says where the facts were learned (a care note)."""
    changes = {
        name: [_fact(old), _fact(getattr(person, name))]
        for name, old in before.items()
        if old != getattr(person, name)
    }
    changes |= extra or {}
    if changes:
        audit_record(
            actor=by,
            action="update",
            obj=person,
            station_id=station.pk if station else None,
            detail={
                "changes": changes,
                "at_intake": station.name if station else "",
                **({"source": source} if source else {}),
            },
        )
    return changes


def _fact(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "、".join(str(item) for item in value)
    if isinstance(value, dict):
        return "、".join(f"{key}: {item}" for key, item in sorted(value.items()))
    return str(getattr(value, "pk", value))


def is_minor(person: Person, on: date) -> bool:
    """Under 18 by the birth date, or possibly under 18 by the estimate (we protect first)."""
    age = person.age_on(on)
    return age is not None and age[0] < MINOR_AGE


def _next_number(station: Station, year: int) -> str:
    # Serialised by the lock on the station row taken in intake_admit.
    prefix = f"{station.pk:03d}-{year}-"
    last = (
        Stay.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:05d}"


def _person_learnt(
    person: Person | None, data: IntakeData, today: date
) -> tuple[Person, dict[str, Any]]:
    """The person an intake is about, with what the desk learnt merged in (unsaved), and
    the merged fields as they were before (empty for a new person).

    A new Person, or the known one the desk chose (followed to the record it was merged
    into). A returning person keeps what we knew unless the desk learnt something new, and
    a new name said becomes an alias; marks and conditions add up.
    """
    parsed = parse_id_number(data.id_number, today=today) if data.id_number else None
    if person is None:
        person = Person(source_ref=data.source_ref)
    elif person.merged_into_id:
        person = person.merged_into
    person_fields = {
        "name": data.name.strip(),
        "name_source": data.name_source if data.name.strip() else Person.NameSource.UNKNOWN,
        "id_number": parsed.number if parsed else "",
        "sex": parsed.sex if parsed else data.sex,
        "birth_date": parsed.birth_date if parsed else data.birth_date,
        "ethnicity": data.ethnicity,
        "language": data.language,
        "dialect_division": data.dialect_division,
        "home_division": data.home_division,
        "height_cm": data.height_cm,
        "build": data.build,
        "fingerprints_taken": data.fingerprints_taken,
    }
    said = data.name.strip()
    if person.pk is not None and person.name and said and said != person.name:
        # A returning person who gives another name: keep it as an alias.
        person.aliases = sorted({*person.aliases, said})
        person_fields.pop("name")
        person_fields.pop("name_source")
    before = {name: getattr(person, name) for name in person_fields} if person.pk else {}
    for name, value in person_fields.items():
        # A returning person keeps what we knew unless the desk learnt something new.
        if value not in ("", None, False, "U") or person.pk is None:
            setattr(person, name, value)
    if person.home_division is None and parsed:
        person.home_division = Division.objects.filter(code=parsed.division_code).first()
    person.marks = sorted({*person.marks, *(normalise_mark(m) for m in data.marks)})
    person.mark_notes = {**person.mark_notes, **mark_notes_of(data.mark_notes, person.marks)}
    person.conditions = sorted({*person.conditions, *data.conditions})
    if not person.birth_date and data.age_estimate_min is not None:
        person.set_age_estimate(data.age_estimate_min, data.age_estimate_max, today)
    return person, before


@transaction.atomic
def intake_admit(
    *,
    station: Station,
    data: IntakeData,
    by: User | None,
    person: Person | None = None,
    photo: UploadedFile | None = None,
    photo_face: int | None = None,
    admitted_at: datetime | None = None,
    transferred_from: Stay | None = None,
) -> Stay:
    """Register a person at the station: a new Person, or a new stay of a known one.

    `person` links the stay to an earlier record staff chose at the desk;
    nothing is ever linked automatically. Raises ValidationError naming each
    bad field; on error nothing is written.
    """
    require_case_writer(by, station)
    admitted_at = admitted_at or timezone.now()
    today = timezone.localdate(admitted_at)
    errors = _check(data, today)
    clean = clean_or_errors(photo, errors, "photo")
    if clean is not None:
        problems = intake_photo_problems(ContentFile(clean.data), face_number=photo_face)
        if problems:
            errors["photo"] = problems
    if person is not None and person.stays.filter(status=Stay.Status.IN_STATION).exists():
        errors.setdefault("person", []).append(_("This person is already in a station."))
    if errors:
        raise ValidationError(errors)
    Station.objects.select_for_update().filter(pk=station.pk).first()

    person, before = _person_learnt(person, data, today)
    person.full_clean()
    person.save()
    if clean is not None:
        photo_store(person, clean, taken_on=today, by=by, source=PersonPhoto.Source.INTAKE)
    # Another station's record changed: they see what, when, by whom (person page).
    person_changes_record(person, before, by=by, station=station)

    stay = Stay(
        person=person,
        station=station,
        number=_next_number(station, today.year),
        admitted_at=admitted_at,
        admitted_by=by,
        brought_by=data.brought_by,
        referring_unit=data.referring_unit,
        name_at_intake=data.name.strip(),
        age_estimate_min=data.age_estimate_min,
        age_estimate_max=data.age_estimate_max,
        found_at=data.found_at,
        found_precision=data.found_precision,
        found_division=data.found_division,
        found_address=data.found_address,
        found_latitude=data.found_latitude,
        found_longitude=data.found_longitude,
        health_on_arrival=data.health_on_arrival,
        is_minor=is_minor(person, today),
        left_behind_child=data.left_behind_child,
        child_in_plight=data.child_in_plight,
        guardian_name=data.guardian_name,
        guardian_relation=data.guardian_relation,
        guardian_phone=data.guardian_phone,
        transferred_from=transferred_from,
    )
    stay.full_clean()
    stay.save()
    Belonging.objects.bulk_create(
        [
            Belonging(stay=stay, description=d.strip(), quantity=q, stored_at=admitted_at)
            for d, q in data.belongings
        ]
    )
    audit_record(actor=by, action="create", obj=stay, detail={"person": person.pk})
    transaction.on_commit(lambda: stay_admitted.send(sender=Stay, stay=stay))
    return stay
