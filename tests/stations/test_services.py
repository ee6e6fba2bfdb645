"""Every write of stations, rooms and beds checks who asks, in the service itself: no page,
API or command can open a station or change a bed for someone without the right."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from homeward.accounts.models import Role
from homeward.regions.models import Division
from homeward.stations.models import Bed, Room
from homeward.stations.services import bed_set_state, room_create, station_create
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _station(by, code="320508", name="新站"):
    return station_create(
        name=name,
        level="county",
        division=Division.objects.get(code=code),
        address="人民路1号",
        latitude=31.3,
        longitude=120.6,
        phone_24h="0512-00000000",
        bed_capacity=10,
        by=by,
    )


def test_a_station_is_opened_by_an_administrator_over_its_area(suzhou, jiangsu_admin):
    assert _station(jiangsu_admin).division_id == "320508"
    with pytest.raises(PermissionDenied):  # Zhejiang is not Jiangsu's
        _station(jiangsu_admin, code="330106", name="杭州新站")
    with pytest.raises(PermissionDenied):  # station staff open no stations
        _station(make_user("sz.head", Role.STATION_HEAD, station=suzhou), name="又一站")


def test_rooms_by_the_head_and_beds_by_the_stations_own_staff(suzhou, hangzhou):
    head = make_user("sz.head", Role.STATION_HEAD, station=suzhou)
    desk = make_user("sz.desk", Role.INTAKE, station=suzhou)
    room = room_create(station=suzhou, name="501", kind=Room.Kind.MEN, beds=2, by=head)
    with pytest.raises(PermissionDenied):
        room_create(station=suzhou, name="502", kind=Room.Kind.MEN, beds=2, by=desk)
    with pytest.raises(PermissionDenied):  # another station's head
        room_create(
            station=suzhou,
            name="503",
            kind=Room.Kind.MEN,
            beds=2,
            by=make_user("hz.head", Role.STATION_HEAD, station=hangzhou),
        )
    bed = room.beds.first()
    assert bed_set_state(bed=bed, state=Bed.State.OUT_OF_SERVICE, by=desk).state == "out_of_service"
    with pytest.raises(PermissionDenied):
        bed_set_state(
            bed=bed, state=Bed.State.FREE, by=make_user("hz.desk", Role.INTAKE, station=hangzhou)
        )
    assert Bed.objects.get(pk=bed.pk).state == Bed.State.OUT_OF_SERVICE
