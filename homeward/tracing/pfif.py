"""People Finder Interchange Format (PFIF 1.4) export and import of person and note records.

Export: each verified report and each public notice is a `person`; tips on those notices,
and reunions, are `note`s. What may never leave: contact details (the family's, the
tipper's), health and conditions, DNA, ID numbers, the family's free text. A report's
description is written from safe fields only.

Import: a `person` becomes a missing report awaiting verification (PFIF comes from public
systems), skipped if its record id was imported before; persons that are our own notices
or another system's found-person notices are not missing reports and are skipped. A
`note` about one of our notices becomes a tip; about an imported report, a line of its
description.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from homeward.accounts.models import User
from homeward.matching.hwx import RecordError, parse_date
from homeward.regions.models import Division
from homeward.regions.selectors import divisions_by_name
from homeward.stations.models import Station
from homeward.tracing.models import MissingReport, Notice, Reunion, Tip
from homeward.tracing.services.interchange import report_import, report_note_add
from homeward.tracing.services.notices import tip_leave
from homeward.tracing.services.reports import ReportData

NS = "http://zesty.ca/pfif/1.4"
PREFIX = "pfif:"
SEX = {"M": "male", "F": "female"}
SEX_BACK = {"male": "M", "female": "F"}

ET.register_namespace("pfif", NS)


def domain() -> str:
    return getattr(settings, "PFIF_DOMAIN", "") or urlparse(settings.PUBLIC_URL).hostname or "x"


def report_record_id(report: MissingReport) -> str:
    if report.source_ref.startswith(PREFIX):
        return report.source_ref.removeprefix(PREFIX)
    return f"{domain()}/report.{report.public_id}"


def notice_record_id(notice: Notice) -> str:
    return f"{domain()}/notice.{notice.public_id}"


def _stamp(moment: datetime | None) -> str:
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _birth(report: MissingReport) -> str | None:
    if report.birth_date is None:
        return None
    return {"year": "%Y", "month": "%Y-%m"}.get(report.birth_precision, "%Y-%m-%d")


def _home(division: Division | None) -> dict[str, str]:
    """home_state / home_city / home_neighborhood from a division and its parents."""
    out: dict[str, str] = {}
    node = division
    while node is not None:
        key = {"province": "home_state", "city": "home_city"}.get(node.level, "home_neighborhood")
        out[key] = node.name
        node = node.parent
    if out:
        out["home_country"] = "CN"
    return out


def _report_person(report: MissingReport) -> dict[str, str]:
    facts = []
    if report.lost_date:
        facts.append(f"lost {report.lost_date.isoformat()}")
    if report.lost_division:
        facts.append(f"in {report.lost_division.name} {report.lost_address}".strip())
    if report.height_cm:
        facts.append(f"{report.height_cm} cm")
    if report.marks:
        facts.append("marks: " + ", ".join(report.marks))
    fields = {
        "person_record_id": report_record_id(report),
        "entry_date": _stamp(report.updated_at),
        "author_name": report.station.name if report.station else "Homeward",
        "source_name": "Homeward",
        "source_date": _stamp(report.created_at),
        "full_name": report.name,
        "alternate_names": "\n".join(report.aliases),
        "sex": SEX.get(report.sex, ""),
        "date_of_birth": report.birth_date.strftime(_birth(report)) if report.birth_date else "",
        # An imported report's text came from a public system; a family's own never leaves.
        "description": report.description
        if report.source_ref.startswith(PREFIX)
        else "; ".join(facts),
    }
    return fields | _home(report.home_division)


def _notice_person(notice: Notice) -> dict[str, str]:
    base = settings.PUBLIC_URL.rstrip("/")
    facts = [f"found {notice.found_on.isoformat()}" if notice.found_on else "found"]
    facts.append(f"in {notice.found_division or ''} {notice.found_place}".strip())
    if notice.height_cm:
        facts.append(f"{notice.height_cm} cm")
    if notice.marks:
        facts.append("marks: " + ", ".join(notice.marks))
    facts.append(f"{notice.station_name} {notice.station_phone}")  # the station, not a family
    age = f"{notice.age_low}-{notice.age_high}" if notice.age_low is not None else ""
    return {
        "person_record_id": notice_record_id(notice),
        "entry_date": _stamp(notice.refreshed_at or notice.published_at),
        "author_name": notice.station_name,
        "source_name": "Homeward",
        "source_date": _stamp(notice.published_at),
        "source_url": base + reverse("portal:notice", args=[notice.public_id]),
        "full_name": notice.name_said or "?",
        "sex": SEX.get(notice.sex, ""),
        "age": age,
        "description": "; ".join(facts),
        "photo_url": (
            base + reverse("portal:notice-photo", args=[notice.public_id]) if notice.photo else ""
        ),
    }


PERSON_ORDER = [
    "person_record_id", "entry_date", "author_name", "source_name", "source_date",
    "source_url", "full_name", "alternate_names", "description", "sex", "date_of_birth",
    "age", "home_neighborhood", "home_city", "home_state", "home_country", "photo_url",
]  # fmt: skip
NOTE_ORDER = [
    "note_record_id", "person_record_id", "linked_person_record_id", "entry_date",
    "author_name", "author_made_contact", "source_date", "status", "text",
]  # fmt: skip


def _element(parent: ET.Element, tag: str, fields: dict[str, str], order: list[str]) -> None:
    node = ET.SubElement(parent, f"{{{NS}}}{tag}")
    for name in order:
        if fields.get(name):
            ET.SubElement(node, f"{{{NS}}}{name}").text = fields[name]


def export_pfif(reports: Iterable[MissingReport], notices: Iterable[Notice]) -> bytes:
    """One PFIF 1.4 document of the given reports and notices, with their notes."""
    root = ET.Element(f"{{{NS}}}pfif")
    notes: list[dict[str, str]] = []
    report_list = list(reports)
    for report in report_list:
        _element(root, "person", _report_person(report), PERSON_ORDER)
    for notice in notices:
        _element(root, "person", _notice_person(notice), PERSON_ORDER)
        for tip in notice.tips.all():
            notes.append(
                {
                    "note_record_id": f"{domain()}/tip.{tip.pk}",
                    "person_record_id": notice_record_id(notice),
                    "entry_date": _stamp(tip.created_at),
                    "author_name": "anonymous",  # the tipper's contact stays with the station
                    "source_date": _stamp(tip.created_at),
                    "author_made_contact": "false",
                    "text": tip.message,
                }
            )
    reunions = Reunion.objects.filter(
        candidate__report__in=report_list, completed_at__isnull=False
    ).select_related("candidate__report", "stay__notice")
    for reunion in reunions:
        notice = getattr(reunion.stay, "notice", None)
        reunited_on = timezone.localdate(reunion.completed_at)
        notes.append(
            {
                "note_record_id": f"{domain()}/reunion.{reunion.pk}",
                "person_record_id": report_record_id(reunion.candidate.report),
                "linked_person_record_id": notice_record_id(notice) if notice else "",
                "entry_date": _stamp(reunion.completed_at),
                "author_name": reunion.stay.station.name,
                "source_date": _stamp(reunion.completed_at),
                "author_made_contact": "true",
                "status": "believed_alive",
                "text": f"Reunited with family on {reunited_on.isoformat()}.",
            }
        )
    for note in notes:
        _element(root, "note", note, NOTE_ORDER)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def public_reports():
    """What a PFIF export holds: verified or reunited reports."""
    return MissingReport.objects.filter(
        status__in=[MissingReport.Status.VERIFIED, MissingReport.Status.REUNITED]
    ).select_related("station", "home_division__parent__parent", "lost_division")


def parse_pfif(data: bytes | str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Persons and notes of a PFIF 1.4 document as plain dicts (notes nested in a person
    are lifted out and given its record id)."""
    root = ET.fromstring(data)
    persons, notes = [], []

    def fields(node: ET.Element) -> dict[str, str]:
        return {
            child.tag.removeprefix(f"{{{NS}}}"): (child.text or "").strip()
            for child in node
            if child.tag != f"{{{NS}}}note"
        }

    for node in root.findall(f"{{{NS}}}person"):
        person = fields(node)
        persons.append(person)
        for nested in node.findall(f"{{{NS}}}note"):
            notes.append({"person_record_id": person.get("person_record_id", "")} | fields(nested))
    notes.extend(fields(node) for node in root.findall(f"{{{NS}}}note"))
    return persons, notes


