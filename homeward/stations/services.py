"""Writes for stations, rooms and beds."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import STATION_ROLES, Role, User
from homeward.regions.models import Division
from homeward.stations.models import Bed, Room, SafetyCheck, Station

# Who opens stations and rooms: administrators over the division it stands in.
REGION_ADMINS = frozenset({Role.COUNTY_ADMIN, Role.CITY_ADMIN, Role.PROVINCE_ADMIN})


def _require_administrator(by: User | None, division: Division) -> None:
    """A national administrator anywhere, a county, city or province one inside their own
    division; `None` is the system itself (the demo, a command an operator runs)."""
    if by is None or by.is_superuser or by.role == Role.NATIONAL_ADMIN:
        return
    own = by.division
    if by.role in REGION_ADMINS and own is not None and division.code.startswith(own.prefix):
        return
    raise PermissionDenied(_("Only an administrator over this area can do this."))


def _require_station_staff(by: User | None, station: Station) -> None:
    """This station's own staff (not read-only), or an administrator over it."""
    if by is None or by.is_superuser:
        return
    if by.role in STATION_ROLES:
        if by.station_id != station.pk or by.is_read_only:
            raise PermissionDenied(_("Only this station's staff can do this."))
        return
    _require_administrator(by, station.division)


@transaction.atomic
def station_create(
    *,
    name: str,
    level: str,
    division: Division,
    address: str,
    latitude: float,
    longitude: float,
    phone_24h: str,
    bed_capacity: int,
    by: User | None = None,
) -> Station:
    _require_administrator(by, division)
    station = Station(
        name=name,
        level=level,
        division=division,
        address=address,
        latitude=latitude,
        longitude=longitude,
        phone_24h=phone_24h,
        bed_capacity=bed_capacity,
    )
    station.full_clean()
    station.save()
    audit_record(actor=by, action="create", obj=station)
    return station


@transaction.atomic
def room_create(
    *, station: Station, name: str, kind: str, beds: int, floor: int = 1, by: User | None = None
) -> Room:
    """A room with `beds` beds labelled 1..N (the station's head, or an administrator)."""
    if by is not None and by.role in STATION_ROLES and by.role != Role.STATION_HEAD:
        raise PermissionDenied(_("Only the station's head can add rooms."))
    _require_station_staff(by, station)
    if beds < 0:
        raise ValidationError({"beds": _("The number of beds cannot be negative.")})
    room = Room(station=station, name=name, kind=kind, floor=floor)
    room.full_clean()
    room.save()
    Bed.objects.bulk_create([Bed(room=room, label=str(i + 1)) for i in range(beds)])
    audit_record(actor=by, action="create", obj=room, station_id=station.pk)
    return room


@transaction.atomic
def bed_set_state(*, bed: Bed, state: str, by: User | None = None) -> Bed:
    """Mark a bed free, occupied or out of service (cases assign and release beds)."""
    if state not in Bed.State.values:
        raise ValidationError({"state": _("Unknown bed state.")})
    _require_station_staff(by, bed.room.station)
    locked = Bed.objects.select_for_update().get(pk=bed.pk)
    if state == Bed.State.OCCUPIED and locked.state != Bed.State.FREE:
        raise ValidationError({"bed": _("This bed is not free.")})
    locked.state = state
    locked.save(update_fields=["state"])
    audit_record(
        actor=by,
        action="update",
        obj=locked,
        station_id=locked.room.station_id,
        detail={"state": state},
    )
    return locked


def _refuse_read_only(by: User | None) -> None:
    # Supervisors look, they never write.
    if by is not None and by.is_read_only:
        raise PermissionDenied


@transaction.atomic
def safety_check_schedule(
    *, station: Station, area: str, due_on: date, every_days: int = 30, by: User | None = None
) -> SafetyCheck:
    """Put a safety check of one area on the station's calendar."""
    _refuse_read_only(by)
    check = SafetyCheck(station=station, area=area, due_on=due_on, every_days=every_days)
    check.full_clean()
    check.save()
    audit_record(actor=by, action="create", obj=check)
    return check


@transaction.atomic
def safety_check_record(
    *,
    check: SafetyCheck,
    done_on: date,
    hazard_found: bool,
    findings: str = "",
    by: User | None = None,
) -> SafetyCheck:
    """Record a check as done, with what was found; the next one is scheduled."""
    _refuse_read_only(by)
    check = SafetyCheck.objects.select_for_update().get(pk=check.pk)
    if check.done_on is not None:
        raise ValidationError({"done_on": _("This check is already recorded.")})
    if hazard_found and not findings.strip():
        raise ValidationError({"findings": _("Say what hazard was found.")})
    check.done_on, check.done_by = done_on, by
    check.hazard_found, check.findings = hazard_found, findings.strip()
    check.full_clean()
    check.save()
    audit_record(actor=by, action="update", obj=check, detail={"hazard_found": hazard_found})
    SafetyCheck.objects.create(
        station=check.station,
        area=check.area,
        due_on=done_on + timedelta(days=check.every_days),
        every_days=check.every_days,
    )
    return check


@transaction.atomic
def safety_check_fix(
    *, check: SafetyCheck, fixed_on: date, fix: str, by: User | None = None
) -> SafetyCheck:
    """Record the fix of a hazard a check found."""
    _refuse_read_only(by)
    check = SafetyCheck.objects.select_for_update().get(pk=check.pk)
    if not check.fix_pending:
        raise ValidationError({"fix": _("This check has no hazard waiting for a fix.")})
    if not fix.strip():
        raise ValidationError({"fix": _("Say what was fixed.")})
    if check.done_on and fixed_on < check.done_on:
        raise ValidationError({"fixed_on": _("A fix cannot come before the check found it.")})
    check.fixed_on, check.fix = fixed_on, fix.strip()
    check.full_clean()
    check.save()
    audit_record(actor=by, action="update", obj=check, detail={"fixed": True})
    return check
