"""Weather warnings open campaigns in exactly their divisions; shelters, patrols, the report."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from homeward.accounts.models import Role
from homeward.campaigns import selectors, services
from homeward.campaigns.models import Campaign
from homeward.dispatch.services import Report, incident_open, supply_hand_out
from homeward.regions.models import Division
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def warning(hazard, level, codes, hours=24, by=None):
    now = timezone.now()
    data = services.WarningData(
        hazard=hazard,
        level=level,
        divisions=list(Division.objects.filter(code__in=codes)),
        valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(hours=hours),
    )
    return services.warning_record(data=data, by=by)


def test_a_red_heat_warning_opens_a_summer_cool_campaign_in_exactly_its_divisions(suzhou):
    w = warning("heat", "red", ["320508", "320583"])
    campaign = Campaign.objects.get()
    assert campaign.kind == "summer_cool" and campaign.warning == w
    assert sorted(campaign.divisions.values_list("code", flat=True)) == ["320508", "320583"]
    assert campaign.patrol_every_hours == 2
    gusu = Division.objects.get(code="320508")
    assert selectors.patrol_every_hours(gusu) == 2
    assert selectors.patrol_every_hours(Division.objects.get(code="320506")) == 24  # 吴中区


def test_a_warning_below_its_threshold_opens_no_campaign(suzhou):
    warning("heat", "yellow", ["320508"])
    assert not Campaign.objects.exists()


def test_a_cold_wave_opens_winter_warmth_and_a_second_signal_extends_it(suzhou):
    warning("cold_wave", "yellow", ["320500"], hours=12)
    warning("cold_wave", "orange", ["320500"], hours=48)
    campaign = Campaign.objects.get()
    assert campaign.kind == "winter_warmth" and campaign.patrol_every_hours == 4
    assert campaign.ends_at > timezone.now() + timedelta(hours=40)


def test_a_feed_signal_in_the_national_shape_is_understood_and_not_repeated(client, suzhou):
    admin = make_user("js.admin2", Role.PROVINCE_ADMIN, division="320000")
    client.force_login(admin)
    now = timezone.now()
    body = {
        "id": "CMA-320500-0001",
        "type": "高温",
        "level": "红色",
        "divisions": ["320500"],
        "valid_from": now.isoformat(),
        "valid_until": (now + timedelta(days=1)).isoformat(),
    }
    first = client.post("/api/campaigns/warnings", body, content_type="application/json")
    assert first.status_code == 201 and first.json()["campaign_id"] is not None
    again = client.post("/api/campaigns/warnings", body, content_type="application/json")
    assert again.json()["id"] == first.json()["id"]
    assert Campaign.objects.count() == 1


def test_a_dispatcher_cannot_record_a_warning_outside_their_area(suzhou, hangzhou):
    dispatcher = make_user("hz.dispatcher", Role.DISPATCHER, station=hangzhou)
    with pytest.raises(PermissionDenied):
        warning("heat", "red", ["320508"], by=dispatcher)


def test_campaigns_are_seen_only_inside_the_users_area(client, suzhou, hangzhou):
    warning("heat", "red", ["320500"])
    campaign = Campaign.objects.get()
    sz = make_user("sz.dispatcher", Role.DISPATCHER, station=suzhou)  # a county inside the city
    hz = make_user("hz.dispatcher", Role.DISPATCHER, station=hangzhou)
    assert list(selectors.campaigns_visible(sz)) == [campaign]
    assert list(selectors.campaigns_visible(hz)) == []
    client.force_login(hz)
    assert client.get(f"/campaigns/{campaign.pk}/").status_code == 404


def test_a_report_during_a_campaign_is_triaged_as_extreme_weather(suzhou):
    warning("heat", "red", ["320500"])
    incident = incident_open(
        station=suzhou,
        report=Report(
            channel="public", description="有人中暑", address="江苏省苏州市姑苏区人民路1号"
        ),
        by=None,
    )
    assert incident.extreme_weather and incident.urgency == "high"


def test_shelters_open_on_the_portal_and_the_report_counts_by_division_and_day(client, suzhou):
    warning("heat", "red", ["320508"])
    campaign = Campaign.objects.get()
    gusu = Division.objects.get(code="320508")
    services.shelter_open(
        campaign=campaign,
        name="人民路避暑点",
        kind="heat",
        division=gusu,
        address="人民路1号",
        point=(31.31, 120.62),
        capacity=30,
        hours=(time(9), time(21)),
        by=None,
    )
    services.outreach_record(
        campaign=campaign, division=gusu, at=timezone.now(), people_reached=5, persuaded=2, by=None
    )
    supply_hand_out(station=suzhou, kind="water", quantity=10, by=None, division=gusu)
    assert "人民路避暑点" in client.get("/campaigns/shelters/").content.decode()
    assert client.get("/api/campaigns/shelters").json()[0]["capacity"] == 30
    rows = selectors.campaign_report(campaign)
    assert len(rows) == 1
    row = rows[0]
    assert (row.division, row.people_reached, row.persuaded, row.supplies) == (
        gusu,
        5,
        2,
        {"water": 10},
    )