def _division_from(person: dict[str, str]) -> Division | None:
    names = [person.get(k) for k in ("home_neighborhood", "home_city", "home_state")]
    names = [n for n in names if n]
    if not names:
        return None
    matches = list(divisions_by_name(names[0])[:20])
    for outer in names[1:]:
        inside = [m for m in matches if outer in {a.name for a in _ancestors(m)}]
        matches = inside or matches
    return matches[0] if len(matches) == 1 or len(names) > 1 and matches else None


def _ancestors(division: Division) -> list[Division]:
    out, node = [], division.parent
    while node is not None:
        out.append(node)
        node = node.parent
    return out


@dataclass
class PfifImport:
    imported: int = 0
    skipped: int = 0
    notes: int = 0
    errors: list[str] = field(default_factory=list)


def _report_data(person: dict[str, str], contact: str, phone: str) -> ReportData:
    if not person.get("full_name"):
        raise RecordError("full_name", "is required")
    birth = person.get("date_of_birth") or ""
    born: date | None = parse_date(birth or None, "date_of_birth")
    return ReportData(
        name=person["full_name"][:50],
        sex=SEX_BACK.get(person.get("sex", ""), "U"),
        contact_name=contact,
        contact_relation="PFIF",
        contact_phone=phone,
        aliases=[a for a in person.get("alternate_names", "").split("\n") if a.strip()],
        birth_date=born,
        birth_precision={1: "year", 2: "month"}.get(len(birth.split("-")), "day"),
        home_division=_division_from(person),
        description=person.get("description", "")[:2000],
    )


