"""PFIF import: versions 1.1 to 1.4.

A `person` becomes a missing report awaiting verification (PFIF comes from public systems),
with the author and source it came with; one whose record id was imported before is
skipped, and one that has expired at its source closes our copy. Persons that are our own
records or another system's found-person notices are not missing reports and are skipped.
A `note` about one of our notices becomes a tip; about an imported report, a line of its
description. A file of another format, or of no PFIF version, is refused with one line
saying so, never read as empty.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.core.exceptions import ValidationError
from django.db.models import Q

from homeward.accounts.models import User
from homeward.matching.hwx import RecordError, date_precision, parse_date
from homeward.regions.iso3166 import province_code
from homeward.regions.models import Division
from homeward.regions.selectors import divisions_by_name
from homeward.stations.models import Station
from homeward.tracing.models import MissingReport, Notice, Tip
from homeward.tracing.pfif.ids import PREFIX, RECORD_ID, VERSIONS, own_prefix
from homeward.tracing.pfif.rules import URL, well_formed
from homeward.tracing.services.interchange import (
    report_import,
    report_note_add,
    report_source_expired,
)
from homeward.tracing.services.notices import tip_leave
from homeward.tracing.services.reports import ReportData

SEX_BACK = {"male": "M", "female": "F"}
PFIF_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")
ORIGIN = ("author_name", "source_name", "source_date", "source_url")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class PfifDocumentError(ValueError):
    """The whole file cannot be read as PFIF: one line saying why."""


@dataclass
class PfifDocument:
    version: str
    persons: list[dict[str, str]]
    notes: list[dict[str, str]]


def parse_pfif(data: bytes | str) -> PfifDocument:
    """Persons and notes of a PFIF 1.1–1.4 document as plain dicts; notes nested in a person
    are lifted out and given its record id. Raises PfifDocumentError."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except ET.ParseError as exc:
        raise PfifDocumentError(f"not PFIF XML ({exc})") from None
    except DefusedXmlException:
        raise PfifDocumentError("not PFIF XML (it declares a DTD or entities)") from None
    namespace, _, tag = (
        root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    )
    version = VERSIONS.get(namespace)
    if version is None or tag != "pfif":
        raise PfifDocumentError(
            f"not a PFIF document: its root is {tag!r} in namespace {namespace or 'none'!r}; "
            "PFIF 1.1 to 1.4 (http://zesty.ca/pfif/1.N) are read"
        )
    person_tag, note_tag = f"{{{namespace}}}person", f"{{{namespace}}}note"

    def fields(node: ET.Element) -> dict[str, str]:
        return {
            child.tag.removeprefix(f"{{{namespace}}}"): (child.text or "").strip()
            for child in node
            if child.tag != note_tag
        }

    persons, notes = [], []
    for node in root.findall(person_tag):
        person = fields(node)
        persons.append(person)
        for nested in node.findall(note_tag):
            notes.append({"person_record_id": person.get("person_record_id", "")} | fields(nested))
    notes.extend(fields(node) for node in root.findall(note_tag))
    return PfifDocument(version, persons, notes)


def full_name(person: dict[str, str]) -> str:
    """PFIF 1.3+ full_name, or the 1.1/1.2 first and last names: family name first without
    a space when written in Chinese characters, else "first last"."""
    if person.get("full_name"):
        return person["full_name"]
    first, last = person.get("first_name", ""), person.get("last_name", "")
    if CJK.search(first + last):
        return f"{last}{first}"
    return f"{first} {last}".strip()


def _division_from(person: dict[str, str]) -> Division | None:
    state = person.get("home_state", "")
    # "CN-SC"; bare letters only when the country is China (in PFIF 1.1 "SC" is a US state).
    chinese = state.upper().startswith("CN-") or person.get("home_country", "").upper() == "CN"
    code = province_code(state) if state and chinese else None
    if code:
        province = Division.objects.filter(code=code).first()
        state = province.name if province else ""
    names = [person.get("home_neighborhood"), person.get("home_city"), state]
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
    version: str = ""
    imported: int = 0
    skipped: int = 0
    expired: int = 0
    notes: int = 0
    errors: list[str] = field(default_factory=list)


