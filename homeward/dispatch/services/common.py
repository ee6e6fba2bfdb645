"""What every dispatch service needs: who may act, and the timeline row."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from homeward.accounts.models import Role, User
from homeward.dispatch.models import Incident, IncidentEvent, Team
from homeward.stations.models import Station

DISPATCHERS = frozenset({Role.DISPATCHER, Role.STATION_HEAD})


def require_dispatcher(user: User | None, station: Station) -> None:
    """Only the station's own dispatchers (and head) run its incidents and teams."""
    if user is None or user.is_superuser:
        return  # system: webhooks, imports, jobs
    if user.role not in DISPATCHERS or user.station_id != station.pk:
        raise PermissionDenied(_("Only this station's dispatchers can do this."))


def require_dispatcher_or_team(user: User | None, incident: Incident) -> None:
    """A team member may report the progress of an incident sent to their own team."""
    if (
        user is not None
        and user.role == Role.STREET_TEAM
        and incident.team_id is not None
        and incident.team.members.filter(pk=user.pk).exists()
    ):
        return
    require_dispatcher(user, incident.station)


def event_add(
    incident: Incident,
    kind: str,
    *,
    by: User | None,
    team: Team | None = None,
    note: str = "",
    at=None,
) -> IncidentEvent:
    fields = {"at": at} if at is not None else {}
    return IncidentEvent.objects.create(
        incident=incident,
        kind=kind,
        by=by,
        by_name=(str(by) if by is not None else (str(incident.partner or "") or _("system"))),
        team=team,
        note=note[:500],
        **fields,
    )
