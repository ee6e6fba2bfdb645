"""A person signs in through the browser, sees the dashboard in Chinese, switches to English."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_see_chinese_dashboard_and_switch_to_english(live_server, page, suzhou_caseworker):
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "登录"
    page.fill("#id_username", "sz.caseworker")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].w-100")
    page.wait_for_selector("#stations-count")
    assert page.locator("h1").inner_text() == "工作台"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "苏州测试站" in page.locator("main").inner_text()

    page.click("button[name=language][value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.locator("[data-nav=stations]").inner_text() == "Stations and beds"


def test_a_wrong_password_shows_a_translated_error(live_server, page, suzhou_caseworker):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "sz.caseworker")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit].w-100")
    alert = page.locator(".alert-danger").inner_text()
    assert "用户名" in alert or "密码" in alert
