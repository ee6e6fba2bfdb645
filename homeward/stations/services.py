"""Writes for stations, rooms and beds."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import User
from homeward.regions.models import Division
from homeward.stations.models import Bed, Room, Station


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
def room_create(*, station: Station, name: str, kind: str, beds: int, floor: int = 1) -> Room:
    """A room with `beds` beds labelled 1..N."""
    if beds < 0:
        raise ValidationError({"beds": _("The number of beds cannot be negative.")})
    room = Room(station=station, name=name, kind=kind, floor=floor)
    room.full_clean()
    room.save()
    Bed.objects.bulk_create([Bed(room=room, label=str(i + 1)) for i in range(beds)])
    return room


@transaction.atomic
def bed_set_state(*, bed: Bed, state: str, by: User | None = None) -> Bed:
    """Mark a bed free, occupied or out of service (cases assign and release beds)."""
    if state not in Bed.State.values:
        raise ValidationError({"state": _("Unknown bed state.")})
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
