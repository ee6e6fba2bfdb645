"""Found persons in the Homeward exchange format (HWX, JSON Lines; docs/interchange.md).

A found person is someone helped by a station whose identity is not confirmed.
Export writes one line per person (their latest stay); import registers each
good line as an intake at a station and reports each bad line by number and field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from homeward.accounts.models import User
from homeward.cases.models import CONDITIONS, Person, Stay
from homeward.cases.models.vocabulary import invalid_marks, normalise_mark
from homeward.cases.services import IntakeData, intake_admit
from homeward.common.clock import moment_of_day
from homeward.matching import hwx
from homeward.matching.hwx import LineError, RecordError, parse_date
from homeward.regions.selectors import division_get
from homeward.stations.models import Station


def _hwx_date(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = timezone.localdate(value)
    return value.isoformat()


def found_record(stay: Stay) -> dict[str, Any]:
    """One HWX `found` record for the person of `stay`, as known at that stay."""
    person = stay.person
    today = timezone.localdate()
    age = person.age_on(today)
    record: dict[str, Any] = {
        "kind": "found",
        "id": person.source_ref.removeprefix("hwx:")
        if person.source_ref
        else str(person.public_id),
        "sex": person.sex,
        "age_estimate": list(age) if age else None,
        "name": person.name or None,
        "aliases": person.aliases or None,
        "dialect_division": person.dialect_division_id,
        "found_date": _hwx_date(stay.found_at or stay.admitted_at),
        "found_division": stay.found_division_id,
        "found_point": (
            [stay.found_latitude, stay.found_longitude]
            if stay.found_latitude is not None and stay.found_longitude is not None
            else None
        ),
        "height_cm": person.height_cm,
        "marks": person.marks,
        "conditions": person.conditions,
        "station": stay.station.name,
    }
    return {key: value for key, value in record.items() if value is not None}


def export_found(stays: Iterable[Stay], out: IO[str]) -> int:
    """Write the found persons of `stays` (latest stay per person) as HWX lines."""
    seen: set[int] = set()
    count = 0
    for stay in stays:
        if stay.person_id in seen:
            continue
        seen.add(stay.person_id)
        out.write(json.dumps(found_record(stay), ensure_ascii=False) + "\n")
        count += 1
    return count


def record_division(value: Any, field: str):
    if value in (None, ""):
        return None
    division = division_get(str(value))
    if division is None:
        raise RecordError(field, f"{value!r} is not a GB/T 2260 division code")
    return division


def intake_from_found(record: dict[str, Any]) -> IntakeData:
    """IntakeData from one HWX `found` record; raises RecordError naming the field."""
    if record.get("kind") != "found":
        raise RecordError("kind", 'must be "found"')
    if not record.get("id"):
        raise RecordError("id", "is required")
    sex = record.get("sex", "U")
    if sex not in ("M", "F", "U"):
        raise RecordError("sex", "must be M, F or U")
    age = record.get("age_estimate")
    low = high = None
    if age is not None:
        if (
            not isinstance(age, list)
            or len(age) != 2
            or not all(isinstance(a, int) and 0 <= a <= 120 for a in age)
            or age[0] > age[1]
        ):
            raise RecordError(
                "age_estimate", "must be [youngest, oldest] whole years, youngest first"
            )
        low, high = age
    point = record.get("found_point")
    lat = lon = None
    if point is not None:
        if (
            not isinstance(point, list)
            or len(point) != 2
            or not all(isinstance(x, (int, float)) for x in point)
        ):
            raise RecordError("found_point", "must be [latitude, longitude]")
        lat, lon = float(point[0]), float(point[1])
    marks = record.get("marks") or []
    if not isinstance(marks, list) or invalid_marks([normalise_mark(str(m)) for m in marks]):
        raise RecordError("marks", 'must be a list of "type:place" from the HWX vocabulary')
    conditions = record.get("conditions") or []
    if not isinstance(conditions, list) or any(c not in CONDITIONS for c in conditions):
        raise RecordError("conditions", "must be a list from the HWX vocabulary")
    height = record.get("height_cm")
    if height is not None and not isinstance(height, int):
        raise RecordError("height_cm", "must be a whole number")
    found = parse_date(record.get("found_date"), "found_date")
    name = record.get("name") or ""
    return IntakeData(
        brought_by=Stay.BroughtBy.OTHER,
        referring_unit="HWX",
        name=str(name),
        name_source=Person.NameSource.SAID if name else Person.NameSource.UNKNOWN,
        sex=sex,
        age_estimate_min=low,
        age_estimate_max=high,
        dialect_division=record_division(record.get("dialect_division"), "dialect_division"),
        found_division=record_division(record.get("found_division"), "found_division"),
        # HWX carries the day only: keep it as a day (never "later than now" on its own day).
        found_at=moment_of_day(found) if found else None,
        found_precision=Stay.FoundPrecision.DAY,
        found_latitude=lat,
        found_longitude=lon,
        height_cm=height,
        marks=[normalise_mark(str(m)) for m in marks],
        conditions=list(conditions),
    )


@dataclass
class ImportReport:
    imported: int = 0
    skipped: int = 0
    errors: list[LineError] | None = None


def import_found(lines: Iterable[str], *, station: Station, by: User | None) -> ImportReport:
    """Register each good `found` line at `station`; bad lines are reported, never fatal.

    Each line goes in its own transaction, so a bad line leaves the good ones in.
    A record already imported (same id) is skipped.
    """
    report = ImportReport(errors=[])
    for item in hwx.read(lines, kinds=["found"]):
        if isinstance(item, LineError):
            report.errors.append(item)
            continue
        number, record = item
        try:
            ref = f"hwx:{record.get('id')}"
            data = replace(intake_from_found(record), source_ref=ref)
            if Person.objects.filter(source_ref=ref).exists():
                report.skipped += 1
                continue
            try:
                with transaction.atomic():
                    intake_admit(station=station, data=data, by=by)
            except (IntegrityError, ValidationError):
                if not Person.objects.filter(source_ref=ref).exists():
                    raise
                report.skipped += 1  # the same record, imported by another run meanwhile
                continue
            report.imported += 1
        except RecordError as exc:
            report.errors.append(LineError(number, exc.field, exc.message))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                report.errors.append(LineError(number, field, " ".join(messages)))
    return report
