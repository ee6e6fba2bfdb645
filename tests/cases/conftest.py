"""Fixtures for cases: desk staff at two stations and a quick way to admit someone."""

from __future__ import annotations

import pytest

from homeward.accounts.models import Role
from homeward.cases.services import IntakeData, intake_admit
from homeward.stations.models import Room
from homeward.stations.services import room_create
from tests.conftest import make_user


@pytest.fixture
def desk(suzhou):
    """Intake staff at Suzhou; the station also gets a women's and a minors' room."""
    room_create(station=suzhou, name="201", kind=Room.Kind.WOMEN, beds=2)
    room_create(station=suzhou, name="301", kind=Room.Kind.MINORS, beds=2)
    return make_user("sz.desk", Role.INTAKE, station=suzhou)


@pytest.fixture
def hangzhou_desk(hangzhou):
    return make_user("hz.desk", Role.INTAKE, station=hangzhou)


def admit(station, by, **fields):
    data = {
        "brought_by": "police",
        "name": "张三",
        "name_source": "said",
        "sex": "M",
        "age_estimate_min": 40,
        "age_estimate_max": 50,
    }
    data.update(fields)
    return intake_admit(station=station, data=IntakeData(**data), by=by)
