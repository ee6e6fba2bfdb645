from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from homeward.accounts.audit import audit_record
from homeward.accounts.selectors import scoped_get
from homeward.stations.models import Station
from homeward.stations.selectors import station_occupancy, stations_visible, stations_with_occupancy

router = Router(tags=["stations"])


class StationOut(Schema):
    id: int
    public_id: str
    name: str
    level: str
    division: str
    address: str
    latitude: float
    longitude: float
    phone_24h: str
    bed_capacity: int
    beds: int
    beds_occupied: int


def _out(s: Station, beds: int, occupied: int) -> StationOut:
    return StationOut(
        id=s.pk,
        public_id=str(s.public_id),
        name=s.name,
        level=s.level,
        division=s.division_id,
        address=s.address,
        latitude=s.latitude,
        longitude=s.longitude,
        phone_24h=s.phone_24h,
        bed_capacity=s.bed_capacity,
        beds=beds,
        beds_occupied=occupied,
    )


@router.get("", response=list[StationOut], summary="Stations in your scope")
def list_stations(request: HttpRequest):
    stations = stations_with_occupancy(stations_visible(request.user))
    audit_record(actor=request.user, action="list", object_type="stations.station", request=request)
    return [_out(s, s.beds_total, s.beds_occupied) for s in stations]


@router.get("/{station_id}", response=StationOut, summary="One station (404 outside your scope)")
def get_station(request: HttpRequest, station_id: int):
    station = scoped_get(
        request.user,
        Station.objects.select_related("division"),
        request=request,
        station_field="",
        pk=station_id,
    )
    occ = station_occupancy(station)
    return _out(station, occ.beds, occ.occupied)
