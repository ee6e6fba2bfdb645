"""The cases API: the same services and scoping as the staff pages."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from homeward.accounts.audit import audit_record
from homeward.accounts.permissions import VIEW_HEALTH, VIEW_MINOR_DETAILS
from homeward.cases import selectors, services
from homeward.cases.models import Exit, Person, Stay
from homeward.common.schemas import input_schema
from homeward.regions.selectors import references_resolve
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


IntakeIn = input_schema(
    services.IntakeData,
    name="IntakeIn",
    choices={
        "brought_by": Stay.BroughtBy.values,
        "name_source": Person.NameSource.values,
        "sex": ["M", "F", "U"],
        "found_precision": Stay.FoundPrecision.values,
    },
    internal={"source_ref": "set by the HWX import from the record's own id"},
    # Kept from before the schema came from IntakeData: a point as [latitude, longitude].
    extra={"found_point": (tuple[float, float] | None, None)},
)


@router.post("/intake", response={201: StayOut}, summary="Register a person at your station")
def intake(request: HttpRequest, payload: IntakeIn):  # type: ignore[valid-type]
    station: Station | None = request.user.station
    if station is None:
        raise PermissionDenied
    fields = payload.dict()
    references_resolve(fields, services.IntakeData)
    point = fields.pop("found_point")
    if point:
        fields["found_latitude"], fields["found_longitude"] = point
    fields["belongings"] = [tuple(b) for b in fields["belongings"]]
    stay = services.intake_admit(
        station=station, data=services.IntakeData(**fields), by=request.user
    )
    return Status(201, _out(stay, request.user))


def _active_station(station_id: int) -> Station:
    # As on the page: only an active station can receive a transfer.
    target = Station.objects.filter(pk=station_id, is_active=True).first()
    if target is None:
        raise ValidationError({"to_station": [_("No active station has this id.")]})
    return target


ExitIn = input_schema(services.ExitData, name="ExitIn", choices={"kind": Exit.Kind.values})


@router.post("/stays/{stay_id}/exit", response=StayOut, summary="End a stay")
def exit_stay(request: HttpRequest, stay_id: int, payload: ExitIn):  # type: ignore[valid-type]
    stay = selectors.stay_get(request.user, stay_id, request=request)
    fields = payload.dict()
    references_resolve(fields, services.ExitData, {"to_station": _active_station})
    services.stay_exit(stay=stay, data=services.ExitData(**fields), by=request.user)
    stay.refresh_from_db()
    return _out(stay, request.user)
