"""The cases API: the same services and scoping as the staff pages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from homeward.accounts.audit import audit_record
from homeward.accounts.permissions import VIEW_HEALTH, VIEW_MINOR_DETAILS
from homeward.cases import selectors, services
from homeward.cases.models import Exit, Person, Stay
from homeward.regions.selectors import divisions_resolve
from homeward.stations.models import Station

router = Router(tags=["cases"])


class StayOut(Schema):
    id: int
    number: str
    person_id: int
    name: str
    sex: str
    age: str
    station_id: int
    status: str
    admitted_at: datetime
    exited_at: datetime | None
    exit_kind: str | None
    days_in_station: int
    flags: list[int]
    is_minor: bool
    id_number: str | None
    health_on_arrival: str | None


def _out(stay: Stay, user) -> StayOut:
    sees_minor = not stay.is_minor or user.has_perm(VIEW_MINOR_DETAILS)
    exit_ = getattr(stay, "exit", None)
    return StayOut(
        id=stay.pk,
        number=stay.number,
        person_id=stay.person_id,
        name=str(stay.person),
        sex=stay.person.sex,
        age=stay.age_now,
        station_id=stay.station_id,
        status=stay.status,
        admitted_at=stay.admitted_at,
        exited_at=stay.exited_at,
        exit_kind=exit_.kind if exit_ else None,
        days_in_station=stay.days_in_station(),
        flags=stay.flags(),
        is_minor=stay.is_minor,
        id_number=stay.person.id_number if sees_minor else None,
        health_on_arrival=stay.health_on_arrival if user.has_perm(VIEW_HEALTH) else None,
    )


@router.get(
    "/stays", response=list[StayOut], summary="Stays in your stations (in station now by default)"
)
def list_stays(request: HttpRequest, status: str = "in_station"):
    qs = selectors.stays_visible(request.user).select_related("exit")
    if status in Stay.Status.values:
        qs = qs.filter(status=status)
    audit_record(actor=request.user, action="list", object_type="cases.stay", request=request)
    return [_out(s, request.user) for s in qs[:500]]


@router.get("/stays/{stay_id}", response=StayOut, summary="One stay (404 outside your scope)")
def get_stay(request: HttpRequest, stay_id: int):
    return _out(selectors.stay_get(request.user, stay_id, request=request), request.user)


BroughtBy = Literal[tuple(Stay.BroughtBy.values)]  # type: ignore[valid-type]
NameSource = Literal[tuple(Person.NameSource.values)]  # type: ignore[valid-type]
ExitKind = Literal[tuple(Exit.Kind.values)]  # type: ignore[valid-type]
Sex = Literal["M", "F", "U"]


class IntakeIn(Schema):
    brought_by: BroughtBy
    referring_unit: str = ""
    name: str = ""
    name_source: NameSource = "unknown"
    id_number: str = ""
    sex: Sex = "U"
    birth_date: date | None = None
    age_estimate_min: int | None = None
    age_estimate_max: int | None = None
    language: str = ""
    dialect_division: str | None = None
    height_cm: int | None = None
    marks: list[str] = []
    conditions: list[str] = []
    found_at: datetime | None = None
    found_division: str | None = None
    found_address: str = ""
    found_point: tuple[float, float] | None = None
    health_on_arrival: str = ""
    belongings: list[tuple[str, int]] = []


@router.post("/intake", response={201: StayOut}, summary="Register a person at your station")
def intake(request: HttpRequest, payload: IntakeIn):
    station: Station | None = request.user.station
    if station is None:
        raise PermissionDenied
    fields = payload.dict()
    divisions_resolve(fields, "dialect_division", "found_division", "home_division")
    point = fields.pop("found_point")
    if point:
        fields["found_latitude"], fields["found_longitude"] = point
    fields["belongings"] = [tuple(b) for b in fields["belongings"]]
    stay = services.intake_admit(
        station=station, data=services.IntakeData(**fields), by=request.user
    )
    return Status(201, _out(stay, request.user))


class ExitIn(Schema):
    kind: ExitKind
    note: str = ""
    destination_division: str | None = None
    ticket: str = ""
    escorted: bool = False
    escort_name: str = ""
    travel_cost_yuan: Decimal | None = None
    collector_name: str = ""
    collector_relation: str = ""
    collector_id_number: str = ""
    identity_checked: bool = False
    to_station: int | None = None
    to_institution: str = ""
    hospital: str = ""
    authority_informed: str = ""


@router.post("/stays/{stay_id}/exit", response=StayOut, summary="End a stay")
def exit_stay(request: HttpRequest, stay_id: int, payload: ExitIn):
    stay = selectors.stay_get(request.user, stay_id, request=request)
    fields = payload.dict()
    divisions_resolve(fields, "destination_division")
    if fields["to_station"]:
        # As on the page: only an active station can receive a transfer.
        target = Station.objects.filter(pk=fields["to_station"], is_active=True).first()
        if target is None:
            raise ValidationError({"to_station": [_("No active station has this id.")]})
        fields["to_station"] = target
    else:
        fields["to_station"] = None
    services.stay_exit(stay=stay, data=services.ExitData(**fields), by=request.user)
    stay.refresh_from_db()
    return _out(stay, request.user)
