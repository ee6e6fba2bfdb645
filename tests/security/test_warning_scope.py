"""A user records weather warnings only for divisions inside their own area."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from homeward.accounts.models import Role
from homeward.campaigns.models import WeatherWarning
from tests.conftest import make_user


def _warning(client, codes: list[str]):
    now = timezone.now()
    return client.post(
        "/api/campaigns/warnings",
        {
            "id": f"T-{'-'.join(codes)}",
            "type": "寒潮",
            "level": "橙色",
            "divisions": codes,
            "valid_from": now.isoformat(),
            "valid_until": (now + timedelta(days=1)).isoformat(),
        },
        content_type="application/json",
    )


def test_a_county_station_head_cannot_warn_the_whole_province(client, kunshan):
    client.force_login(make_user("ks.head", Role.STATION_HEAD, station=kunshan))
    assert _warning(client, ["320000"]).status_code == 403
    assert _warning(client, ["320500"]).status_code == 403  # the city is wider too
    assert not WeatherWarning.objects.exists()
    assert _warning(client, ["320583"]).status_code == 201


def test_a_city_station_warns_its_city_and_a_province_admin_its_province(client, suzhou):
    client.force_login(make_user("sz.head", Role.STATION_HEAD, station=suzhou))
    assert _warning(client, ["320500", "320583"]).status_code == 201
    assert _warning(client, ["320000"]).status_code == 403
    assert _warning(client, ["330100"]).status_code == 403
    client.force_login(make_user("js.admin", Role.PROVINCE_ADMIN, division="320000"))
    assert _warning(client, ["320000"]).status_code == 201
