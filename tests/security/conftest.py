"""Fixtures for the security tests: a desk at Suzhou and one at Guangzhou."""

from __future__ import annotations

import pytest

from homeward.accounts.models import Role
from tests.conftest import make_station, make_user


@pytest.fixture
def desk(suzhou):
    return make_user("sz.desk", Role.INTAKE, station=suzhou)


@pytest.fixture
def guangzhou(db):
    return make_station("广州测试站", "440103")


@pytest.fixture
def guangzhou_desk(guangzhou):
    return make_user("gz.desk", Role.INTAKE, station=guangzhou)
