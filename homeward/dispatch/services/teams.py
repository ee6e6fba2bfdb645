"""Teams: creation, membership, live position, availability."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import User
from homeward.common.clock import is_future
from homeward.dispatch.models import Team
from homeward.dispatch.services.common import require_dispatcher
from homeward.stations.models import Station


@transaction.atomic
def team_create(
    *,
    station: Station,
    name: str,
    base: tuple[float, float],
    by: User | None,
    kind: str = Team.Kind.PATROL,
    shift: str = Team.Shift.ROUND_THE_CLOCK,
    capacity: int = 2,
    members: Iterable[User] = (),
) -> Team:
    require_dispatcher(by, station)
    team = Team(
        station=station,
        name=name.strip(),
        kind=kind,
        shift=shift,
        capacity=capacity,
        base_latitude=base[0],
        base_longitude=base[1],
    )
    team.full_clean()
    team.save()
    members = list(members)
    if any(m.station_id != station.pk for m in members):
        raise ValidationError({"members": _("Members must be staff of the team's station.")})
    team.members.set(members)
    audit_record(actor=by, action="create", obj=team)
    return team


@dataclass
class Position:
    """Where a team's phone is, and when it was there (now, when not given). The API's
    input is made from it (`api.PositionIn`)."""

    latitude: float
    longitude: float
    at: datetime | None = None


@transaction.atomic
def team_position_update(*, team: Team, position: Position, by: User) -> Team:
    """A team's phone reports where it is (members, or the station's dispatchers)."""
    latitude, longitude, at = position.latitude, position.longitude, position.at
    if not team.members.filter(pk=by.pk).exists():
        try:
            require_dispatcher(by, team.station)
        except PermissionDenied:
            raise PermissionDenied(_("Only the team's members can report its position.")) from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValidationError({"position": _("Latitude or longitude is out of range.")})
    if at is not None and (is_future(at) or at.year < 2000):
        raise ValidationError({"at": _("The time of the position is not possible.")})
    team.latitude, team.longitude = latitude, longitude
    team.position_at = at or timezone.now()
    team.save(update_fields=["latitude", "longitude", "position_at", "updated_at"])
    return team


@transaction.atomic
def team_status_set(*, team: Team, status: str, by: User) -> Team:
    require_dispatcher(by, team.station)
    if status not in Team.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    if team.incidents.filter(status__in=("dispatched", "on_scene")).exists():
        raise ValidationError({"status": _("The team is on a call; close it first.")})
    team.status = status
    team.save(update_fields=["status", "updated_at"])
    audit_record(actor=by, action="update", obj=team, detail={"status": status})
    return team
