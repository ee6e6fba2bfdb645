"""The dispatch API: partner webhooks, team positions, incidents (same services and scoping)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema

from homeward.common.schemas import input_schema
from homeward.dispatch import selectors, services
from homeward.dispatch.models import Incident

router = Router(tags=["dispatch"])


class IncidentOut(Schema):
    id: int
    public_id: str
    station_id: int
    channel: str
    status: str
    urgency: str
    description: str
    address: str
    division: str | None
    point: tuple[float, float] | None
    team_id: int | None
    merged_into: int | None
    received_at: datetime
    dispatched_at: datetime | None
    on_scene_at: datetime | None
    resolved_at: datetime | None
    outcome: str
    overdue: bool


def _out(i: Incident) -> IncidentOut:
    return IncidentOut(
        id=i.pk,
        public_id=str(i.public_id),
        station_id=i.station_id,
        channel=i.channel,
        status=i.status,
        urgency=i.urgency,
        description=i.description,
        address=i.address,
        division=i.division_id,
        point=i.point,
        team_id=i.team_id,
        merged_into=i.merged_into_id,
        received_at=i.received_at,
        dispatched_at=i.dispatched_at,
        on_scene_at=i.on_scene_at,
        resolved_at=i.resolved_at,
        outcome=i.outcome,
        overdue=i.is_overdue(),
    )


@router.post(
    "/webhook",
    auth=None,
    summary="A partner system (110, city management) reports a person in distress",
    description=(
        "Signed with the partner's key: headers X-Homeward-Partner, X-Homeward-Timestamp "
        "(Unix seconds, at most 300 s old and 60 s ahead), Idempotency-Key and "
        "X-Homeward-Signature (sha256=hex HMAC-SHA256 of "
        "'<timestamp>.<idempotency-key>.' + body). Body: description, address or division "
        "or point [lat, lon], reference, reporter_name, reporter_phone, people, minor, "
        "elderly, ill, urgency, reported_at. 201 for a new incident, 200 for a retry of one "
        "already received; 4xx bodies carry `code`, `detail` and `errors`, which maps the "
        "header or body field at fault to its messages."
    ),
)
def webhook(request: HttpRequest):
    try:
        accepted = services.webhook_receive(
            partner_code=request.headers.get("X-Homeward-Partner", ""),
            timestamp=request.headers.get("X-Homeward-Timestamp", ""),
            signature=request.headers.get("X-Homeward-Signature", ""),
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            body=request.body,
        )
    except services.WebhookError as exc:
        body = {"code": exc.code, "detail": exc.message, "errors": exc.errors}
        return JsonResponse(body, status=exc.status)
    incident = accepted.incident
    return JsonResponse(
        {
            "incident": str(incident.public_id),
            "status": incident.status,
            "urgency": incident.urgency,
            "merged_into": str(incident.merged_into.public_id) if incident.merged_into else None,
            "replayed": accepted.replayed,
        },
        status=200 if accepted.replayed else 201,
    )


@router.get("/incidents", response=list[IncidentOut], summary="Open incidents in your stations")
def list_incidents(request: HttpRequest, status: str = "open"):
    qs = selectors.incidents_visible(request.user)
    qs = qs.filter(status__in=Incident.OPEN) if status == "open" else qs.filter(status=status)
    return [_out(i) for i in qs[:500]]


@router.get("/incidents/{incident_id}", response=IncidentOut, summary="One incident")
def get_incident(request: HttpRequest, incident_id: int):
    return _out(selectors.incident_get(request.user, incident_id, request=request))


PositionIn = input_schema(services.Position, name="PositionIn")


class TeamOut(Schema):
    id: int
    name: str
    status: str
    point: tuple[float, float]
    position_at: datetime | None


@router.post(
    "/teams/{team_id}/position",
    response=TeamOut,
    summary="A team's phone reports where it is (members of the team)",
)
def team_position(request: HttpRequest, team_id: int, payload: PositionIn):  # type: ignore[valid-type]
    team = selectors.team_get(request.user, team_id, request=request)
    team = services.team_position_update(
        team=team, position=services.Position(**payload.dict()), by=request.user
    )
    return TeamOut(
        id=team.pk,
        name=team.name,
        status=team.status,
        point=team.point,
        position_at=team.position_at,
    )
