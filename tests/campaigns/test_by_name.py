"""Campaigns in words: a warning names its areas, a shelter point is entered by address,
and the campaign counts the street teams' own work in its area while it runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from homeward.accounts.models import Role
from homeward.campaigns import selectors
from homeward.campaigns.models import Campaign, ShelterPoint, WeatherWarning
from homeward.dispatch.services import (
    Report,
    incident_dispatch,
    incident_open,
    incident_resolve,
    team_create,
)
from homeward.regions.models import Division
from tests.campaigns.test_campaigns import warning
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _moment(delta_hours: float) -> str:
    return (timezone.localtime() + timedelta(hours=delta_hours)).strftime("%Y-%m-%dT%H:%M")


def test_a_warning_entered_by_hand_names_its_areas(client, suzhou):
    client.force_login(make_user("sz.dispatcher", Role.DISPATCHER, station=suzhou))
    response = client.post(
        "/campaigns/",
        {
            "hazard": "cold_wave",
            "level": "red",
            "divisions": "姑苏区、江苏省苏州市昆山市（320583）",
            "valid_from": _moment(-1),
            "valid_until": _moment(24),
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert {d.code for d in campaign.divisions.all()} == {"320508", "320583"}


def test_an_unknown_area_is_named_and_nothing_is_saved(client, suzhou):
    client.force_login(make_user("sz.dispatcher", Role.DISPATCHER, station=suzhou))
    response = client.post(
        "/campaigns/",
        {
            "hazard": "cold_wave",
            "level": "red",
            "divisions": "姑苏区、火星市",
            "valid_from": _moment(-1),
            "valid_until": _moment(24),
        },
    )
    assert response.status_code == 200
    assert "火星市" in " ".join(response.context["form"].errors["divisions"])
    assert "姑苏区" not in " ".join(response.context["form"].errors["divisions"])
    assert not WeatherWarning.objects.exists()


def test_a_name_that_several_places_share_is_never_picked_silently(client, jiangsu_admin):
    client.force_login(jiangsu_admin)
    response = client.post(
        "/campaigns/",
        {
            "hazard": "cold_wave",
            "level": "red",
            "divisions": "鼓楼区",
            "valid_from": _moment(-1),
            "valid_until": _moment(24),
        },
    )
    errors = " ".join(response.context["form"].errors["divisions"])
    assert "南京市" in errors and "徐州市" in errors  # both in Jiangsu
    assert not WeatherWarning.objects.exists()
    # With its city, or as a suggestion shows it, it is one place; a space is no separator.
    for written, code in (("南京市鼓楼区", "320106"), ("江苏 苏州", "320500")):
        Campaign.objects.all().delete()
        WeatherWarning.objects.all().delete()
        response = client.post(
            "/campaigns/",
            {
                "hazard": "cold_wave",
                "level": "red",
                "divisions": written,
                "valid_from": _moment(-1),
                "valid_until": _moment(24),
            },
        )
        assert response.status_code == 302, response.context["form"].errors
        assert [d.code for d in Campaign.objects.get().divisions.all()] == [code]


def test_a_shelter_entered_by_address_stands_at_its_divisions_centre(client, suzhou):
    warning("cold_wave", "red", ["320508"], hours=48)
    campaign = Campaign.objects.get()
    client.force_login(make_user("sz.head", Role.STATION_HEAD, station=suzhou))
    response = client.post(
        f"/campaigns/{campaign.pk}/",
        {
            "name": "人民路避寒点",
            "kind": "cold",
            "division": "姑苏区",
            "address": "人民路1号",
            "capacity": "30",
            "opens": "18:00",
            "closes": "08:00",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    shelter = ShelterPoint.objects.get()
    gusu = Division.objects.get(code="320508")
    assert (shelter.latitude, shelter.longitude) == gusu.point


def test_the_campaign_counts_the_calls_its_teams_resolved_in_its_area(suzhou):
    warning("cold_wave", "red", ["320508"], hours=48)
    campaign = Campaign.objects.get()
    dispatcher = make_user("sz.dispatcher", Role.DISPATCHER, station=suzhou)
    team = team_create(station=suzhou, name="一组", base=(31.31, 120.62), by=dispatcher)

    def call(address: str, outcome: str, people: int = 1) -> None:
        incident = incident_open(
            station=suzhou,
            report=Report(
                channel="hotline",
                description="桥下一位老人",
                address=address,
                people_count=people,
            ),
            by=dispatcher,
        )
        incident_dispatch(incident=incident, team=team, by=dispatcher)
        incident_resolve(
            incident=incident,
            outcome=outcome,
            note="老人衣着单薄",
            by=dispatcher,
            supplies=[("quilt", 1)],
        )

    call("江苏省苏州市姑苏区人民路100号", "brought_to_station")
    call("江苏省苏州市姑苏区观前街1号", "refused_help", people=2)
    call("江苏省苏州市姑苏区石路", "not_found")
    call("江苏省苏州市吴中区木渎镇", "brought_to_station")  # outside the campaign's area
    totals = selectors.report_totals(selectors.campaign_report(campaign))
    assert totals["people_reached"] == 3  # 1 brought in + 2 who refused; nobody found: 0
    assert totals["persuaded"] == 1
    assert totals["supplies"] == {"quilt": 3}


def test_outreach_is_recorded_only_inside_ones_own_area(suzhou, hangzhou):
    from django.core.exceptions import PermissionDenied

    from homeward.campaigns.services import outreach_record

    warning("cold_wave", "red", ["320508"], hours=48)
    campaign = Campaign.objects.get()
    gusu = Division.objects.get(code="320508")
    outsider = make_user("hz.dispatcher", Role.DISPATCHER, station=hangzhou)
    with pytest.raises(PermissionDenied):
        outreach_record(
            campaign=campaign,
            division=gusu,
            at=timezone.now(),
            people_reached=3,
            persuaded=1,
            by=outsider,
        )
    own = make_user("sz.dispatcher", Role.DISPATCHER, station=suzhou)
    record = outreach_record(
        campaign=campaign, division=gusu, at=timezone.now(), people_reached=3, persuaded=1, by=own
    )
    assert record.people_reached == 3
