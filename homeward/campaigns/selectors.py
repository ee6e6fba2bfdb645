"""Reads of warnings, campaigns and shelter points, by the area a user covers.

Campaigns belong to divisions, not stations: a user sees a campaign when one of
its divisions lies inside their area, or contains it (a city-wide campaign is
seen by a county station in that city).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from homeward.accounts.audit import audit_record
from homeward.accounts.models import STATION_ROLES, Role, User
from homeward.campaigns.models import (
    PATROL_HOURS_NORMAL,
    Campaign,
    Outreach,
    ShelterPoint,
    WeatherWarning,
)
from homeward.regions.models import Division
from homeward.stations.models import Station


def ancestor_codes(code: str) -> list[str]:
    """The division itself and the province and city that contain it."""
    return sorted({code[:2] + "0000", code[:4] + "00", code})


def user_area(user: User) -> Division | None | bool:
    """The division a user covers; None for everything; False for nothing."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.role == Role.NATIONAL_ADMIN:
        return None
    if user.role in STATION_ROLES:
        return user.station.division if user.station_id else False
    if user.role in (Role.COUNTY_ADMIN, Role.CITY_ADMIN, Role.PROVINCE_ADMIN, Role.SUPERVISOR):
        if user.division_id is None:
            return None if user.role == Role.SUPERVISOR else False
        return user.division
    return False


def _area_q(area: Division, lookup: str = "divisions") -> Q:
    return Q(**{f"{lookup}__code__startswith": area.prefix}) | Q(
        **{f"{lookup}__code__in": ancestor_codes(area.code)}
    )


def writing_area(user: User) -> Division | None | bool:
    """The division a user may record warnings and campaigns for: their own area, where a
    station stands for the level it serves (a city station: its city). None: everywhere."""
    area = user_area(user)
    if area in (None, False) or user.role not in STATION_ROLES:
        return area
    station = user.station
    code = {
        Station.Level.CITY: area.code[:4] + "00",
        Station.Level.PROVINCE: area.code[:2] + "0000",
    }.get(station.level, area.code)
    return Division.objects.filter(code=code).first() or area


def within(area: Division | None, division: Division) -> bool:
    """Whether `division` lies inside `area` (or is it). A wider division is not inside."""
    return area is None or division.code.startswith(area.prefix)


def overlaps(area: Division | None, division: Division) -> bool:
    if area is None:
        return True
    return division.code.startswith(area.prefix) or division.code in ancestor_codes(area.code)


def campaigns_visible(user: User) -> QuerySet[Campaign]:
    area = user_area(user)
    qs = Campaign.objects.select_related("warning")
    if area is False:
        return qs.none()
    if area is None:
        return qs
    return qs.filter(pk__in=Campaign.objects.filter(_area_q(area)).values("pk"))


def campaign_get(user: User, pk: int, *, request=None) -> Campaign:
    campaign = campaigns_visible(user).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    audit_record(actor=user, action="view", obj=campaign, request=request)
    return campaign


def warnings_visible(user: User) -> QuerySet[WeatherWarning]:
    area = user_area(user)
    qs = WeatherWarning.objects.prefetch_related("divisions")
    if area is False:
        return qs.none()
    if area is None:
        return qs
    return qs.filter(pk__in=WeatherWarning.objects.filter(_area_q(area)).values("pk"))


def campaigns_active(at: datetime | None = None) -> QuerySet[Campaign]:
    at = at or timezone.now()
    return Campaign.objects.filter(starts_at__lte=at, ends_at__gte=at)


def campaigns_active_in(division: Division, at: datetime | None = None) -> QuerySet[Campaign]:
    """Campaigns running at `at` whose divisions contain `division`."""
    return campaigns_active(at).filter(divisions__code__in=ancestor_codes(division.code)).distinct()


def patrol_every_hours(division: Division, at: datetime | None = None) -> int:
    """How often the area is to be patrolled: more often while a campaign runs there."""
    hours = [c.patrol_every_hours for c in campaigns_active_in(division, at)]
    return min([PATROL_HOURS_NORMAL, *hours])


