"""Writes of supervision records: open days and complaints. Supervisors only read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import User
from homeward.reports.models import Complaint, OpenDay
from homeward.stations.models import Station


def _refuse_read_only(by: User | None) -> None:
    if by is not None and by.is_read_only:
        raise PermissionDenied


@dataclass
class OpenDayData:
    held_on: date
    visitors: int
    theme: str = ""
    visitor_groups: str = ""
    feedback: str = ""


@transaction.atomic
def open_day_record(*, station: Station, data: OpenDayData, by: User | None = None) -> OpenDay:
    """Record an open day held at a station (开放日)."""
    _refuse_read_only(by)
    day = OpenDay(station=station, recorded_by=by, **data.__dict__)
    day.full_clean()
    day.save()
    audit_record(actor=by, action="create", obj=day)
    return day


@transaction.atomic
def complaint_record(
    *, station: Station, received_on: date, source: str, summary: str, by: User | None = None
) -> Complaint:
    """Record a complaint about a station; it stays open until handled."""
    _refuse_read_only(by)
    complaint = Complaint(
        station=station,
        received_on=received_on,
        source=source,
        summary=summary.strip(),
        recorded_by=by,
    )
    complaint.full_clean()
    complaint.save()
    audit_record(actor=by, action="create", obj=complaint)
    return complaint


@transaction.atomic
def complaint_handle(
    *, complaint: Complaint, handling: str, handled_on: date, by: User | None = None
) -> Complaint:
    """Close a complaint with what was done about it."""
    _refuse_read_only(by)
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status == Complaint.Status.HANDLED:
        raise ValidationError({"handling": _("This complaint is already handled.")})
    if not handling.strip():
        raise ValidationError({"handling": _("Say how the complaint was handled.")})
    if handled_on < complaint.received_on:
        raise ValidationError(
            {"handled_on": _("A complaint cannot be handled before it was received.")}
        )
    complaint.handling, complaint.handled_on = handling.strip(), handled_on
    complaint.handled_by, complaint.status = by, Complaint.Status.HANDLED
    complaint.full_clean()
    complaint.save()
    audit_record(actor=by, action="update", obj=complaint, detail={"status": "handled"})
    return complaint
