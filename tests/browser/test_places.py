"""Places as their users see them, at 1366 px and 390 px, in Chinese and English: the live
map with place names, a scale and the calls it cannot place; a call placed only by its
district; a campaign's shelter entered by address and its counted work; the bed-load chart
with station names."""

from __future__ import annotations

from datetime import time

import pytest

from homeward.accounts.models import Role
from homeward.campaigns.models import Campaign
from homeward.campaigns.services import shelter_open
from homeward.dispatch.services import Report, incident_open
from homeward.regions.models import Division
from tests.browser.test_screens import LANGUAGES, _as, _look
from tests.campaigns.test_campaigns import warning
from tests.conftest import make_station, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def station(db):
    return make_station("苏州测试站", "320508")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_live_map_names_places_and_counts_the_calls_it_cannot_place(
    live_server, page, station, shots, language
):
    dispatcher = make_user("sz.dispatcher", Role.DISPATCHER, station=station)
    for address in ("江苏省苏州市姑苏区人民路100号", "山塘街桥洞下面"):
        incident_open(
            station=station,
            report=Report(channel="hotline", description="桥下有人", address=address),
            by=dispatcher,
        )
    _as(page, live_server, dispatcher, language)
    page.goto(f"{live_server.url}/dispatch/")
    page.wait_for_selector("#live-map[data-incidents='1']")
    assert page.locator("#live-map .map-place span", has_text="姑苏区").count() == 1
    assert page.locator("#live-map .leaflet-control-scale").count() == 1
    assert page.locator("#map-unplaced [data-count]").inner_text() == "1"
    assert page.locator("[data-unplaced]").count() == 1
    _look(page, shots, "command-center-places", "#map-unplaced")
    page.click("[data-incident] a >> nth=-1")
    page.wait_for_selector("#placement")
    _look(page, shots, "incident-placement", "#placement")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_campaign_with_a_shelter_by_address(live_server, page, station, shots, language):
    warning("cold_wave", "red", ["320508"], hours=48)
    campaign = Campaign.objects.get()
    shelter_open(
        campaign=campaign,
        name="人民路避寒点",
        kind="cold",
        division=Division.objects.get(code="320508"),
        address="人民路1号",
        point=None,
        capacity=30,
        hours=(time(18), time(8)),
        by=None,
    )
    head = make_user("sz.head", Role.STATION_HEAD, station=station)
    _as(page, live_server, head, language)
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    page.wait_for_selector("#shelters")
    assert "姑苏区 人民路1号" in page.locator("#shelters").inner_text()
    _look(page, shots, "campaign-shelter-by-address", "#shelter-locate")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_bed_load_chart_names_its_stations(live_server, page, station, shots, language):
    head = make_user("sz.head", Role.STATION_HEAD, station=station)
    _as(page, live_server, head, language)
    page.goto(f"{live_server.url}/reports/")
    page.wait_for_selector("#chart-map canvas")
    _look(page, shots, "figures-bed-load", "#chart-map canvas")
