"""A hostile address sent by the public help form reaches the command center's live map as
text: hovering its marker shows the markup as characters and runs nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from homeward.accounts.models import Role
from homeward.dispatch.models import Incident
from tests.browser.test_dispatch import sign_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = "<img src=x onerror=\"document.title='pwned';window.__xss=1\">人民路"


def test_a_hostile_address_on_the_live_map_is_shown_as_text(live_server, page, suzhou, tmp_path):
    make_user("sz.dispatcher", Role.DISPATCHER, station=suzhou)
    anyone = Client(enforce_csrf_checks=False)
    response = anyone.post(
        "/dispatch/report/",
        {
            "address": HOSTILE,
            "description": "<b>桥下</b>有人",
            "latitude": "31.31",
            "longitude": "120.62",
            "people_count": "1",
        },
    )
    assert response.status_code == 201
    assert Incident.objects.get().address == HOSTILE

    sign_in(page, live_server.url, "sz.dispatcher")
    page.goto(f"{live_server.url}/dispatch/")
    page.wait_for_selector("#live-map[data-incidents='1']")
    marker = page.locator("#live-map .map-incident").first
    marker.hover()
    tooltip = page.locator(".leaflet-tooltip").first
    tooltip.wait_for()
    assert "<img src=x" in tooltip.inner_text()
    assert tooltip.locator("img").count() == 0
    assert page.evaluate("window.__xss") is None and page.title() != "pwned"
    page.screenshot(path=str(tmp_path / "map.png"))
