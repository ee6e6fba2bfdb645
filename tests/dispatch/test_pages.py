"""Command-center pages and API: scoping, the team's position, the intake hand-off."""

from __future__ import annotations

import pytest

from homeward.accounts.models import Role
from homeward.cases.models import Stay
from homeward.dispatch import services
from homeward.dispatch.models import Incident, IntakeDraft
from tests.conftest import make_user
from tests.dispatch.conftest import open_incident

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_the_hotline_form_opens_an_incident_and_proposes_the_nearest_team(
    client, dispatcher, teams
):
    login(client, dispatcher)
    response = client.post(
        "/dispatch/new/",
        {
            "address": "江苏省苏州市姑苏区人民路100号",
            "description": "桥下有人",
            "latitude": "31.31",
            "longitude": "120.62",
            "people_count": "1",
            "urgency": "normal",
            "channel": "hotline",
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302 and response.url == f"/dispatch/incidents/{incident.pk}/"
    page = client.get(response.url)
    assert page.status_code == 200
    assert page.context["proposed"] == teams[0]


def test_another_stations_incident_is_a_404_in_pages_and_api(client, suzhou, dispatcher, hangzhou):
    incident = open_incident(suzhou, dispatcher)
    other = make_user("hz.dispatcher", Role.DISPATCHER, station=hangzhou)
    login(client, other)
    assert client.get(f"/dispatch/incidents/{incident.pk}/").status_code == 404
    assert client.get(f"/api/dispatch/incidents/{incident.pk}").status_code == 404
    assert client.get("/api/dispatch/incidents").json() == []
    assert client.get("/dispatch/map.json").json()["incidents"] == []


def test_a_province_administrator_sees_the_incidents_of_the_province(
    client, suzhou, dispatcher, jiangsu_admin
):
    incident = open_incident(suzhou, dispatcher)
    login(client, jiangsu_admin)
    assert client.get(f"/dispatch/incidents/{incident.pk}/").status_code == 200
    assert [i["id"] for i in client.get("/dispatch/map.json").json()["incidents"]] == [incident.pk]


def test_the_board_lists_incidents_by_status(client, suzhou, dispatcher, teams):
    a = open_incident(suzhou, dispatcher)
    b = open_incident(suzhou, dispatcher, point=(31.26, 120.74), address="")
    services.incident_dispatch(incident=b, team=teams[1], by=dispatcher)
    login(client, dispatcher)
    board = client.get("/dispatch/board/").context["board"]
    assert board.received == [a] and board.dispatched == [b]


def test_a_team_member_posts_the_teams_position_over_the_api(client, teams, street, dispatcher):
    near, far = teams
    login(client, street)
    url = f"/api/dispatch/teams/{near.pk}/position"
    response = client.post(
        url, {"latitude": 31.3, "longitude": 120.6}, content_type="application/json"
    )
    assert response.status_code == 200
    near.refresh_from_db()
    assert near.point == (31.3, 120.6) and near.position_at is not None
    other = f"/api/dispatch/teams/{far.pk}/position"
    assert (
        client.post(
            other, {"latitude": 1, "longitude": 1}, content_type="application/json"
        ).status_code
        == 403
    )


def test_the_drafted_person_reaches_the_stations_intake_form(client, suzhou, dispatcher, teams):
    incident = open_incident(suzhou, dispatcher)
    services.incident_dispatch(incident=incident, team=teams[0], by=dispatcher)
    services.incident_resolve(
        incident=incident, outcome="brought_to_station", note="女，约30岁，左手有伤", by=dispatcher
    )
    draft = IntakeDraft.objects.get()
    desk = make_user("sz.desk", Role.INTAKE, station=suzhou)
    login(client, desk)
    assert f"?draft={draft.pk}" in client.get("/dispatch/drafts/").content.decode()
    page = client.get(f"/cases/intake/?draft={draft.pk}")
    initial = page.context["form"].initial
    assert initial["brought_by"] == "street_team"
    assert initial["health_on_arrival"] == "女，约30岁，左手有伤"
    assert initial["found_address"] == incident.address
    response = client.post(
        f"/cases/intake/?draft={draft.pk}",
        {
            "brought_by": "street_team",
            "name_source": "unknown",
            "sex": "F",
            "age_estimate_min": "25",
            "age_estimate_max": "35",
            "found_address": incident.address,
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "admitted" and draft.stay == Stay.objects.get()


def test_another_stations_draft_is_a_404_at_the_intake_desk(client, suzhou, dispatcher, hangzhou):
    incident = open_incident(suzhou, dispatcher)
    services.incident_resolve(
        incident=incident, outcome="brought_to_station", note="x", by=dispatcher
    )
    login(client, make_user("hz.desk", Role.INTAKE, station=hangzhou))
    draft = IntakeDraft.objects.get()
    assert client.get(f"/cases/intake/?draft={draft.pk}").status_code == 404


def test_the_public_can_report_without_an_account_and_the_nearest_station_receives_it(
    client, suzhou, hangzhou
):
    response = client.post(
        "/dispatch/report/",
        {
            "address": "杭州市拱墅区某路1号",
            "description": "路边有小孩哭",
            "minor": "on",
            "people_count": "1",
            "reporter_phone": "13700000000",
        },
    )
    assert response.status_code == 201
    incident = Incident.objects.get()
    assert incident.station == hangzhou and incident.channel == "public"
    assert incident.urgency == "high"


def test_a_team_member_sees_only_their_teams_open_calls(client, suzhou, dispatcher, teams, street):
    near, far = teams
    ours = open_incident(suzhou, dispatcher)
    theirs = open_incident(suzhou, dispatcher, point=(31.26, 120.74), address="")
    waiting = open_incident(suzhou, dispatcher, point=(31.20, 120.50), address="")
    services.incident_dispatch(incident=ours, team=near, by=dispatcher)
    services.incident_dispatch(incident=theirs, team=far, by=dispatcher)
    login(client, street)
    page = client.get("/dispatch/team/")
    assert page.status_code == 200
    assert [i.pk for i, _form in page.context["assignments"]] == [ours.pk]
    html = page.content.decode()
    assert f'data-incident="{ours.pk}"' in html and ours.description in html
    assert f'data-incident="{theirs.pk}"' not in html
    assert f'data-incident="{waiting.pk}"' not in html


def test_a_team_member_marks_on_scene_and_records_the_outcome_from_the_phone_page(
    client, suzhou, dispatcher, teams, street
):
    near, _far = teams
    incident = open_incident(suzhou, dispatcher)
    services.incident_dispatch(incident=incident, team=near, by=dispatcher)
    login(client, street)
    on_scene = {"action": "on_scene", "incident": incident.pk}
    response = client.post("/dispatch/team/", on_scene)
    assert response.status_code == 302 and response.url == "/dispatch/team/"
    incident.refresh_from_db()
    assert incident.status == "on_scene"
    # The phone resends the tap (a slow connection): nothing happens twice.
    again = client.post("/dispatch/team/", on_scene, follow=True)
    assert again.status_code == 200
    assert incident.events.filter(kind="on_scene").count() == 1

    prefix = f"outcome-{incident.pk}"
    page = client.get("/dispatch/team/")
    assert f'name="{prefix}-outcome"' in page.content.decode()
    response = client.post(
        "/dispatch/team/",
        {
            "action": "outcome",
            "incident": incident.pk,
            f"{prefix}-outcome": "brought_to_station",
            f"{prefix}-note": "男，约70岁，说苏州话",
            f"{prefix}-supplies": "water 2",
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.outcome == "brought_to_station"
    assert list(incident.events.values_list("kind", "by__username"))[-2:] == [
        ("on_scene", "sz.street"),
        ("resolved", "sz.street"),
    ]
    draft = IntakeDraft.objects.get()
    assert draft.team == near and draft.notes == "男，约70岁，说苏州话"
    assert list(incident.supplies.values_list("kind", "quantity")) == [("water", 2)]
    assert "no-assignments" in client.get("/dispatch/team/").content.decode()


def test_the_phone_page_names_the_field_at_fault_and_keeps_what_was_typed(
    client, suzhou, dispatcher, teams, street
):
    incident = open_incident(suzhou, dispatcher)
    services.incident_dispatch(incident=incident, team=teams[0], by=dispatcher)
    login(client, street)
    prefix = f"outcome-{incident.pk}"
    response = client.post(
        "/dispatch/team/",
        {
            "action": "outcome",
            "incident": incident.pk,
            f"{prefix}-outcome": "brought_to_station",
            f"{prefix}-note": "",
            f"{prefix}-supplies": "food 2",
        },
    )
    assert response.status_code == 200
    form = {i.pk: f for i, f in response.context["assignments"]}[incident.pk]
    assert "note" in form.errors
    assert "food 2" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == "dispatched" and not IntakeDraft.objects.exists()


def test_a_member_cannot_act_on_another_teams_call_from_the_phone_page(
    client, suzhou, dispatcher, teams, street
):
    incident = open_incident(suzhou, dispatcher)
    services.incident_dispatch(incident=incident, team=teams[1], by=dispatcher)
    login(client, street)
    for data in ({"action": "on_scene", "incident": incident.pk}, {"action": "on_scene"}):
        assert client.post("/dispatch/team/", data).status_code == 404
    incident.refresh_from_db()
    assert incident.status == "dispatched"
