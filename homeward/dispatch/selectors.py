"""Reads of incidents, teams and drafts, scoped to the stations a user covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.selectors import scope_queryset, scoped_get
from homeward.dispatch.models import Incident, IntakeDraft, Team
from homeward.dispatch.routing import Point, router
from homeward.regions.geo import great_circle_km
from homeward.regions.selectors import address_parse
from homeward.stations.models import Station


def incidents_visible(user: User) -> QuerySet[Incident]:
    qs = Incident.objects.select_related("station", "team", "division", "partner")
    return scope_queryset(user, qs)


def incident_get(user: User, pk: int, *, request: HttpRequest | None = None) -> Incident:
    return scoped_get(user, incidents_visible(user), request=request, pk=pk)


def teams_visible(user: User) -> QuerySet[Team]:
    return scope_queryset(user, Team.objects.select_related("station"))


def teams_of(user: User) -> QuerySet[Team]:
    """The teams the user is a member of (a street worker's phone reports their place)."""
    return teams_visible(user).filter(members=user)


def team_get(user: User, pk: int, *, request: HttpRequest | None = None) -> Team:
    return scoped_get(user, teams_visible(user), request=request, audit=False, pk=pk)


def station_for_report(report) -> Station | None:
    """The nearest active station to a public report's point (or its division's seat)."""
    point = (report.latitude, report.longitude) if report.latitude is not None else None
    division = report.division
    if point is None and division is None and report.address:
        division = address_parse(report.address).division
    if point is None and division is not None:
        point = division.point
    if point is None:
        return None
    stations = list(Station.objects.filter(is_active=True))
    return min(stations, key=lambda s: great_circle_km(point, s.point), default=None)


def incident_point(incident: Incident) -> Point | None:
    """The reported point, else the seat of the division the address names."""
    if incident.point:
        return incident.point
    if incident.division is not None:
        return incident.division.point
    return None


def teams_by_distance(incident: Incident) -> list[tuple[Team, float | None]]:
    """The station's available teams, nearest first; the first is the one to propose.

    Distance comes from the pluggable router (great-circle km by default), from
    each team's last reported position, else its base.
    """
    teams = list(
        Team.objects.filter(station_id=incident.station_id, status=Team.Status.AVAILABLE).order_by(
            "name"
        )
    )
    origin = incident_point(incident)
    if origin is None or not teams:
        return [(t, None) for t in teams]
    costs = router().costs(origin, [t.point for t in teams])
    return sorted(zip(teams, costs, strict=True), key=lambda pair: pair[1])


def team_proposed(incident: Incident) -> Team | None:
    ranked = teams_by_distance(incident)
    return ranked[0][0] if ranked else None


@dataclass
class Board:
    """The command center's lists by status, with the overdue ones counted."""

    received: list[Incident]
    dispatched: list[Incident]
    on_scene: list[Incident]
    resolved: list[Incident]
    overdue: int
    now: datetime


def board(user: User, now: datetime | None = None) -> Board:
    now = now or timezone.now()
    open_ = list(incidents_visible(user).filter(status__in=Incident.OPEN).order_by("received_at"))
    for incident in open_:
        incident.overdue = incident.is_overdue(now)
    since = now - timedelta(hours=24)
    resolved = list(
        incidents_visible(user)
        .filter(status=Incident.Status.RESOLVED, resolved_at__gte=since)
        .order_by("-resolved_at")[:30]
    )
    return Board(
        received=[i for i in open_ if i.status == Incident.Status.RECEIVED],
        dispatched=[i for i in open_ if i.status == Incident.Status.DISPATCHED],
        on_scene=[i for i in open_ if i.status == Incident.Status.ON_SCENE],
        resolved=resolved,
        overdue=sum(1 for i in open_ if i.overdue),
        now=now,
    )


def map_features(user: User, now: datetime | None = None, *, places: bool = False) -> dict:
    """Open incidents, teams and open shelter points as plain data for the live map; with
    `places`, the names to write on it (asked once, by a map without tiles)."""
    from homeward.campaigns.selectors import shelters_open_for

    now = now or timezone.now()
    incidents = []
    unplaced = 0
    for i in incidents_visible(user).filter(status__in=Incident.OPEN):
        point = incident_point(i)
        if point is None:
            unplaced += 1  # said beside the map: never silently missing from it
            continue
        incidents.append(
            {
                "id": i.pk,
                "point": point,
                "status": i.status,
                "urgency": i.urgency,
                "overdue": i.is_overdue(now),
                "label": str(i),
                "team": i.team.name if i.team else "",
            }
        )
    teams = [
        {"id": t.pk, "point": t.point, "status": t.status, "label": t.name}
        for t in teams_visible(user)
    ]
    shelters = [
        {"id": s.pk, "point": (s.latitude, s.longitude), "label": s.name, "capacity": s.capacity}
        for s in shelters_open_for(user, now)
    ]
    return {
        "incidents": incidents,
        "teams": teams,
        "shelters": shelters,
        "unplaced": unplaced,
        "places": map_places(user) if places else [],
    }


def map_places(user: User) -> list[dict]:
    """The names to write on a map without tiles: the cities and counties of the user's
    province (a station's staff, a province or lower administrator), else the provinces
    and cities. Names and seats come from the GB/T 2260 table (regions)."""
    from homeward.regions.models import Division

    code = user.station.division_id if user.station_id else user.division_id
    if code:
        places = Division.objects.filter(code__startswith=code[:2]).exclude(level="province")
    else:
        places = Division.objects.filter(level__in=["province", "city"])
    return [
        {"name": d.name, "level": d.level, "point": d.point}
        for d in places.only("code", "name", "level", "latitude", "longitude")
    ]


def timeline(incident: Incident):
    return incident.events.select_related("by", "team").order_by("at", "id")


def drafts_open(user: User) -> QuerySet[IntakeDraft]:
    """Intake drafts waiting at the stations the user covers."""
    qs = IntakeDraft.objects.select_related("incident", "team", "station").filter(
        state=IntakeDraft.State.OPEN
    )
    return scope_queryset(user, qs)


def draft_get(user: User, pk: int, *, request: HttpRequest | None = None) -> IntakeDraft:
    qs = IntakeDraft.objects.select_related("incident", "team", "station", "found_division")
    return scoped_get(user, qs, request=request, pk=pk)


def team_assignments(user: User) -> QuerySet[Incident]:
    """Open incidents sent to the teams the user is a member of (the phone page)."""
    return incidents_visible(user).filter(
        team__members=user, status__in=(Incident.Status.DISPATCHED, Incident.Status.ON_SCENE)
    )


def team_assignment_get(user: User, raw_pk: str) -> Incident:
    """One incident sent to a team the user is in, by the id a phone sent (else 404).

    Closed calls are found too, so a tap resent after the call moved on is told so.
    """
    if not str(raw_pk).isdigit():
        raise Http404
    incident = incidents_visible(user).filter(pk=int(raw_pk), team__members=user).distinct().first()
    if incident is None:
        raise Http404
    return incident
