"""Care in the station: beds, care notes, incidents, child protection, outsourced care."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import User
from homeward.cases.models import BedAssignment, CareNote, Incident, OutsourcedCare, Stay
from homeward.cases.services.common import require_case_writer
from homeward.stations.models import Bed, Room


def _require_open(stay: Stay) -> None:
    if stay.status != Stay.Status.IN_STATION:
        raise ValidationError({"stay": _("This stay has ended.")})


def _check_bed_fits(stay: Stay, bed: Bed) -> None:
    room = bed.room
    if room.station_id != stay.station_id:
        raise ValidationError({"bed": _("The bed is in another station.")})
    if bed.state != Bed.State.FREE:
        raise ValidationError({"bed": _("This bed is not free.")})
    # Minors are kept apart from adults (未成年人与成年人分区安置).
    if stay.is_minor and room.kind != Room.Kind.MINORS:
        raise ValidationError({"bed": _("A minor sleeps in a minors' room.")})
    if not stay.is_minor and room.kind == Room.Kind.MINORS:
        raise ValidationError({"bed": _("Adults do not sleep in a minors' room.")})
    sex = stay.person.sex
    if (room.kind == Room.Kind.MEN and sex == "F") or (room.kind == Room.Kind.WOMEN and sex == "M"):
        raise ValidationError({"bed": _("The room is for the other sex.")})


@transaction.atomic
def bed_assign(
    *, stay: Stay, bed: Bed, by: User | None, at: datetime | None = None
) -> BedAssignment:
    """Put the person in a bed, moving them out of the one they had."""
    require_case_writer(by, stay.station)
    _require_open(stay)
    bed = Bed.objects.select_for_update().select_related("room").get(pk=bed.pk)
    _check_bed_fits(stay, bed)
    at = at or timezone.now()
    _release_bed(stay, at)
    assignment = BedAssignment.objects.create(stay=stay, bed=bed, since=at)
    Bed.objects.filter(pk=bed.pk).update(state=Bed.State.OCCUPIED)
    audit_record(actor=by, action="update", obj=stay, detail={"bed": bed.pk})
    return assignment


def _release_bed(stay: Stay, at: datetime) -> None:
    current = stay.bed_assignments.filter(until__isnull=True).select_related("bed").first()
    if current is not None:
        current.until = at
        current.save(update_fields=["until"])
        Bed.objects.filter(pk=current.bed_id).update(state=Bed.State.FREE)


@transaction.atomic
def care_record(
    *, stay: Stay, kind: str, text: str, by: User | None, at: datetime | None = None
) -> CareNote:
    require_case_writer(by, stay.station)
    _require_open(stay)
    if kind not in CareNote.Kind.values:
        raise ValidationError({"kind": _("Choose what kind of care this was.")})
    if not text.strip():
        raise ValidationError({"text": _("Write what was done.")})
    note = CareNote(stay=stay, kind=kind, text=text.strip(), by=by, at=at or timezone.now())
    note.full_clean()
    note.save()
    audit_record(actor=by, action="create", obj=note, station_id=stay.station_id)
    return note


@transaction.atomic
def incident_record(
    *, stay: Stay, kind: str, description: str, by: User | None, at: datetime | None = None
) -> Incident:
    require_case_writer(by, stay.station)
    if kind not in Incident.Kind.values:
        raise ValidationError({"kind": _("Choose what kind of incident this was.")})
    if not description.strip():
        raise ValidationError({"description": _("Describe what happened.")})
    incident = Incident.objects.create(
        stay=stay, kind=kind, description=description.strip(), by=by, at=at or timezone.now()
    )
    audit_record(actor=by, action="create", obj=incident, station_id=stay.station_id)
    return incident


@transaction.atomic
def incident_follow_up(
    *, incident: Incident, follow_up: str, resolved: bool, by: User | None
) -> Incident:
    require_case_writer(by, incident.stay.station)
    if not follow_up.strip():
        raise ValidationError({"follow_up": _("Write the follow-up.")})
    incident.follow_up = (incident.follow_up + "\n" + follow_up.strip()).strip()
    if resolved and incident.resolved_at is None:
        incident.resolved_at = timezone.now()
    incident.save(update_fields=["follow_up", "resolved_at"])
    audit_record(actor=by, action="update", obj=incident, station_id=incident.stay.station_id)
    return incident


@transaction.atomic
def child_protection_refer(*, stay: Stay, unit: str, by: User | None) -> Stay:
    """Record the referral of a minor to child protection (未成年人救助保护机构)."""
    require_case_writer(by, stay.station)
    if not stay.is_minor:
        raise ValidationError({"stay": _("Only a minor is referred to child protection.")})
    if not unit.strip():
        raise ValidationError({"child_protection_unit": _("Name the unit referred to.")})
    stay.child_protection_unit = unit.strip()
    stay.child_protection_referred_at = timezone.now()
    stay.save(update_fields=["child_protection_unit", "child_protection_referred_at", "updated_at"])
    audit_record(actor=by, action="update", obj=stay, detail={"child_protection": unit.strip()})
    return stay


@transaction.atomic
def outsourced_care_start(
    *, stay: Stay, institution: str, since: date, by: User | None
) -> OutsourcedCare:
    """Care bought from outside (托养) while the person stays on the station's books."""
    require_case_writer(by, stay.station)
    _require_open(stay)
    if not institution.strip():
        raise ValidationError({"institution": _("Name the institution.")})
    if stay.outsourced_care.filter(until__isnull=True).exists():
        raise ValidationError({"institution": _("Outsourced care is already running.")})
    care = OutsourcedCare.objects.create(stay=stay, institution=institution.strip(), since=since)
    audit_record(actor=by, action="create", obj=care, station_id=stay.station_id)
    return care


@transaction.atomic
def outsourced_care_end(*, care: OutsourcedCare, until: date, by: User | None) -> OutsourcedCare:
    require_case_writer(by, care.stay.station)
    if until < care.since:
        raise ValidationError({"until": _("The end is before the start.")})
    care.until = until
    care.save(update_fields=["until"])
    audit_record(actor=by, action="update", obj=care, station_id=care.stay.station_id)
    return care
