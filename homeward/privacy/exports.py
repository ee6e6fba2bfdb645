"""A person's or a family's own data, handed over on request (PIPL art. 45): one ZIP with
`data.json` (every field, machine-readable), `summary.pdf` (the same for people to read)
and the photos. Each export is in the audit trail.

What is someone else's stays out: the candidates (they are about other people), the
relatives' DNA profiles (each relative asks for their own at the station), staff notes.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import AuditEvent, User
from homeward.cases.models import Person
from homeward.common.pdf import new_pdf
from homeward.tracing.models import MissingReport


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk") and hasattr(value, "_meta"):
        return str(value)
    return value


def _fields(obj, names: list[str]) -> dict[str, Any]:
    return {name: _value(getattr(obj, name)) for name in names}


def _reads(object_type: str, object_id: int) -> list[dict[str, Any]]:
    """Who read or changed the record: when, what, through which channel (staff names are
    the station's; the family sees the station and the time)."""
    events = AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id))
    return [
        {"at": _value(e.at), "action": e.action, "via": e.via, "station": _value(e.station_id)}
        for e in events.order_by("at", "id")
    ]


def report_data(report: MissingReport) -> dict[str, Any]:
    data = _fields(
        report,
        [
            "public_id",
            "status",
            "channel",
            "name",
            "aliases",
            "sex",
            "birth_date",
            "home_division",
            "lost_date",
            "lost_at",
            "lost_division",
            "lost_address",
            "height_cm",
            "marks",
            "mark_notes",
            "conditions",
            "description",
            "contact_name",
            "contact_relation",
            "contact_phone",
            "contact_email",
            "publish_consent",
            "publish_consent_at",
            "created_at",
            "verified_at",
            "updated_at",
        ],
    )
    data["public_id"] = str(report.public_id)
    data["station"] = str(report.station) if report.station else None
    data["relatives"] = [
        {
            **_fields(r, ["relation", "name", "dna_status", "lab", "consent", "consent_at"]),
            "profile_entered": bool(r.profile),
        }
        for r in report.relatives.all()
    ]
    data["updates"] = [_fields(u, ["kind", "text", "at"]) for u in report.updates.all()]
    data["photos"] = [
        {"file": f"photos/{i}-{p.image.name.rsplit('/', 1)[-1]}", "taken_year": p.taken_year}
        for i, p in enumerate(report.photos.all(), 1)
    ]
    data["alerts_sent"] = report_alerts_sent(report)
    data["reads"] = _reads("tracing.missingreport", report.pk)
    return data


def report_alerts_sent(report: MissingReport) -> int:
    from homeward.tracing.models import AlertDelivery

    return AlertDelivery.objects.filter(report=report, status=AlertDelivery.Status.SENT).count()


def person_data(person: Person) -> dict[str, Any]:
    data = _fields(
        person,
        [
            "name",
            "name_source",
            "aliases",
            "id_number",
            "sex",
            "birth_date",
            "born_after",
            "born_before",
            "ethnicity",
            "language",
            "home_division",
            "height_cm",
            "build",
            "marks",
            "conditions",
            "created_at",
        ],
    )
    data["public_id"] = str(person.public_id)
    data["stays"] = [
        {
            **_fields(s, ["status", "admitted_at", "found_address"]),
            "station": str(s.station),
            "exit": _fields(s.exit, ["kind", "at"]) if hasattr(s, "exit") else None,
        }
        for s in person.stays.select_related("station").order_by("admitted_at")
    ]
    dna = getattr(person, "dna", None)
    data["dna"] = {"status": dna.status, "profile_entered": bool(dna.profile)} if dna else None
    data["photos"] = [
        {"file": f"photos/{i}-{p.image.name.rsplit('/', 1)[-1]}", "taken_on": _value(p.taken_on)}
        for i, p in enumerate(person.photos.all(), 1)
    ]
    data["reads"] = _reads("cases.person", person.pk)
    return data


def _pdf(title: str, data: dict[str, Any]) -> bytes:
    pdf = new_pdf(title)

    def line(height: float, text: str) -> None:
        pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    pdf.set_font("cjk", size=14)
    line(8, title)
    pdf.set_font("cjk", size=9)
    line(
        5,
        _("Made on %(day)s. Every field Homeward holds is listed below.")
        % {"day": timezone.localdate().isoformat()},
    )
    pdf.ln(2)
    for key, value in data.items():
        if key == "reads":
            text = _("%(n)s reads and changes, listed in data.json") % {"n": len(value)}
        elif isinstance(value, (list, dict)):
            text = json.dumps(value, ensure_ascii=False, indent=1)
        else:
            text = "—" if value in (None, "") else str(value)
        pdf.set_font("cjk", size=9)
        line(5, f"{key}: {text}")
    return bytes(pdf.output())


def _bundle(data: dict[str, Any], photos, title: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        bundle.writestr("summary.pdf", _pdf(title, data))
        for entry, photo in zip(data["photos"], photos, strict=True):
            try:
                with default_storage.open(photo.image.name, "rb") as handle:
                    bundle.writestr(entry["file"], handle.read())
            except OSError:
                entry["missing"] = True
    return out.getvalue()


def report_export(report: MissingReport, *, by: User | None, request=None) -> bytes:
    """The ZIP of a report's data for the family that filed it."""
    data = report_data(report)
    bundle = _bundle(data, list(report.photos.all()), _("Missing report: your data"))
    audit_record(
        actor=by,
        action=AuditEvent.Action.EXPORT,
        obj=report,
        station_id=report.station_id,
        request=request,
        detail={"personal_data": True},
    )
    return bundle


def person_export(person: Person, *, by: User | None, request=None) -> bytes:
    """The ZIP of what a station holds of a person in its care, for them or their guardian."""
    data = person_data(person)
    bundle = _bundle(data, list(person.photos.all()), _("Your data at the relief station"))
    audit_record(
        actor=by,
        action=AuditEvent.Action.EXPORT,
        obj=person,
        request=request,
        detail={"personal_data": True},
    )
    return bundle
