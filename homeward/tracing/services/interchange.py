"""Writes of the interchange: missing reports and notes imported from HWX or PFIF files."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import User
from homeward.stations.models import Station
from homeward.tracing.models import MissingReport, Relative
from homeward.tracing.services.reports import ReportData, _after_change, _check, report_build


@transaction.atomic
def report_import(
    *,
    data: ReportData,
    station: Station,
    by: User | None,
    source_ref: str,
    relatives: list[tuple[str, dict | None]] | None = None,
    verified: bool = True,
    origin: dict[str, str] | None = None,
) -> MissingReport:
    """Register a report from another system under `station`. A trusted partner's report
    (HWX between stations) is searched at once; a public system's (PFIF) waits for checks."""
    from homeward.matching.dna.errors import DnaError
    from homeward.matching.dna.profiles import parse_profile

    errors = _check(data, timezone.localdate())
    for relation, profile in relatives or []:
        if relation not in Relative.Relation.values:
            errors.setdefault("relatives", []).append(_("Unknown relation."))
        elif profile is not None:
            try:
                parse_profile(profile, field="relatives.dna")
            except DnaError as exc:
                errors.setdefault("relatives", []).append(str(exc))
    if errors:
        raise ValidationError(errors)
    report = report_build(
        data,
        channel=MissingReport.Channel.IMPORT,
        station=station,
        status=MissingReport.Status.VERIFIED if verified else MissingReport.Status.PENDING,
        verified_by=by if verified else None,
        verified_at=timezone.now() if verified else None,
        source_ref=source_ref,
        origin=origin or {},
    )
    report.full_clean()
    report.save()
    for relation, profile in relatives or []:
        Relative.objects.create(
            report=report,
            relation=relation,
            dna_status=Relative.DnaStatus.ENTERED if profile else Relative.DnaStatus.NONE,
            profile=profile or None,
            # The sending system collected the sample, and the consent with it.
            consent=Relative.Consent.SEARCH if profile else Relative.Consent.NONE,
            consent_at=timezone.now() if profile else None,
            consent_ref=_("held by the sender of %(ref)s") % {"ref": source_ref[:20]}
            if profile
            else "",
        )
    audit_record(
        actor=by, action="create", obj=report, station_id=station.pk, detail={"import": source_ref}
    )
    if verified:
        _after_change(report)
    return report


@transaction.atomic
def report_note_add(*, report: MissingReport, note: str, by: User | None = None) -> bool:
    """Add a note from another system to the report's description, once."""
    note = note.strip()
    if not note or note in report.description:
        return False
    report.description = f"{report.description}\n{note}".strip()
    report.save(update_fields=["description", "updated_at"])
    audit_record(actor=by, action="update", obj=report, detail={"note": True})
    return True


@transaction.atomic
def report_source_expired(*, report: MissingReport, by: User | None = None) -> bool:
    """The home repository of a report imported from PFIF has expired the record (PFIF 1.4
    §3.3), so our copy deletes what it held of the person: it is closed and its open
    candidates leave the tracing desk; its name, dates, places, marks, text, photos (files
    too) and relatives' DNA are erased, keeping only the record id and the history.

    Only a copy still pending or being searched is expired; a reunited one stays as it is.
    Returns whether anything changed."""
    from homeward.tracing.models import ReportUpdate
    from homeward.tracing.services.review import candidates_close

    if report.status not in (MissingReport.Status.PENDING, MissingReport.Status.VERIFIED):
        return False
    report.status = MissingReport.Status.CLOSED
    for name in ("name", "description", "lost_address", "contact_name", "contact_phone"):
        setattr(report, name, "")
    for name in ("birth_date", "home_division", "lost_date", "lost_at", "lost_division"):
        setattr(report, name, None)
    report.lost_latitude = report.lost_longitude = report.height_cm = None
    report.aliases, report.marks, report.conditions = [], [], []
    report.mark_notes = {}
    report.save()
    files = [photo.image.name for photo in report.photos.all() if photo.image]
    report.photos.all().delete()  # their face vectors go with them
    report.relatives.all().delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
    ReportUpdate.objects.create(
        report=report, kind=ReportUpdate.Kind.WITHDRAWN, text=_("The record's source withdrew it.")
    )
    candidates_close(report=report, reason=_("The record's source withdrew it."), by=by)
    audit_record(
        actor=by,
        action="update",
        obj=report,
        station_id=report.station_id,
        detail={"source_expired": report.source_ref},
    )
    return True
