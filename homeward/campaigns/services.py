"""Every write of the campaigns app: warnings in, campaigns opened, shelters, outreach."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import Role, User
from homeward.campaigns.models import (
    LEVEL_RANK,
    PATROL_HOURS,
    Campaign,
    Hazard,
    Level,
    Outreach,
    ShelterPoint,
    WeatherWarning,
    thresholds,
)
from homeward.campaigns.selectors import within, writing_area
from homeward.regions.models import Division
from homeward.regions.selectors import division_get

CAMPAIGN_WRITERS = frozenset(
    {
        Role.DISPATCHER,
        Role.STATION_HEAD,
        Role.COUNTY_ADMIN,
        Role.CITY_ADMIN,
        Role.PROVINCE_ADMIN,
        Role.NATIONAL_ADMIN,
    }
)
# The national early-warning signal names (预警信号), as feeds write them.
HAZARD_NAMES = {
    "寒潮": Hazard.COLD_WAVE,
    "高温": Hazard.HEAT,
    "台风": Hazard.TYPHOON,
    "暴雨": Hazard.RAINSTORM,
    "暴雪": Hazard.BLIZZARD,
}
LEVEL_NAMES = {"蓝色": Level.BLUE, "黄色": Level.YELLOW, "橙色": Level.ORANGE, "红色": Level.RED}


def require_campaign_writer(user: User | None, divisions: Sequence[Division]) -> None:
    if user is None or user.is_superuser:
        return
    area = writing_area(user)
    if user.role not in CAMPAIGN_WRITERS or area is False:
        raise PermissionDenied(_("You cannot record warnings or campaigns."))
    # Only inside one's own area: a county station may not warn the whole province.
    if not all(within(area, d) for d in divisions):  # type: ignore[arg-type]
        raise PermissionDenied(_("Some of these divisions are outside your area."))


@dataclass
class WarningData:
    hazard: str
    level: str
    divisions: list[Division]
    valid_from: datetime
    valid_until: datetime
    text: str = ""
    external_id: str = ""


def _check(data: WarningData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.hazard not in Hazard.values:
        errors["hazard"] = [_("Choose the kind of weather.")]
    if data.level not in Level.values:
        errors["level"] = [_("Choose the warning level.")]
    if not data.divisions:
        errors["divisions"] = [_("Name at least one division.")]
    if data.valid_until <= data.valid_from:
        errors["valid_until"] = [_("The warning must end after it starts.")]
    return errors


@dataclass
class FeedSignal:
    """A signal in the national early-warning feed's shape (预警信号): `type` and `level` in
    Chinese (高温, 红色) or our codes, `divisions` as GB/T 2260 codes, `id` the feed's own.
    The API's input is made from it (`api.WarningIn`)."""

    type: str
    level: str
    divisions: list[str]
    valid_from: datetime
    valid_until: datetime
    id: str = ""
    text: str = ""


@dataclass(frozen=True)
class Imported:
    warning: WeatherWarning
    repeated: bool  # the feed sent a signal it had sent before: nothing new was recorded


@transaction.atomic
def warning_import(*, signal: FeedSignal, by: User | None) -> Imported:
    """Record a signal from a warning feed, once per feed id."""
    data = warning_from_feed(signal)
    if data.external_id:
        earlier = WeatherWarning.objects.filter(external_id=data.external_id).first()
        if earlier is not None:
            require_campaign_writer(by, data.divisions)
            return Imported(earlier, repeated=True)
    return Imported(warning_record(data=data, by=by, source=WeatherWarning.Source.FEED), False)


@transaction.atomic
def warning_record(
    *, data: WarningData, by: User | None, source: str = WeatherWarning.Source.MANUAL
) -> WeatherWarning:
    """Record a warning; over its hazard's threshold it opens (or extends) a campaign.

    The campaign covers exactly the warning's divisions and its valid time, so it
    ends when the warning expires.
    """
    require_campaign_writer(by, data.divisions)
    errors = _check(data)
    if errors:
        raise ValidationError(errors)
    if data.external_id:
        earlier = WeatherWarning.objects.filter(external_id=data.external_id).first()
        if earlier is not None:
            return earlier  # a feed sends the same signal again: nothing new
    warning = WeatherWarning(
        hazard=data.hazard,
        level=data.level,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        source=source,
        external_id=data.external_id,
        text=data.text.strip(),
        created_by=by if by is not None and by.is_authenticated else None,
    )
    warning.full_clean()
    warning.save()
    warning.divisions.set(data.divisions)
    audit_record(actor=by, action="create", obj=warning)
    rule = thresholds().get(data.hazard)
    if rule is not None and LEVEL_RANK[data.level] >= LEVEL_RANK[rule[0]]:
        campaign_open(warning=warning, kind=rule[1], by=by)
    return warning


