"""At the command center: a hotline call taken by keyboard, the nearest team sent, the outcome."""

from __future__ import annotations

import pytest

from homeward.accounts.models import Role
from homeward.dispatch.models import Incident, IntakeDraft
from homeward.dispatch.services import team_create
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hotline_report_dispatch_map_and_outcome(live_server, page, suzhou):
    dispatcher = make_user("sz.dispatcher", Role.DISPATCHER, station=suzhou)
    team_create(station=suzhou, name="远处二组", base=(31.26, 120.74), by=dispatcher)
    team_create(station=suzhou, name="近处一组", base=(31.315, 120.625), by=dispatcher)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "sz.dispatcher")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].w-100")
    page.wait_for_selector("#stations-count")

    page.click("[data-nav=dispatch]")
    page.click("#new-report")
    # The call, with the keyboard alone: the address has the focus.
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
    page.wait_for_selector(f"#list-dispatched [data-incident='{incident.pk}']")
    page.wait_for_function("document.getElementById('live-map').dataset.incidents === '1'")
    assert page.locator("#live-map .map-incident").count() == 1
    assert page.locator("#live-map .map-team").count() == 2

    page.click(f"#list-dispatched [data-incident='{incident.pk}'] a")
    page.click("#mark-on-scene")
    page.wait_for_selector("#timeline li[data-kind=on_scene]")
    page.select_option("#id_outcome-outcome", "brought_to_station")
    page.fill("#id_outcome-note", "男，约75岁，说苏州话，左腿行动不便")
    page.click("#record-outcome")
    page.wait_for_selector("#incident-outcome")
    kinds = page.locator("#timeline li").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert kinds == ["received", "dispatched", "on_scene", "resolved"]
    draft = IntakeDraft.objects.get()
    assert draft.station == suzhou and "苏州话" in draft.notes
