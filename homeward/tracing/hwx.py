"""Missing reports in the Homeward exchange format (HWX, JSON Lines; INTERCHANGE.md).

Export writes one `missing` line per report (relatives' DNA included: HWX moves between
stations and the batch matcher, never to the public; contact details are not part of
it). Import registers each good line under a station and reports each bad line by
number and field; the good lines still go in, unknown keys are ignored, and a record
already imported (same id) is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from django.core.exceptions import ValidationError

from homeward.accounts.models import User
from homeward.cases.hwx import ImportReport, record_division
from homeward.cases.models import CONDITIONS
from homeward.cases.models.vocabulary import invalid_marks, normalise_mark
from homeward.matching import hwx
from homeward.matching.hwx import LineError, RecordError, date_precision, parse_date
from homeward.stations.models import Station
from homeward.tracing import matcher
from homeward.tracing.models import MissingReport, Relative
from homeward.tracing.services.interchange import report_import
from homeward.tracing.services.reports import ReportData

PREFIX = "hwx:"


def missing_record(report: MissingReport) -> dict[str, Any]:
    """The HWX `missing` line of a report, under a stable id (its source's, or its UUID)."""
    record = matcher.missing_hwx(report)
    record["id"] = (
        report.source_ref.removeprefix(PREFIX)
        if report.source_ref.startswith(PREFIX)
        else str(report.public_id)
    )
    return record


def export_missing(reports: Iterable[MissingReport], out: IO[str]) -> int:
    count = 0
    for report in reports:
        out.write(json.dumps(missing_record(report), ensure_ascii=False) + "\n")
        count += 1
    return count


def _string_list(record: dict, key: str) -> list[str]:
    value = record.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecordError(key, "must be a list of strings")
    return value


def report_from_missing(
    record: dict[str, Any], *, contact: str, phone: str
) -> tuple[ReportData, list]:
    """ReportData and relatives from one HWX `missing` record; raises RecordError naming the
    field."""
    if record.get("kind") != "missing":
        raise RecordError("kind", 'must be "missing"')
    if not record.get("id"):
        raise RecordError("id", "is required")
    name = record.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RecordError("name", "is required")
    sex = record.get("sex", "U")
    if sex not in ("M", "F", "U"):
        raise RecordError("sex", "must be M, F or U")
    marks = _string_list(record, "marks")
    if invalid_marks([normalise_mark(m) for m in marks]):
        raise RecordError("marks", 'must be a list of "type:place" from the HWX vocabulary')
    conditions = _string_list(record, "conditions")
    if any(c not in CONDITIONS for c in conditions):
        raise RecordError("conditions", "must be a list from the HWX vocabulary")
    height = record.get("height_cm")
    if height is not None and not isinstance(height, int):
        raise RecordError("height_cm", "must be a whole number")
    point = record.get("lost_point")
    if point is not None and (
        not isinstance(point, list)
        or len(point) != 2
        or not all(isinstance(x, (int, float)) for x in point)
    ):
        raise RecordError("lost_point", "must be [latitude, longitude]")
    relatives = []
    for i, relative in enumerate(record.get("relatives") or []):
        if (
            not isinstance(relative, dict)
            or relative.get("relation") not in Relative.Relation.values
        ):
            raise RecordError(
                f"relatives[{i}].relation", "must be a relation from the HWX vocabulary"
            )
        dna = relative.get("dna")
        if dna is not None and not isinstance(dna, dict):
            raise RecordError(f"relatives[{i}].dna", "must be an object of loci")
        relatives.append((relative["relation"], dna or None))
    birth = record.get("birth_date")
    data = ReportData(
        name=name.strip(),
        sex=sex,
        contact_name=contact,
        contact_relation="HWX",
        contact_phone=phone,
        aliases=_string_list(record, "aliases"),
        birth_date=parse_date(birth, "birth_date"),
        birth_precision=date_precision(birth) if birth else "day",
        home_division=record_division(record.get("home_division"), "home_division"),
        lost_date=parse_date(record.get("lost_date"), "lost_date"),
        lost_division=record_division(record.get("lost_division"), "lost_division"),
        lost_point=(float(point[0]), float(point[1])) if point else None,
        height_cm=height,
        marks=marks,
        conditions=conditions,
    )
    return data, relatives


def import_missing(
    lines: Iterable[str], *, station: Station, by: User | None, source: str = "HWX"
) -> ImportReport:
    """Register each good `missing` line under `station` (verified: HWX comes from partner
    stations); the station is the contact until the family's own details are taken."""
    result = ImportReport(errors=[])
    for item in hwx.read(lines, kinds=["missing"]):
        if isinstance(item, LineError):
            result.errors.append(item)
            continue
        number, record = item
        try:
            data, relatives = report_from_missing(
                record, contact=source[:50], phone=station.phone_24h or "-"
            )
            ref = f"{PREFIX}{record['id']}"
            if MissingReport.objects.filter(source_ref=ref).exists():
                result.skipped += 1
                continue
            report_import(data=data, station=station, by=by, source_ref=ref, relatives=relatives)
            result.imported += 1
        except RecordError as exc:
            result.errors.append(LineError(number, exc.field, exc.message))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                result.errors.append(LineError(number, name, " ".join(messages)))
    return result