def campaign_open(*, warning: WeatherWarning, kind: str, by: User | None) -> Campaign:
    """Open a campaign for a warning, or stretch the running one in the same divisions."""
    codes = sorted(warning.divisions.values_list("code", flat=True))
    hours = PATROL_HOURS[warning.level]
    for running in Campaign.objects.filter(kind=kind, ends_at__gte=warning.valid_from):
        if sorted(running.divisions.values_list("code", flat=True)) == codes:
            running.ends_at = max(running.ends_at, warning.valid_until)
            running.patrol_every_hours = min(running.patrol_every_hours, hours)
            running.save(update_fields=["ends_at", "patrol_every_hours"])
            audit_record(actor=by, action="update", obj=running, detail={"warning": warning.pk})
            return running
    campaign = Campaign(
        kind=kind,
        warning=warning,
        starts_at=warning.valid_from,
        ends_at=warning.valid_until,
        patrol_every_hours=hours,
    )
    campaign.full_clean()
    campaign.save()
    campaign.divisions.set(warning.divisions.all())
    audit_record(actor=by, action="create", obj=campaign, detail={"warning": warning.pk})
    return campaign


def warning_from_feed(signal: FeedSignal) -> WarningData:
    """The warning a feed's signal gives: Chinese names (高温, 红色) and our English codes
    are both understood; an unknown division is named."""
    divisions, unknown = [], []
    for code in signal.divisions:
        division = division_get(code)
        (unknown if division is None else divisions).append(division or code)
    if unknown:
        raise ValidationError(
            {"divisions": [_("Unknown division %(c)s.") % {"c": code} for code in unknown]}
        )
    return WarningData(
        hazard=HAZARD_NAMES.get(signal.type, signal.type),
        level=LEVEL_NAMES.get(signal.level, signal.level),
        divisions=divisions,
        valid_from=signal.valid_from,
        valid_until=signal.valid_until,
        text=signal.text,
        external_id=signal.id[:64],
    )


@transaction.atomic
def shelter_open(
    *,
    campaign: Campaign,
    name: str,
    kind: str,
    division: Division,
    address: str,
    point: tuple[float, float] | None,
    capacity: int,
    hours: tuple[time, time],
    by: User | None,
) -> ShelterPoint:
    """A shelter point of the campaign. Without a point (entered by address) it stands at its
    division's centre until someone on site gives its point."""
    require_campaign_writer(by, [division])
    if point is None:
        point = division.point
    if point is None:
        raise ValidationError({"address": _("This division has no known centre: give a point.")})
    shelter = ShelterPoint(
        campaign=campaign,
        name=name.strip(),
        kind=kind,
        division=division,
        address=address.strip(),
        latitude=point[0],
        longitude=point[1],
        capacity=capacity,
        opens=hours[0],
        closes=hours[1],
    )
    shelter.full_clean()
    shelter.save()
    audit_record(actor=by, action="create", obj=shelter)
    return shelter


@transaction.atomic
def outreach_record(
    *,
    campaign: Campaign,
    division: Division,
    at: datetime,
    people_reached: int,
    persuaded: int,
    by: User | None,
) -> Outreach:
    require_campaign_writer(by, [division])
    if persuaded > people_reached:
        raise ValidationError({"persuaded": _("More persuaded than reached.")})
    outreach = Outreach(
        campaign=campaign,
        division=division,
        at=at,
        people_reached=people_reached,
        persuaded=persuaded,
        by=by,
    )
    outreach.full_clean()
    outreach.save()
    audit_record(actor=by, action="create", obj=outreach)
    return outreach
