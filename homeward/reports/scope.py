"""What a report covers: a period, and an area (station, county, city, province, nation).

Who may ask for which area is decided here, from `accounts.selectors`: an area
outside the user's scope is answered like a missing one (404), as everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.models import STATION_ROLES, User
from homeward.accounts.selectors import station_filter
from homeward.cases.models.people import shift_years
from homeward.regions.models import Division
from homeward.stations.models import Station
from homeward.stations.selectors import stations_visible

NATION = "nation"
STATION = "station"
DIVISION_LEVELS = ("province", "city", "county")
LEVELS = (NATION, *DIVISION_LEVELS, STATION)
# The years figures can be asked for: stations' records in Homeward start after 1990, and
# a period may reach at most into next year (plans), never to the year 9999.
FIRST_YEAR = 1990


def period_parse(
    *, start: date | None = None, end: date | None = None, year: int | None = None
) -> Period:
    """The period asked for: `start`..`end` (both days included), else `year`, else this
    year. Raises ValidationError naming the field when it is outside the years we keep."""
    last_year = timezone.localdate().year + 1
    errors: dict[str, list[str]] = {}
    bounds = {"first": FIRST_YEAR, "last": last_year}
    for name, day in (("start", start), ("end", end)):
        if day is not None and not FIRST_YEAR <= day.year <= last_year:
            errors[name] = [_("Give a day from %(first)d to %(last)d.") % bounds]
    if start is not None and end is not None and not errors and start > end:
        errors["end"] = [_("The end comes before the start.")]
    if (start is None) != (end is None):
        errors["start" if start is None else "end"] = [_("Give both the start and the end.")]
    if year is not None and not FIRST_YEAR <= year <= last_year:
        errors["year"] = [_("Give a year from %(first)d to %(last)d.") % bounds]
    if errors:
        raise ValidationError(errors)
    if start is not None and end is not None:
        return Period(start, end + timedelta(days=1))
    return Period.year(year or timezone.localdate().year)


@dataclass(frozen=True)
class Period:
    """Days from `start` up to, not including, `end` (local time)."""

    start: date
    end: date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year + 1, 1, 1))

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min, timezone.get_current_timezone())

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end, time.min, timezone.get_current_timezone())

    def year_before(self) -> Period:
        return Period(shift_years(self.start, -1), shift_years(self.end, -1))

    def last_moment(self, now: datetime | None = None) -> datetime:
        """The end of the period, or now if the period has not ended yet."""
        now = now or timezone.now()
        return min(self.until, now)

    def months(self) -> list[Period]:
        """The calendar months the period touches, each cut to the period."""
        months, day = [], self.start
        while day < self.end:
            nxt = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
            months.append(Period(day, min(nxt, self.end)))
            day = nxt
        return months

    @property
    def is_year(self) -> bool:
        return self.start.month == self.start.day == 1 and self.end == shift_years(self.start, 1)

    @property
    def label(self) -> str:
        if self.is_year:
            return str(self.start.year)
        return f"{self.start:%Y-%m-%d} – {self.end - timedelta(days=1):%Y-%m-%d}"


@dataclass(frozen=True)
class Scope:
    """The area a report covers: the nation, a division, or one station."""

    level: str
    code: str = ""
    name: str = ""
    division: Division | None = None
    station: Station | None = None

    def q(self, station_field: str = "station") -> Q:
        """A Q on `station_field` (a path to Station) for the stations in this area."""
        if self.level == STATION:
            return Q(**{f"{station_field}_id": self.station.pk})
        if self.division is not None:
            return Q(**{f"{station_field}__division__code__startswith": self.division.prefix})
        return Q()

    @property
    def prefix(self) -> str:
        """The code prefix of the divisions inside the area ('' for the nation)."""
        if self.station is not None:
            return self.station.division.prefix
        return self.division.prefix if self.division is not None else ""

    @property
    def child_level(self) -> str | None:
        """Drill-down: nation to provinces, provinces to cities, cities and counties to stations."""
        return {NATION: "province", "province": "city", "city": STATION, "county": STATION}.get(
            self.level
        )

    @property
    def params(self) -> dict[str, str]:
        return {"level": self.level, "code": self.code}

    def __str__(self) -> str:
        return self.name


def nation() -> Scope:
    return Scope(NATION, "", _("Nationwide"))


def division_scope(division: Division) -> Scope:
    return Scope(division.level, division.code, division.name, division=division)


def station_scope(station: Station) -> Scope:
    return Scope(STATION, str(station.pk), station.name, station=station)


def default_scope(user: User) -> Scope:
    """The widest area the user covers."""
    if station_filter(user) is None:
        return nation()
    if user.role in STATION_ROLES:
        if user.station_id is None:
            raise Http404
        return station_scope(Station.objects.select_related("division").get(pk=user.station_id))
    if user.division_id is None:
        raise Http404
    return division_scope(user.division)


def scope_for(user: User, level: str = "", code: str = "") -> Scope:
    """The area asked for, if the user covers all of it; Http404 otherwise."""
    if not level:
        return default_scope(user)
    if level == NATION:
        if station_filter(user) is None:
            return nation()
        raise Http404
    if level == STATION:
        if not code.isdigit():
            raise Http404
        station = stations_visible(user).filter(pk=int(code)).first()
        if station is None:
            raise Http404
        return station_scope(station)
    if level not in DIVISION_LEVELS:
        raise Http404
    division = Division.objects.filter(code=code, level=level).first()
    if division is None or not _covers(user, division):
        raise Http404
    return division_scope(division)


def _covers(user: User, division: Division) -> bool:
    if station_filter(user) is None:
        return True
    if user.role in STATION_ROLES or user.division_id is None:
        return False
    return division.code.startswith(user.division.prefix)


def trail(scope: Scope) -> list[Scope]:
    """The areas above `scope`, widest first (for the breadcrumb), without the nation."""
    codes: list[str] = []
    if scope.station is not None:
        code = scope.station.division.code
        codes = [code[:2] + "0000", code[:4] + "00"]
        if scope.station.division.level == "county":
            codes.append(code)
    elif scope.division is not None:
        code = scope.division.code
        codes = {"province": [], "city": [code[:2] + "0000"]}.get(
            scope.level, [code[:2] + "0000", code[:4] + "00"]
        )
    found = {d.code: d for d in Division.objects.filter(code__in=codes)}
    return [division_scope(found[c]) for c in codes if c in found]
