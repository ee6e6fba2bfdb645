"""Weather warnings open campaigns in exactly their divisions; shelters, patrols, the report."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from homeward.accounts.models import Role
from homeward.campaigns import selectors, services
from homeward.campaigns.models import PATROL_HOURS, Campaign, WeatherWarning
from homeward.dispatch.models import SupplyHandout
from homeward.dispatch.services import Report, incident_open, supply_hand_out
from homeward.regions.models import Division
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def warning(hazard, level, codes, hours=24, by=None, start=None):
    start = start or timezone.now() - timedelta(hours=1)
    data = services.WarningData(
        hazard=hazard,
        level=level,
        divisions=list(Division.objects.filter(code__in=codes)),
        valid_from=start,
        valid_until=start + timedelta(hours=hours),
    )
    return services.warning_record(data=data, by=by)


# "An hour before the test runs", read when the test runs (parameters are made when the
# tests are collected, on another clock than the one a test may set).
HOUR_AGO = "<an hour ago>"


def signal_of(item: dict) -> services.FeedSignal:
    """The signal a feed's JSON object gives (the API reads it so, through its schema)."""
    times = {k: datetime.fromisoformat(item[k]) for k in ("valid_from", "valid_until")}
    return services.FeedSignal(**{**item, **times})


def feed_item(**fields) -> dict:
    now = timezone.now()
    fields = {
        key: (now - timedelta(hours=1)).isoformat() if value == HOUR_AGO else value
        for key, value in fields.items()
    }
    item = {
        "id": "CMA-320500-0001",
        "type": "高温",
        "level": "红色",
        "divisions": ["320508", "320583"],
        "valid_from": now.isoformat(),
        "valid_until": (now + timedelta(days=1)).isoformat(),
    }
    item.update(fields)
    return item


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


@pytest.mark.parametrize(
    ("hazard", "below", "at", "kind"),
    [
        ("cold_wave", "blue", "yellow", "winter_warmth"),
        ("heat", "yellow", "orange", "summer_cool"),
        ("typhoon", "yellow", "orange", "emergency_relief"),
        ("rainstorm", "yellow", "orange", "emergency_relief"),
    ],
)
def test_each_hazard_opens_its_campaign_from_its_threshold_level(suzhou, hazard, below, at, kind):
    warning(hazard, below, ["320508"])
    assert not Campaign.objects.exists()
    warning(hazard, at, ["320583"])
    campaign = Campaign.objects.get()
    assert campaign.kind == kind and campaign.patrol_every_hours == PATROL_HOURS[at]
    assert list(campaign.divisions.values_list("code", flat=True)) == ["320583"]


def test_a_red_typhoon_patrols_every_two_hours(suzhou):
    warning("typhoon", "red", ["320500"])
    campaign = Campaign.objects.get()
    assert campaign.kind == "emergency_relief" and campaign.patrol_every_hours == 2


def test_a_feed_signal_in_the_national_shape_is_understood_and_not_repeated(client, suzhou):
    admin = make_user("js.admin2", Role.PROVINCE_ADMIN, division="320000")
    client.force_login(admin)
    body = feed_item()
    first = client.post("/api/campaigns/warnings", body, content_type="application/json")
    assert first.status_code == 201
    out = first.json()
    assert (out["hazard"], out["level"], out["divisions"]) == ("heat", "red", ["320508", "320583"])
    assert out["campaign_kind"] == "summer_cool" and out["repeated"] is False
    recorded = WeatherWarning.objects.get()
    assert recorded.source == "feed" and recorded.external_id == "CMA-320500-0001"
    campaign = Campaign.objects.get()
    assert out["campaign_id"] == campaign.pk and campaign.warning == recorded
    assert campaign.kind == "summer_cool" and campaign.patrol_every_hours == 2
    assert sorted(campaign.divisions.values_list("code", flat=True)) == ["320508", "320583"]
    assert selectors.patrol_every_hours(Division.objects.get(code="320506")) == 24  # 吴中区

    again = client.post("/api/campaigns/warnings", body, content_type="application/json")
    assert again.status_code == 200
    assert again.json()["id"] == out["id"] and again.json()["repeated"] is True
    assert again.json()["campaign_id"] == campaign.pk
    assert WeatherWarning.objects.count() == 1 and Campaign.objects.count() == 1