def import_pfif(
    data: bytes | str, *, station: Station, by: User | None, source: str = "PFIF"
) -> PfifImport:
    """Import persons as reports awaiting verification, and notes as tips or report notes."""
    result = PfifImport()
    try:
        persons, notes = parse_pfif(data)
    except ET.ParseError as exc:
        result.errors.append(f"document: not PFIF XML ({exc})")
        return result
    ours = f"{domain()}/"
    for index, person in enumerate(persons, start=1):
        record_id = person.get("person_record_id", "")
        where = f"person {index} ({record_id or '?'})"
        if not record_id:
            result.errors.append(f"{where}: person_record_id: is required")
            continue
        local = record_id.split("/", 1)[-1]
        if record_id.startswith(ours) or local.startswith("notice."):
            result.skipped += 1  # our own record, or a found person's notice
            continue
        if MissingReport.objects.filter(source_ref=PREFIX + record_id).exists():
            result.skipped += 1
            continue
        try:
            report_import(
                data=_report_data(person, source[:50], station.phone_24h or "-"),
                station=station,
                by=by,
                source_ref=PREFIX + record_id,
                verified=False,
            )
            result.imported += 1
        except RecordError as exc:
            result.errors.append(f"{where}: {exc.field}: {exc.message}")
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                result.errors.append(f"{where}: {name}: {' '.join(messages)}")
    for index, note in enumerate(notes, start=1):
        result.notes += _import_note(note, index, ours, result)
    return result


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _import_note(note: dict[str, str], index: int, ours: str, result: PfifImport) -> int:
    person_id = note.get("person_record_id", "")
    text = note.get("text", "").strip()
    where = f"note {index} ({note.get('note_record_id') or '?'})"
    if not text:
        result.errors.append(f"{where}: text: is required")
        return 0
    if person_id.startswith(ours + "notice."):
        key = _uuid(person_id.removeprefix(ours + "notice."))
        notice = Notice.objects.filter(public_id=key).first() if key else None
        if notice is None:
            result.errors.append(f"{where}: person_record_id: no such notice")
            return 0
        if Tip.objects.filter(notice=notice, message=text[:2000]).exists():
            return 0
        contact = note.get("author_email") or note.get("author_phone") or ""
        try:
            tip_leave(
                notice=notice,
                message=text,
                contact=contact or f"PFIF {note.get('author_name', '')}",
            )
        except ValidationError as exc:
            result.errors.append(f"{where}: {'; '.join(exc.messages)}")
            return 0
        return 1
    key = _uuid(person_id.removeprefix(ours + "report.")) if person_id.startswith(ours) else None
    condition = Q(source_ref=PREFIX + person_id) | (Q(public_id=key) if key else Q(pk__in=[]))
    report = MissingReport.objects.filter(condition).first()
    if report is None:
        result.errors.append(f"{where}: person_record_id: no such person here")
        return 0
    stamp = (note.get("source_date") or note.get("entry_date") or "")[:10]
    line = f"[{stamp} {note.get('author_name', '')}] {text}"
    return int(report_note_add(report=report, note=line[:1000]))
