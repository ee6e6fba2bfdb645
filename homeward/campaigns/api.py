"""The campaigns API: warnings entered or fed in; open shelter points for the portal."""

from __future__ import annotations

from datetime import datetime, time

from django.http import HttpRequest
from ninja import Router, Schema

from homeward.campaigns import selectors, services
from homeward.campaigns.models import WeatherWarning

router = Router(tags=["campaigns"])


class WarningIn(Schema):
    """A signal in the national early-warning shape; type and level in Chinese or our codes."""

    id: str = ""
    type: str
    level: str
    divisions: list[str]
    valid_from: datetime
    valid_until: datetime
    text: str = ""


class WarningOut(Schema):
    id: int
    hazard: str
    level: str
    divisions: list[str]
    campaign_id: int | None


@router.post("/warnings", response={201: WarningOut}, summary="Record a weather warning")
def post_warning(request: HttpRequest, payload: WarningIn):
    item = payload.dict()
    item["valid_from"] = payload.valid_from.isoformat()
    item["valid_until"] = payload.valid_until.isoformat()
    warning = services.warning_record(
        data=services.warning_from_feed(item), by=request.user, source=WeatherWarning.Source.FEED
    )
    campaign = warning.campaigns.first()
    return 201, WarningOut(
        id=warning.pk,
        hazard=warning.hazard,
        level=warning.level,
        divisions=sorted(warning.divisions.values_list("code", flat=True)),
        campaign_id=campaign.pk if campaign else None,
    )


class ShelterOut(Schema):
    id: int
    name: str
    kind: str
    address: str
    point: tuple[float, float]
    capacity: int
    opens: time
    closes: time


@router.get(
    "/shelters", auth=None, response=list[ShelterOut], summary="Open shelter points (public)"
)
def list_shelters(request: HttpRequest):
    return [
        ShelterOut(
            id=s.pk,
            name=s.name,
            kind=s.kind,
            address=s.address,
            point=(s.latitude, s.longitude),
            capacity=s.capacity,
            opens=s.opens,
            closes=s.closes,
        )
        for s in selectors.shelters_open()
    ]