def _report_data(person: dict[str, str], contact: str, phone: str) -> ReportData:
    name = full_name(person)
    if not name:
        raise RecordError("full_name", "is required")
    birth = person.get("date_of_birth") or ""
    born: date | None = parse_date(birth or None, "date_of_birth")
    return ReportData(
        name=name[:50],
        sex=SEX_BACK.get(person.get("sex", ""), "U"),
        contact_name=contact,
        contact_relation="PFIF",
        contact_phone=phone,
        aliases=[a for a in person.get("alternate_names", "").split("\n") if a.strip()],
        birth_date=born,
        birth_precision=date_precision(birth) if birth else "day",
        home_division=_division_from(person),
        # PFIF 1.1 and 1.2 keep the free text in `other` (`description` since 1.3).
        description=(person.get("description") or person.get("other", ""))[:2000],
    )


def _origin(person: dict[str, str]) -> dict[str, str]:
    """Who wrote the record and where it came from, as the file says (a malformed time or
    address is left out rather than passed on)."""
    origin = {key: person[key][:200] for key in ORIGIN if person.get(key)}
    if not PFIF_TIME.fullmatch(origin.get("source_date", "")):
        origin.pop("source_date", None)
    if not well_formed(origin.get("source_url", ""), URL):
        origin.pop("source_url", None)
    return origin


def _expired(person: dict[str, str], now: datetime) -> bool:
    moment = person.get("expiry_date", "")
    if not PFIF_TIME.fullmatch(moment):
        return False
    return datetime.strptime(moment[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC) <= now


def import_pfif(
    data: bytes | str,
    *,
    station: Station,
    by: User | None,
    source: str = "PFIF",
    now: datetime | None = None,
) -> PfifImport:
    """Import persons as reports awaiting verification, and notes as tips or report notes."""
    result = PfifImport()
    now = now or datetime.now(UTC)
    try:
        document = parse_pfif(data)
    except PfifDocumentError as exc:
        result.errors.append(f"document: {exc}")
        return result
    result.version = document.version
    ours = own_prefix()
    for index, person in enumerate(document.persons, start=1):
        record_id = person.get("person_record_id", "")
        where = f"person {index} ({record_id or '?'})"
        if not record_id:
            result.errors.append(f"{where}: person_record_id: is required")
            continue
        if not RECORD_ID.fullmatch(record_id) or len(record_id) > 95:
            result.errors.append(
                f"{where}: person_record_id: must be a domain name, a slash and an id"
            )
            continue
        local = record_id.split("/", 1)[-1]
        if (ours and record_id.startswith(ours)) or local.startswith("notice."):
            result.skipped += 1  # our own record, or a found person's notice
            continue
        copy = MissingReport.objects.filter(source_ref=PREFIX + record_id).first()
        if _expired(person, now):
            # Only the station that took the copy in lets its source expire it.
            ours_to_expire = copy is not None and copy.station_id == station.pk
            if ours_to_expire and report_source_expired(report=copy, by=by):
                result.expired += 1
            else:
                result.skipped += 1
            continue
        if copy is not None:
            result.skipped += 1
            continue
        try:
            report_import(
                data=_report_data(person, source[:50], station.phone_24h or "-"),
                station=station,
                by=by,
                source_ref=PREFIX + record_id,
                verified=False,
                origin=_origin(person),
            )
            result.imported += 1
        except RecordError as exc:
            result.errors.append(f"{where}: {exc.field}: {exc.message}")
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                result.errors.append(f"{where}: {name}: {' '.join(messages)}")
    for index, note in enumerate(document.notes, start=1):
        result.notes += _import_note(note, index, ours, result)
    return result


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _import_note(note: dict[str, str], index: int, ours: str | None, result: PfifImport) -> int:
    person_id = note.get("person_record_id", "")
    text = note.get("text", "").strip()
    where = f"note {index} ({note.get('note_record_id') or '?'})"
    if not text:
        result.errors.append(f"{where}: text: is required")
        return 0
    if ours and person_id.startswith(ours + "notice."):
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
    if person_id.split("/", 1)[-1].startswith("notice."):
        return 0  # about another system's found person: not a record we keep
    own = ours and person_id.startswith(ours + "report.")
    key = _uuid(person_id.removeprefix(ours + "report.")) if own else None
    condition = Q(source_ref=PREFIX + person_id) | (Q(public_id=key) if key else Q(pk__in=[]))
    report = MissingReport.objects.filter(condition).first()
    if report is None:
        result.errors.append(f"{where}: person_record_id: no such person here")
        return 0
    if report.status == MissingReport.Status.CLOSED:
        return 0  # expired or withdrawn: nothing more is added to it
    stamp = (note.get("source_date") or note.get("entry_date") or "")[:10]
    line = f"[{stamp} {note.get('author_name', '')}] {text}"
    return int(report_note_add(report=report, note=line[:1000]))
