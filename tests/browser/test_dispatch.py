"""A hotline call taken by keyboard, the nearest team sent, the team's phone reporting back,
and the station's desk opening intake from what the team saw."""

from __future__ import annotations

import pytest

from homeward.accounts.models import Role
from homeward.dispatch.models import Incident, IntakeDraft
from homeward.dispatch.services import team_create
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].w-100")
    page.wait_for_selector("#whoami", state="attached")  # signed in: dashboard or team calls


def test_hotline_report_dispatch_team_phone_and_intake_draft(live_server, page, suzhou):
    dispatcher = make_user("sz.dispatcher", Role.DISPATCHER, station=suzhou)
    street = make_user("sz.street", Role.STREET_TEAM, station=suzhou)
    make_user("sz.desk", Role.INTAKE, station=suzhou)
    team_create(station=suzhou, name="远处二组", base=(31.26, 120.74), by=dispatcher)
    team_create(
        station=suzhou, name="近处一组", base=(31.315, 120.625), by=dispatcher, members=[street]
    )
    url = live_server.url
    sign_in(page, url, "sz.dispatcher")

    page.click("[data-nav=dispatch]")
    page.click("#new-report")
    # The call, with the keyboard alone: the address has the focus.
    page.wait_for_selector("#id_address:focus")
    kb = page.keyboard
    kb.type("江苏省苏州市姑苏区人民路100号")
    kb.press("Tab")
    kb.type("桥下有一位老人，衣着单薄")
    kb.press("Tab")  # a minor: no
    kb.press("Tab")  # elderly
    kb.press("Space")
    for _ in range(6):  # ill, weather, people, urgency, name, phone
        kb.press("Tab")
    kb.type("13800000000")
    kb.press("Tab")  # division
    kb.press("Tab")  # channel
    kb.press("Tab")  # latitude
    kb.type("31.31")
    kb.press("Tab")
    kb.type("120.62")
    kb.press("Enter")

    page.wait_for_selector("#dispatch-form")
    assert "近处一组" in page.locator("#dispatch-form h2").inner_text()
    assert "高" in page.locator("#incident-urgency").inner_text()  # elderly raised it
    page.click("#confirm-dispatch")
    page.wait_for_selector("#mark-on-scene")
    assert page.locator("#incident-team").inner_text() == "近处一组"

    page.click("#to-center")
    incident = Incident.objects.get()
    assert incident.address == "江苏省苏州市姑苏区人民路100号"
    page.wait_for_selector(f"#list-dispatched [data-incident='{incident.pk}']")
    page.wait_for_selector("#live-map[data-incidents='1']")
    assert page.locator("#live-map .map-incident").count() == 1
    assert page.locator("#live-map .map-team").count() == 2

    # The team member, on the phone: the call is there; on scene, then brought to the station.
    sign_in(page, url, "sz.street")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{url}/dispatch/team/")
    card = page.locator(f"[data-incident='{incident.pk}']")
    assert "桥下有一位老人" in card.inner_text()
    card.locator(".team-on-scene").click()
    page.wait_for_selector(f"[data-incident='{incident.pk}'][data-status=on_scene]")
    card = page.locator(f"[data-incident='{incident.pk}']")
    card.locator("select[name$='-outcome']").select_option("brought_to_station")
    card.locator("textarea[name$='-note']").fill("男，约75岁，说苏州话，左腿行动不便")
    card.locator(".team-record-outcome").click()
    page.wait_for_selector("#no-assignments")
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.outcome == "brought_to_station"
    kinds = list(incident.events.values_list("kind", "by__username"))
    assert kinds == [
        ("received", "sz.dispatcher"),
        ("dispatched", "sz.dispatcher"),
        ("on_scene", "sz.street"),
        ("resolved", "sz.street"),
    ]

    # The station's intake desk sees the draft and opens intake from it, pre-filled.
    sign_in(page, url, "sz.desk")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{url}/dispatch/drafts/")
    draft = IntakeDraft.objects.get()
    row = page.locator(f"#drafts [data-draft='{draft.pk}']")
    assert "近处一组" in row.inner_text() and "说苏州话" in row.inner_text()
    assert "人民路100号" in row.inner_text()
    row.locator("a").click()
    page.wait_for_selector("#id_health_on_arrival")
    assert page.input_value("#id_health_on_arrival") == "男，约75岁，说苏州话，左腿行动不便"
    assert page.input_value("#id_found_address") == "江苏省苏州市姑苏区人民路100号"
