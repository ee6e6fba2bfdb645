"""The demo data `make run` loads."""

from __future__ import annotations

import pytest

from homeward.accounts.models import Role, User
from homeward.stations.models import Bed, Station
from homeward.web.demo import DEMO_PASSWORD, demo_load

pytestmark = pytest.mark.django_db


def test_demo_data_covers_every_role_and_five_provinces():
    demo_load()
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    provinces = {code[:2] for code in Station.objects.values_list("division_id", flat=True)}
    assert provinces == {"32", "33", "13", "37", "44"}
    assert Bed.objects.count() > 0
    assert User.objects.get(username="suzhou.head").check_password(DEMO_PASSWORD)


def test_demo_people_cover_minors_long_stays_and_every_exit_kind():
    from homeward.cases.models import Exit, Stay

    demo_load()
    assert Stay.objects.count() >= 60
    assert Stay.objects.filter(is_minor=True).exists()
    assert set(Exit.objects.values_list("kind", flat=True)) == set(Exit.Kind.values)
    in_station = Stay.objects.filter(status="in_station")
    assert any(s.days_in_station() >= 90 for s in in_station)


def test_loading_the_demo_twice_adds_nothing():
    demo_load()
    counts = (Station.objects.count(), User.objects.count(), Bed.objects.count())
    assert demo_load() == {"stations": 0, "users": 0, "stays": 0}
    assert (Station.objects.count(), User.objects.count(), Bed.objects.count()) == counts
