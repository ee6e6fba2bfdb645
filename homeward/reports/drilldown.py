"""The drill-down: headline figures for each area one level below, and the map of load.

Queries grouped by station, added up per area (division code prefix or station) here, so
the number of queries does not grow with the number of areas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from homeward.accounts.models import User
from homeward.cases.models import BedAssignment, Stay
from homeward.reports.scope import Period, Scope
from homeward.reports.selectors import _in, _period_q, _present_q
from homeward.stations.models import Bed
from homeward.tracing.models import Reunion


@dataclass
class Row:
    """One area below the current one, with its headline figures."""

    scope: Scope
    person_times: int = 0
    minors: int = 0
    reunions: int = 0
    in_station: int = 0
    over_90: int = 0
    beds: int = 0
    used: int = 0

    @property
    def bed_use_rate(self) -> float | None:
        return None if self.beds == 0 else self.used / self.beds


def breakdown(user: User, scope: Scope, period: Period, now: datetime | None = None) -> list[Row]:
    """Headline figures for each area one level down (drill-down), areas without a
    station left out. A fixed number of grouped queries, whatever the number of areas."""
    from homeward.regions.models import Division
    from homeward.reports.scope import division_scope, station_scope
    from homeward.stations.selectors import stations_visible

    if scope.child_level is None:
        return []
    stations = list(stations_visible(user).filter(_station_q(scope)).select_related("division"))
    rows: dict[object, Row] = {}
    if scope.child_level == "station":
        key_of = {s.pk: s.pk for s in stations}
        for s in stations:
            rows[s.pk] = Row(station_scope(s))
    else:
        width = 2 if scope.child_level == "province" else 4
        key_of = {s.pk: s.division.code[:width] for s in stations}
        codes = sorted(set(key_of.values()))
        names = {
            d.code[:width]: d
            for d in Division.objects.filter(code__in=[c.ljust(6, "0") for c in codes])
        }
        for c in codes:
            if c in names:
                rows[c] = Row(division_scope(names[c]))

    def grouped(qs: QuerySet, station_field: str, **aggs) -> dict:
        """The sums of `aggs` per area: grouped by station in the database (no join to
        stations and divisions), the stations' figures added up per area here."""
        out: dict[object, dict[str, int]] = {}
        # Grouped by the station id plus 0: the same groups, but SQLite no longer walks
        # a station index over every stay to group them (3x slower than the date range).
        station = F(f"{station_field}_id") + 0
        for r in (
            _in(user, scope, qs, station_field)
            .annotate(station_key=station)
            .values("station_key")
            .annotate(**aggs)
            .order_by()
        ):
            key = key_of.get(r.pop("station_key"))
            if key is not None:
                area = out.setdefault(key, dict.fromkeys(aggs, 0))
                for name, value in r.items():
                    area[name] += value
        return out

    at = period.last_moment(now)
    stays = grouped(
        Stay.objects.filter(_period_q("admitted_at", period)),
        "station",
        n=Count("*"),
        minors=Count("admitted_at", filter=Q(is_minor=True)),
    )
    present = grouped(
        Stay.objects.filter(_present_q(at)),
        "station",
        n=Count("*"),
        over_90=Count("admitted_at", filter=Q(admitted_at__lte=at - timedelta(days=90))),
    )
    done = grouped(
        Reunion.objects.filter(_period_q("completed_at", period)), "stay__station", n=Count("id")
    )
    beds = grouped(
        Bed.objects.exclude(state=Bed.State.OUT_OF_SERVICE), "room__station", n=Count("id")
    )
    day = timezone.localtime(at - timedelta(microseconds=1)).date()
    start = datetime.combine(day, datetime.min.time(), timezone.get_current_timezone())
    used = grouped(
        BedAssignment.objects.filter(
            Q(since__lt=start + timedelta(days=1)) & (Q(until__isnull=True) | Q(until__gt=start))
        ),
        "bed__room__station",
        n=Count("bed", distinct=True),
    )
    for key, row in rows.items():
        row.person_times = stays.get(key, {}).get("n", 0)
        row.minors = stays.get(key, {}).get("minors", 0)
        row.in_station = present.get(key, {}).get("n", 0)
        row.over_90 = present.get(key, {}).get("over_90", 0)
        row.reunions = done.get(key, {}).get("n", 0)
        row.beds = beds.get(key, {}).get("n", 0)
        row.used = used.get(key, {}).get("n", 0)
    return list(rows.values())


def _station_q(scope: Scope) -> Q:
    if scope.station is not None:
        return Q(pk=scope.station.pk)
    if scope.division is not None:
        return Q(division__code__startswith=scope.division.prefix)
    return Q()


def station_load(user: User, scope: Scope) -> list[dict]:
    """Each station in the area with its point and its beds now: the map of load."""
    from homeward.stations.selectors import stations_visible, stations_with_occupancy

    stations = stations_with_occupancy(stations_visible(user).filter(_station_q(scope)))
    return [
        {
            "name": s.name,
            "pk": s.pk,
            "lat": s.latitude,
            "lng": s.longitude,
            "beds": s.beds_total - s.beds_out,
            "occupied": s.beds_occupied,
        }
        for s in stations
    ]