def test_the_feeds_english_codes_are_understood_too(suzhou):
    imported = services.warning_import(
        signal=signal_of(feed_item(type="typhoon", level="orange")), by=None
    )
    assert (imported.warning.hazard, imported.warning.level) == ("typhoon", "orange")
    assert imported.warning.campaigns.get().kind == "emergency_relief"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": "沙尘暴"}, "hazard"),
        ({"type": "hail"}, "hazard"),
        ({"level": "紫色"}, "level"),
        ({"divisions": ["320508", "999999"]}, "divisions"),
        ({"divisions": []}, "divisions"),
        ({"valid_until": HOUR_AGO}, "valid_until"),
    ],
)
def test_a_bad_feed_signal_is_refused_naming_the_field(client, suzhou, fields, field):
    with pytest.raises(ValidationError) as err:
        services.warning_import(signal=signal_of(feed_item(**fields)), by=None)
    assert field in err.value.message_dict
    assert not WeatherWarning.objects.exists() and not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": "沙尘暴"}, "hazard"),
        ({"level": "紫色"}, "level"),
        ({"divisions": ["999999"]}, "divisions"),
        ({"valid_until": HOUR_AGO}, "valid_until"),
    ],
)
def test_the_api_names_the_bad_field_of_a_signal(client, suzhou, fields, field):
    """What the service refuses, through the API: 400 naming the field."""
    client.force_login(make_user("js.admin2", Role.PROVINCE_ADMIN, division="320000"))
    response = client.post(
        "/api/campaigns/warnings", feed_item(**fields), content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not WeatherWarning.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"type": ""}, "type"),
        ({"level": ""}, "level"),
        ({"divisions": None}, "divisions"),
        ({"valid_from": "tomorrow"}, "valid_from"),
    ],
)
def test_a_signal_not_in_the_feeds_shape_is_refused_before_the_service(
    client, suzhou, fields, field
):
    """The shape the API document declares (from `FeedSignal`): 422 naming the field."""
    client.force_login(make_user("js.admin3", Role.PROVINCE_ADMIN, division="320000"))
    body = {k: v for k, v in feed_item(**fields).items() if v is not None}
    response = client.post("/api/campaigns/warnings", body, content_type="application/json")
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not WeatherWarning.objects.exists()


def test_a_warning_entered_by_hand_with_a_bad_field_is_refused_on_the_form(client, suzhou):
    client.force_login(make_user("sz.dispatcher", Role.DISPATCHER, station=suzhou))
    now = timezone.localtime()
    response = client.post(
        "/campaigns/",
        {
            "hazard": "heat",
            "level": "red",
            "divisions": "320508",
            "valid_from": now.strftime("%Y-%m-%dT%H:%M"),
            "valid_until": (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    assert "valid_until" in response.context["form"].errors
    assert not WeatherWarning.objects.exists()


def test_a_campaign_closes_when_its_warning_expires(client, suzhou):
    w = warning("heat", "red", ["320508"], hours=6)
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
    assert campaign.ends_at == w.valid_until
    during = w.valid_until - timedelta(minutes=1)
    after = w.valid_until + timedelta(minutes=1)
    assert campaign.state_at(during) == "running" and campaign.state_at(after) == "ended"
    assert list(selectors.campaigns_active_in(gusu, during)) == [campaign]
    assert not selectors.campaigns_active_in(gusu, after).exists()
    assert selectors.patrol_every_hours(gusu, during) == 2
    assert selectors.patrol_every_hours(gusu, after) == 24
    assert selectors.shelters_open(after).count() == 0

    # Once the warning has expired, the pages show the campaign as ended.
    Campaign.objects.filter(pk=campaign.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    client.force_login(make_user("sz.dispatcher", Role.DISPATCHER, station=suzhou))
    listing = client.get("/campaigns/").content.decode()
    assert 'data-state="ended"' in listing and 'data-state="running"' not in listing
    detail = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert 'id="campaign-state" data-state="ended"' in detail
    assert "人民路避暑点" not in client.get("/campaigns/shelters/").content.decode()
    incident = incident_open(
        station=suzhou,
        report=Report(
            channel="public", description="有人中暑", address="江苏省苏州市姑苏区人民路1号"
        ),
        by=None,
    )
    assert not incident.extreme_weather and incident.urgency == "normal"


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
    day1 = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    day1 -= timedelta(days=2)
    day2 = day1 + timedelta(days=1)
    warning("heat", "red", ["320508", "320583"], hours=72, start=day1 - timedelta(hours=2))
    campaign = Campaign.objects.get()
    gusu = Division.objects.get(code="320508")
    kunshan = Division.objects.get(code="320583")
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
    for division, at, reached, persuaded in [
        (gusu, day1, 5, 2),
        (gusu, day1 + timedelta(hours=3), 1, 1),
        (gusu, day2, 4, 0),
        (kunshan, day1, 7, 3),
    ]:
        services.outreach_record(
            campaign=campaign,
            division=division,
            at=at,
            people_reached=reached,
            persuaded=persuaded,
            by=None,
        )
    for division, at, kind, quantity in [
        (gusu, day1, "water", 10),
        (gusu, day2, "water", 4),
        (kunshan, day2, "food", 6),
        (Division.objects.get(code="320506"), day1, "water", 99),  # 吴中区: outside
    ]:
        handout = supply_hand_out(
            station=suzhou, kind=kind, quantity=quantity, by=None, division=division
        )
        SupplyHandout.objects.filter(pk=handout.pk).update(at=at)
    assert "人民路避暑点" in client.get("/campaigns/shelters/").content.decode()
    assert client.get("/api/campaigns/shelters").json()[0]["capacity"] == 30
    rows = [
        (r.day, r.division.code, r.people_reached, r.persuaded, r.supplies)
        for r in selectors.campaign_report(campaign)
    ]
    assert rows == [
        (day1.date(), "320508", 6, 3, {"water": 10}),
        (day1.date(), "320583", 7, 3, {}),
        (day2.date(), "320508", 4, 0, {"water": 4}),
        (day2.date(), "320583", 0, 0, {"food": 6}),
    ]
    totals = selectors.report_totals(selectors.campaign_report(campaign))
    assert totals == {"people_reached": 17, "persuaded": 6, "supplies": {"water": 14, "food": 6}}
