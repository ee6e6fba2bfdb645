"""The rules a PFIF 1.4 document must keep, checked in our own code.

They follow the PFIF 1.4 specification (zesty.ca/pfif/1.4) and the checks that Google
Person Finder's validator (`tools/pfif-tools/app/pfif_validator.py`) applies:

- the root is `pfif:pfif` in the 1.4 namespace and holds persons or notes, nothing else;
- required fields: a person's `person_record_id`, `source_date` and `full_name`; a note's
  `note_record_id`, `author_name`, `source_date` and `text`, plus `person_record_id` at the
  top level, where a nested note's must be its person's;
- no field outside the 1.4 data model, none twice;
- formats: record ids `domain/local` with a domain whose labels start with a letter, times
  `YYYY-MM-DDThh:mm:ssZ`, `sex`, `date_of_birth`, `age`, ISO 3166-2 `home_state`,
  ISO 3166-1 `home_country`, http(s) URLs, booleans and note statuses;
- record ids unique among persons and among notes;
- a `linked_person_record_id` is answered by a note on the other record linking back;
- an expired record keeps only its id and times, its source and entry times are those of
  its placeholder (made within a day of expiry), and its notes say nothing.

Where the validator's plain-text pattern (`^.*$`) refuses a line break, we follow the
specification, whose `alternate_names`, `description` and `text` hold several lines.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

NS = "http://zesty.ca/pfif/1.4"
_LABEL = r"[a-zA-Z](?:[-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?"
RECORD_ID = rf"(?:{_LABEL}\.)*{_LABEL}\.?/.+"
TIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z"
PHONE = r"(?:[-.+() ]*\d[-.+() ]*)+(?:[#x]\d+)?"
URL, URLS, TEXT = "url", "urls", None

PERSON = {
    "person_record_id": RECORD_ID, "entry_date": TIME, "expiry_date": TIME,
    "author_name": TEXT, "author_email": r".+@.+", "author_phone": PHONE,
    "source_name": TEXT, "source_date": TIME, "source_url": URL,
    "full_name": TEXT, "given_name": TEXT, "family_name": TEXT, "alternate_names": TEXT,
    "description": TEXT, "sex": r"male|female|other",
    "date_of_birth": r"\d{4}(?:-\d{2}(?:-\d{2})?)?", "age": r"\d+(?:-\d+)?",
    "home_street": TEXT, "home_neighborhood": TEXT, "home_city": TEXT,
    "home_state": r"(?:[A-Z]{2}-)?[A-Z0-9]{1,3}", "home_postal_code": TEXT,
    "home_country": r"[A-Z]{2}", "photo_url": URL, "profile_urls": URLS,
}  # fmt: skip
NOTE = {
    "note_record_id": RECORD_ID, "person_record_id": RECORD_ID,
    "linked_person_record_id": RECORD_ID, "entry_date": TIME, "author_name": TEXT,
    "author_email": r".+@.+", "author_phone": PHONE, "author_made_contact": r"true|false",
    "status": r"information_sought|is_note_author|believed_alive|believed_missing|believed_dead",
    "email_of_found_person": r".+@.+", "phone_of_found_person": PHONE,
    "last_known_location": TEXT, "text": TEXT, "photo_url": URL, "source_date": TIME,
}  # fmt: skip
PERSON_REQUIRED = ("person_record_id", "source_date", "full_name")
NOTE_REQUIRED = ("note_record_id", "author_name", "source_date", "text")
# What an expired person may still hold (PFIF 1.4 §3.3).
PLACEHOLDER = {"person_record_id", "expiry_date", "source_date", "entry_date"}


@dataclass(frozen=True)
class Problem:
    """One broken rule: the record (its id, or its place in the file), the field, why."""

    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.record}: {self.field}: {self.message}"


def _tag(node: ET.Element) -> str:
    return node.tag.removeprefix(f"{{{NS}}}")


def _text(record: ET.Element, name: str) -> str | None:
    child = record.find(f"{{{NS}}}{name}")
    return None if child is None else (child.text or "")


def well_formed(value: str, rule: str | None) -> bool:
    """Whether `value` has the form `rule` (a pattern, URL, URLS or TEXT) asks."""
    if rule is None:
        return True
    if rule in (URL, URLS):
        addresses = value.split("\n") if rule == URLS else [value]
        return all(
            urlparse(a).scheme in ("http", "https") and urlparse(a).netloc for a in addresses
        )
    return re.fullmatch(rule, value) is not None


def _time(value: str) -> datetime:
    return datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)


class _Check:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def say(self, record: str, field: str, message: str) -> None:
        self.problems.append(Problem(record, field, message))

    def fields(self, node: ET.Element, where: str, rules: dict, required: tuple) -> None:
        seen: set[str] = set()
        for child in node:
            name = _tag(child)
            if name == "note" and rules is PERSON:
                continue
            if name not in rules or not child.tag.startswith(f"{{{NS}}}"):
                self.say(where, name, "is not a PFIF 1.4 field here")
            elif name in seen:
                self.say(where, name, "appears twice")
            elif child.text and not well_formed(child.text, rules[name]):
                self.say(where, name, f"{child.text!r} is not in the form PFIF 1.4 asks")
            seen.add(name)
        for name in required:
            if name not in seen:
                self.say(where, name, "is required")


def check_pfif(document: bytes | str, *, now: datetime | None = None) -> list[Problem]:
    """Every PFIF 1.4 rule the document breaks (see the module's text); [] when none."""
    now = now or datetime.now(UTC)
    check = _Check()
    try:
        root = SafeET.fromstring(document, forbid_dtd=True)
    except ET.ParseError as exc:
        return [Problem("document", "xml", f"is not well-formed ({exc})")]
    except DefusedXmlException:
        return [Problem("document", "xml", "declares a DTD or entities")]
    if root.tag != f"{{{NS}}}pfif":
        return [Problem("document", "root", f"must be pfif in {NS}, not {root.tag}")]
    if not len(root):
        check.say("document", "root", "holds no person and no note")
    persons, notes = [], []  # (element, where, person_record_id)
    for index, node in enumerate(root, start=1):
        tag = _tag(node)
        if tag == "person":
            pid = _text(node, "person_record_id") or ""
            where = pid or f"person {index}"
            check.fields(node, where, PERSON, PERSON_REQUIRED)
            persons.append((node, where, pid))
            for nested in node.findall(f"{{{NS}}}note"):
                own = _text(nested, "person_record_id")
                nid = _text(nested, "note_record_id") or f"a note of {where}"
                check.fields(nested, nid, NOTE, NOTE_REQUIRED)
                if own is not None and own != pid:
                    check.say(nid, "person_record_id", "is not that of the person it is in")
                notes.append((nested, nid, pid))
        elif tag == "note":
            nid = _text(node, "note_record_id") or f"note {index}"
            check.fields(node, nid, NOTE, (*NOTE_REQUIRED, "person_record_id"))
            notes.append((node, nid, _text(node, "person_record_id") or ""))
        else:
            check.say("document", tag, "only persons and notes may stand in the root")
    for kind, records, id_field in (
        ("person", persons, "person_record_id"),
        ("note", notes, "note_record_id"),
    ):
        seen: set[str] = set()
        for node, where, _pid in records:
            rid = _text(node, id_field)
            if rid is not None and rid in seen:
                check.say(where, id_field, f"another {kind} has the same id")
            seen.add(rid or "")
    _links(check, notes)
    _expiry(check, persons, notes, now)
    return check.problems


def _links(check: _Check, notes: list) -> None:
    links: dict[str, set[str]] = {}
    for node, _where, pid in notes:
        linked = _text(node, "linked_person_record_id")
        if linked and pid:
            links.setdefault(pid, set()).add(linked)
    for node, where, pid in notes:
        linked = _text(node, "linked_person_record_id")
        if linked and pid not in links.get(linked, set()):
            check.say(where, "linked_person_record_id", f"{linked} has no note linking back")


def _expiry(check: _Check, persons: list, notes: list, now: datetime) -> None:
    expired: set[str] = set()
    for node, where, pid in persons:
        expiry = _text(node, "expiry_date") or ""
        if not re.fullmatch(TIME, expiry) or _time(expiry) + timedelta(days=1) > now:
            continue
        expired.add(pid)
        for child in node:
            if _tag(child) not in PLACEHOLDER and child.text and _tag(child) != "note":
                check.say(where, _tag(child), "still holds data after the record expired")
        source, entry = _text(node, "source_date"), _text(node, "entry_date")
        if not source or source != entry:
            check.say(where, "source_date", "of an expired record must equal its entry_date")
        elif re.fullmatch(TIME, source) and _time(source) > _time(expiry) + timedelta(days=1):
            check.say(where, "source_date", "the placeholder was made over a day after expiry")
    for node, where, pid in notes:
        if pid in expired and any(c.text for c in node if _tag(c) not in PLACEHOLDER):
            check.say(where, "note", "an expired record keeps no notes")
