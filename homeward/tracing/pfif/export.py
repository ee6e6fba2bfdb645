"""PFIF 1.4 export: each verified report and each public notice is a `person`; tips on those
notices, and reunions, are `note`s; a report closed or a notice withdrawn since it went out
is an expired placeholder (PFIF 1.4 §3.3), so that the systems that copied it delete it.

What never leaves: contact details (the family's, the tipper's), health and conditions,
DNA, ID numbers, the family's free text. A report's description is written from safe
fields only. A report that came from another system keeps its record id, its author and
its source.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from homeward.regions.iso3166 import MUNICIPALITIES, subdivision_code
from homeward.regions.models import Division
from homeward.tracing.models import MissingReport, Notice, Reunion
from homeward.tracing.pfif.ids import NS, PREFIX, domain, notice_record_id, report_record_id

SEX = {"M": "male", "F": "female"}
# Characters XML 1.0 cannot hold (most control characters): dropped from any text.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# City-level names that are no city ("districts under the city", "counties").
NO_CITY = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

PERSON_ORDER = [
    "person_record_id", "entry_date", "expiry_date", "author_name", "source_name",
    "source_date", "source_url", "full_name", "alternate_names", "description", "sex",
    "date_of_birth", "age", "home_neighborhood", "home_city", "home_state", "home_country",
    "photo_url",
]  # fmt: skip
NOTE_ORDER = [
    "note_record_id", "person_record_id", "linked_person_record_id", "entry_date",
    "author_name", "author_made_contact", "source_date", "status", "text",
]  # fmt: skip

ET.register_namespace("pfif", NS)


def stamp(moment: datetime | None) -> str:
    """A PFIF time: UTC, to the second, with a Z."""
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _birth(report: MissingReport) -> str:
    if report.birth_date is None:
        return ""
    return report.birth_date.strftime(
        {"year": "%Y", "month": "%Y-%m"}.get(report.birth_precision, "%Y-%m-%d")
    )


def home_fields(division: Division | None) -> dict[str, str]:
    """home_state as an ISO 3166-2 code (CN-SC), home_city and home_neighborhood as names."""
    if division is None:
        return {}
    chain, node = [], division
    while node is not None:
        chain.append(node)
        node = node.parent
    out = {"home_country": "CN"}
    state = subdivision_code(division.code)
    if state:
        out["home_state"] = state
    for node in chain:
        if node.level == Division.Level.CITY and node.name not in NO_CITY:
            out["home_city"] = node.name
        elif node.level == Division.Level.COUNTY:
            out["home_neighborhood"] = node.name
        elif node.level == Division.Level.PROVINCE and node.code[:2] in MUNICIPALITIES:
            out["home_city"] = node.name
    return out


def _report_person(report: MissingReport, site: str) -> dict[str, str]:
    imported = report.source_ref.startswith(PREFIX)
    origin = report.origin if imported else {}
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
        "person_record_id": report_record_id(report, site),
        "entry_date": stamp(report.updated_at),
        "author_name": origin.get("author_name")
        or (report.station.name if report.station and not imported else ""),
        "source_name": origin.get("source_name") or ("" if imported else "Homeward"),
        "source_date": origin.get("source_date") or stamp(report.created_at),
        "source_url": origin.get("source_url", ""),
        "full_name": report.name,
        "alternate_names": "\n".join(report.aliases),
        "sex": SEX.get(report.sex, ""),
        "date_of_birth": _birth(report),
        # An imported report's text came from a public system; a family's own never leaves.
        "description": report.description if imported else "; ".join(facts),
    }
    return fields | home_fields(report.home_division)


def _notice_person(notice: Notice, site: str) -> dict[str, str]:
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
        "person_record_id": notice_record_id(notice, site),
        "entry_date": stamp(notice.refreshed_at or notice.published_at),
        "author_name": notice.station_name,
        "source_name": "Homeward",
        "source_date": stamp(notice.published_at),
        "source_url": base + reverse("portal:notice", args=[notice.public_id]),
        "full_name": notice.name_said or "?",
        "sex": SEX.get(notice.sex, ""),
        "age": age,
        "description": "; ".join(facts),
        "photo_url": (
            base + reverse("portal:notice-photo", args=[notice.public_id]) if notice.photo else ""
        ),
    }


def _placeholder(record_id: str, expired_at: datetime) -> dict[str, str]:
    """What an expired record may still say: its id and when it expired (PFIF 1.4 §3.3)."""
    moment = stamp(expired_at)
    return {
        "person_record_id": record_id,
        "entry_date": moment,
        "expiry_date": moment,
        "source_date": moment,
        "full_name": "",  # required, and empty: no personal data is left
    }


def _element(parent: ET.Element, tag: str, fields: dict[str, str], order: list[str]) -> None:
    node = ET.SubElement(parent, f"{{{NS}}}{tag}")
    for name in order:
        if name in fields and (fields[name] or name == "full_name"):
            ET.SubElement(node, f"{{{NS}}}{name}").text = NOT_XML.sub("", fields[name])


def _reunion_notes(
    reports: list[MissingReport], in_file: set[str], site: str
) -> list[dict[str, str]]:
    """A note on each reunited report; when the found person's notice is in the same file,
    the two records link to each other (PFIF 1.4 §4.2, linked_person_record_id)."""
    notes = []
    reunions = Reunion.objects.filter(
        candidate__report__in=reports, completed_at__isnull=False
    ).select_related("candidate__report", "stay__station", "stay__notice")
    for reunion in reunions:
        notice = getattr(reunion.stay, "notice", None)
        found_id = notice_record_id(notice, site) if notice else ""
        found_id = found_id if found_id in in_file else ""
        report_id = report_record_id(reunion.candidate.report, site)
        day = timezone.localdate(reunion.completed_at).isoformat()
        common = {
            "entry_date": stamp(reunion.completed_at),
            "author_name": reunion.stay.station.name,
            "source_date": stamp(reunion.completed_at),
            "author_made_contact": "true",
            "status": "believed_alive",
            "text": f"Reunited with family on {day}.",
        }
        notes.append(
            common
            | {
                "note_record_id": f"{site}/reunion.{reunion.pk}",
                "person_record_id": report_id,
                "linked_person_record_id": found_id,
            }
        )
        if found_id:
            notes.append(
                common
                | {
                    "note_record_id": f"{site}/reunion.{reunion.pk}.found",
                    "person_record_id": found_id,
                    "linked_person_record_id": report_id,
                    "text": f"Reunited with family on {day}: the same person as {report_id}.",
                }
            )
    return notes


def export_pfif(
    reports: Iterable[MissingReport],
    notices: Iterable[Notice],
    *,
    closed: Iterable[MissingReport] = (),
    withdrawn: Iterable[Notice] = (),
) -> bytes:
    """One PFIF 1.4 document of the given reports and notices, with their notes, and an
    expired placeholder for each closed report and withdrawn notice. Raises
    PfifDomainError when this site has no domain name for the record ids."""
    site = domain()
    root = ET.Element(f"{{{NS}}}pfif")
    report_list, notice_list = list(reports), list(notices)
    in_file: set[str] = set()
    notes: list[dict[str, str]] = []
    for report in report_list:
        person = _report_person(report, site)
        in_file.add(person["person_record_id"])
        _element(root, "person", person, PERSON_ORDER)
    for notice in notice_list:
        person = _notice_person(notice, site)
        in_file.add(person["person_record_id"])
        _element(root, "person", person, PERSON_ORDER)
        for tip in notice.tips.all():
            notes.append(
                {
                    "note_record_id": f"{site}/tip.{tip.pk}",
                    "person_record_id": person["person_record_id"],
                    "entry_date": stamp(tip.created_at),
                    "author_name": "anonymous",  # the tipper's contact stays with the station
                    "source_date": stamp(tip.created_at),
                    "author_made_contact": "false",
                    "text": tip.message,
                }
            )
    for report in closed:
        _element(
            root,
            "person",
            _placeholder(report_record_id(report, site), report.updated_at),
            PERSON_ORDER,
        )
    for notice in withdrawn:
        _element(
            root,
            "person",
            _placeholder(notice_record_id(notice, site), notice.withdrawn_at),
            PERSON_ORDER,
        )
    notes.extend(_reunion_notes(report_list, in_file, site))
    for note in notes:
        _element(root, "note", note, NOTE_ORDER)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def public_reports():
    """The reports a PFIF export holds: verified or reunited."""
    return MissingReport.objects.filter(
        status__in=[MissingReport.Status.VERIFIED, MissingReport.Status.REUNITED],
        erased_at__isnull=True,
    ).select_related("station", "home_division__parent__parent", "lost_division")


def closed_reports():
    """Our own reports that went out once (they were verified) and are closed since. A copy
    of another system's record is never expired by us: only its home repository may."""
    closed = Q(status=MissingReport.Status.CLOSED) | Q(erased_at__isnull=False)
    return MissingReport.objects.filter(closed, verified_at__isnull=False).exclude(
        source_ref__startswith=PREFIX
    )


def withdrawn_notices():
    """Notices that were public once and are withdrawn since."""
    return Notice.objects.filter(published_at__isnull=False, withdrawn_at__isnull=False)
