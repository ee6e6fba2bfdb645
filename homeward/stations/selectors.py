"""Reads of stations, rooms and beds (scoping comes from accounts.selectors)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from homeward.accounts.models import User
from homeward.accounts.selectors import scope_queryset
from homeward.stations.models import Bed, Room, SafetyCheck, Station


def stations_visible(user: User) -> QuerySet[Station]:
    """The stations the user's role and scope cover (accounts.selectors decides)."""
    return scope_queryset(user, Station.objects.select_related("division"), station_field="")


@dataclass(frozen=True)
class Occupancy:
    beds: int
    occupied: int
    out_of_service: int

    @property
    def free(self) -> int:
        return self.beds - self.occupied - self.out_of_service

    @property
    def rate(self) -> float | None:
        """Bed-use rate (床位使用率): occupied over beds in service."""
        in_service = self.beds - self.out_of_service
        return None if in_service == 0 else self.occupied / in_service


def stations_with_occupancy(stations: QuerySet[Station]) -> QuerySet[Station]:
    """Stations annotated with bed counts, in one query."""
    return stations.annotate(
        beds_total=Count("rooms__beds", distinct=True),
        beds_occupied=Count(
            "rooms__beds", filter=Q(rooms__beds__state=Bed.State.OCCUPIED), distinct=True
        ),
        beds_out=Count(
            "rooms__beds", filter=Q(rooms__beds__state=Bed.State.OUT_OF_SERVICE), distinct=True
        ),
    )


def station_occupancy(station: Station) -> Occupancy:
    counts = Bed.objects.filter(room__station=station).aggregate(
        beds=Count("id"),
        occupied=Count("id", filter=Q(state=Bed.State.OCCUPIED)),
        out=Count("id", filter=Q(state=Bed.State.OUT_OF_SERVICE)),
    )
    return Occupancy(counts["beds"], counts["occupied"], counts["out"])


def station_rooms(station: Station) -> QuerySet[Room]:
    return station.rooms.prefetch_related("beds").order_by("name")


def safety_checks_visible(user) -> QuerySet[SafetyCheck]:
    """Safety checks of the stations the user covers."""
    from homeward.accounts.selectors import scope_queryset

    return scope_queryset(user, SafetyCheck.objects.select_related("station"))


def safety_checks_overdue(user, today: date) -> QuerySet[SafetyCheck]:
    """Checks past their due date and not done yet."""
    return safety_checks_visible(user).filter(done_on__isnull=True, due_on__lt=today)


def safety_hazards_unfixed(user) -> QuerySet[SafetyCheck]:
    """Hazards a check found that wait for their fix."""
    return safety_checks_visible(user).filter(hazard_found=True, fixed_on__isnull=True)


def safety_checks_open(user) -> QuerySet[SafetyCheck]:
    """What is still to do: checks not done yet and hazards waiting for a fix."""
    return safety_checks_visible(user).filter(
        Q(done_on__isnull=True) | Q(hazard_found=True, fixed_on__isnull=True)
    )
