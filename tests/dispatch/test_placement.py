"""Where a call is: a point, only the district (approximate), or nowhere. The dispatcher is
told which, a call that cannot be placed is flagged and counted beside the map, and its
teams' distances read "unknown" instead of vanishing. Street-team drafts are counted in
the intake menu."""

from __future__ import annotations

import pytest

from homeward.accounts.models import Role
from homeward.dispatch import services
from homeward.dispatch.models import Incident
from tests.conftest import make_user
from tests.dispatch.conftest import open_incident

pytestmark = pytest.mark.django_db


def _hotline(client, address: str, **more):
    return client.post(
        "/dispatch/new/",
        {
            "address": address,
            "description": "桥洞下有人",
            "people_count": "1",
            "urgency": "normal",
            "channel": "hotline",
            **more,
        },
        follow=True,
    )


def test_an_address_that_cannot_be_placed_is_flagged_not_hidden(client, dispatcher, teams):
    client.force_login(dispatcher)
    page = _hotline(client, "山塘街桥洞下面").content.decode()
    incident = Incident.objects.get()
    assert incident.placement == "none"
    assert 'data-placement="none"' in page
    assert "distance unknown" in page or "距离未知" in page  # each team's distance
    assert "not known to be the nearest" in page or "无法判断是否最近" in page
    assert "alert-warning" in page  # the call-taker is told at once to ask for a landmark
    board = client.get("/dispatch/board/").content.decode()
    assert "data-unplaced" in board
    data = client.get("/dispatch/map.json").json()
    assert data["unplaced"] == 1 and data["incidents"] == []


def test_an_address_naming_only_its_district_is_approximate(client, dispatcher, teams):
    client.force_login(dispatcher)
    page = _hotline(client, "江苏省苏州市姑苏区某个桥洞").content.decode()
    incident = Incident.objects.get()
    assert incident.placement == "division" and incident.division_id == "320508"
    assert 'data-placement="division"' in page
    assert " km" in page  # distances from the district's centre
    assert client.get("/dispatch/map.json").json()["unplaced"] == 0


def test_the_map_names_the_places_of_the_users_province(client, dispatcher):
    client.force_login(dispatcher)
    assert client.get("/dispatch/map.json").json()["places"] == []  # each poll: no names
    places = client.get("/dispatch/map.json?places=1").json()["places"]
    names = {p["name"] for p in places}
    assert {"苏州市", "姑苏区", "昆山市"} <= names
    assert all(p["point"][0] and p["point"][1] for p in places)
    assert "杭州市" not in names  # another province


def test_street_team_drafts_are_counted_in_the_intake_menu(
    client, suzhou, dispatcher, teams, street
):
    incident = open_incident(suzhou, dispatcher)
    services.incident_dispatch(incident=incident, team=teams[0], by=dispatcher)
    services.incident_resolve(
        incident=incident, outcome="brought_to_station", note="老人，腿脚不便", by=dispatcher
    )
    client.force_login(make_user("sz.desk", Role.INTAKE, station=suzhou))
    page = client.get("/cases/").content.decode()
    assert 'id="nav-drafts"' in page and 'id="drafts-waiting"' in page
    assert '<span class="badge text-bg-warning">1</span>' in page
    client.force_login(street)  # no intake desk in the street team's menu
    assert 'id="nav-drafts"' not in client.get("/dispatch/team/").content.decode()