def shelters_open(at: datetime | None = None) -> QuerySet[ShelterPoint]:
    """Shelter points of running campaigns: the public portal shows these."""
    at = at or timezone.now()
    return ShelterPoint.objects.select_related("division", "campaign").filter(
        campaign__starts_at__lte=at, campaign__ends_at__gte=at
    )


def shelters_open_for(user: User, at: datetime | None = None) -> QuerySet[ShelterPoint]:
    area = user_area(user)
    qs = shelters_open(at)
    if area is False:
        return qs.none()
    if area is None:
        return qs
    return qs.filter(_area_q(area, "division") | _area_q(area, "campaign__divisions")).distinct()


@dataclass
class ReportRow:
    division: Division
    day: date
    people_reached: int = 0
    persuaded: int = 0
    supplies: dict[str, int] = field(default_factory=dict)

    @property
    def supplies_in_words(self) -> list[tuple[str, int]]:
        return supplies_in_words(self.supplies)


def supplies_in_words(supplies: dict[str, int]) -> list[tuple[str, int]]:
    """(what, how many) for a page: "饮用水 10", never the code."""
    from homeward.dispatch.models import Supply

    return [(str(Supply(k).label) if k in Supply.values else k, n) for k, n in supplies.items()]


def campaign_report(campaign: Campaign) -> list[ReportRow]:
    """People reached, persuaded into shelter and supplies handed out, by division and day:
    from the outreach records, and from the calls the street teams resolved in the
    campaign's area while it ran."""
    from homeward.dispatch.models import Incident, Outcome, SupplyHandout

    divisions = list(campaign.divisions.all())
    if not divisions:
        return []

    def home(code: str) -> Division | None:
        return next((d for d in divisions if code.startswith(d.prefix)), None)

    rows: dict[tuple[str, date], ReportRow] = {}

    def row(division: Division, at: datetime) -> ReportRow:
        day = timezone.localtime(at).date()
        key = (division.code, day)
        if key not in rows:
            rows[key] = ReportRow(division, day)
        return rows[key]

    for o in Outreach.objects.filter(campaign=campaign).select_related("division"):
        target = home(o.division.code) or o.division
        r = row(target, o.at)
        r.people_reached += o.people_reached
        r.persuaded += o.persuaded
    within = reduce(or_, (Q(division__code__startswith=d.prefix) for d in divisions))
    # The street teams' own work during the campaign counts too: each call resolved in the
    # area is the people met (unless nobody was found, or the report was false), and a
    # call that brought them to a station is people persuaded to come in.
    resolved = Incident.objects.filter(
        within,
        resolved_at__gte=campaign.starts_at,
        resolved_at__lte=campaign.ends_at,
        merged_into__isnull=True,
    ).exclude(outcome__in=[Outcome.NOT_FOUND, Outcome.FALSE_REPORT, ""])
    for i in resolved.select_related("division"):
        target = home(i.division.code)
        if target is None:
            continue
        r = row(target, i.resolved_at)
        r.people_reached += i.people_count
        if i.outcome == Outcome.BROUGHT_TO_STATION:
            r.persuaded += i.people_count
    handouts = SupplyHandout.objects.filter(
        within, at__gte=campaign.starts_at, at__lte=campaign.ends_at
    ).select_related("division")
    for h in handouts:
        target = home(h.division.code)
        if target is None:
            continue
        r = row(target, h.at)
        r.supplies[h.kind] = r.supplies.get(h.kind, 0) + h.quantity
    return sorted(rows.values(), key=lambda r: (r.day, r.division.code))


def report_totals(rows: list[ReportRow]) -> dict:
    supplies: dict[str, int] = defaultdict(int)
    for r in rows:
        for kind, n in r.supplies.items():
            supplies[kind] += n
    return {
        "people_reached": sum(r.people_reached for r in rows),
        "persuaded": sum(r.persuaded for r in rows),
        "supplies": dict(supplies),
    }
