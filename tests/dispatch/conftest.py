"""Fixtures for dispatch: a Suzhou dispatcher, two teams, a 110 partner."""

from __future__ import annotations

import pytest

from homeward.accounts.models import Role
from homeward.dispatch.models import Partner
from homeward.dispatch.services import Report, incident_open, team_create
from tests.conftest import make_user

# Points in Suzhou's old town (姑苏区): the incident, a near base and a far one.
SPOT = (31.3100, 120.6200)
NEAR = (31.3150, 120.6250)  # about 0.7 km away
FAR = (31.2600, 120.7400)  # about 12 km away


@pytest.fixture
def dispatcher(suzhou):
    return make_user("sz.dispatcher", Role.DISPATCHER, station=suzhou)


@pytest.fixture
def street(suzhou):
    return make_user("sz.street", Role.STREET_TEAM, station=suzhou)


@pytest.fixture
def teams(suzhou, dispatcher, street):
    near = team_create(station=suzhou, name="一组", base=NEAR, by=dispatcher, members=[street])
    far = team_create(station=suzhou, name="二组", base=FAR, by=dispatcher)
    return near, far


@pytest.fixture
def partner(suzhou):
    return Partner.objects.create(
        name="苏州110指挥中心", code="sz110", kind="police_110", key="k" * 32, station=suzhou
    )


def report(point=SPOT, **fields) -> Report:
    data = {
        "channel": "hotline",
        "description": "一名老人坐在桥下，衣着单薄",
        "address": "江苏省苏州市姑苏区人民路100号",
        "latitude": point[0] if point else None,
        "longitude": point[1] if point else None,
    }
    data.update(fields)
    return Report(**data)


def open_incident(station, by, point=SPOT, **fields):
    return incident_open(station=station, report=report(point, **fields), by=by)
