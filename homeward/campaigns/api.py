"""The campaigns API: warnings entered or fed in; open shelter points for the portal."""

from __future__ import annotations

from datetime import datetime, time

from django.http import HttpRequest
from ninja import Router, Schema, Status

from homeward.campaigns import selectors, services
from homeward.common.schemas import input_schema

router = Router(tags=["campaigns"])


WarningIn = input_schema(services.FeedSignal, name="WarningIn")


class WarningOut(Schema):
    id: int
    hazard: str
    level: str
    divisions: list[str]
    valid_from: datetime
    valid_until: datetime
    campaign_id: int | None
    campaign_kind: str | None
    repeated: bool


@router.post(
    "/warnings",
    response={200: WarningOut, 201: WarningOut},
    summary="Record a weather warning",
    description=(
        "201 when the signal is new; 200 with `repeated` when its `id` was received before "
        "(nothing is recorded twice). 400 bodies name the field at fault in `errors`."
    ),
)
def post_warning(request: HttpRequest, payload: WarningIn):  # type: ignore[valid-type]
    signal = services.FeedSignal(**payload.dict())
    imported = services.warning_import(signal=signal, by=request.user)
    warning = imported.warning
    campaign = warning.campaigns.first()
    return Status(
        200 if imported.repeated else 201,
        WarningOut(
            id=warning.pk,
            hazard=warning.hazard,
            level=warning.level,
            divisions=sorted(warning.divisions.values_list("code", flat=True)),
            valid_from=warning.valid_from,
            valid_until=warning.valid_until,
            campaign_id=campaign.pk if campaign else None,
            campaign_kind=campaign.kind if campaign else None,
            repeated=imported.repeated,
        ),
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
