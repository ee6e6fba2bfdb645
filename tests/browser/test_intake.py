"""At the desk: an intake (a mistake corrected on the way), a bed, care, and home again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from homeward.accounts.models import Role
from homeward.cases.models import Stay
from homeward.stations.models import Bed
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_intake_bed_care_and_return_home(live_server, page, suzhou):
    make_user("sz.desk", Role.INTAKE, station=suzhou)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "sz.desk")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].w-100")
    page.wait_for_selector("#stations-count")

    page.click("[data-nav=cases]")
    page.click("#new-intake")
    page.select_option("#id_brought_by", "police")
    page.fill("#id_referring_unit", "姑苏公安分局")
    page.fill("#id_name", "王建国")
    page.select_option("#id_sex", "M")
    page.fill("#id_id_number", "320508198503121235")  # last digit mistyped
    page.fill("#id_found_address", "江苏省苏州市姑苏区人民路100号")
    page.fill("#id_belongings", "手机 1\n身份证复印件")
    page.click("#admit")

    error = page.locator("[data-error-for=id_number]")
    assert "不匹配" in error.inner_text()
    assert page.input_value("#id_name") == "王建国"  # what was typed is kept
    assert not Stay.objects.exists()
    page.fill("#id_id_number", "320508198503121234")
    page.click("#admit")

    page.wait_for_selector("#stay-facts")
    assert "在站" in page.locator("#stay-status").inner_text()
    page.select_option("#id_bed-bed", index=1)
    page.click("#bed-form button")
    page.wait_for_selector("#current-bed:not(:text-is('—'))")
    bed_text = page.locator("#current-bed").inner_text()
    assert bed_text.startswith("101-")

    page.select_option("#id_care-kind", "meal")
    page.fill("#id_care-text", "晚餐：米饭、青菜")
    page.click("#care-form button")
    page.wait_for_selector("#timeline li[data-kind=care]")

    page.click("#end-stay")
    page.wait_for_selector("#exit-form")
    page.wait_for_load_state()  # the page's script shows the fields of the chosen exit
    page.select_option("#id_kind", "returned_home")
    expect(page.locator("[data-field=hospital]")).to_be_hidden()
    page.click("#confirm-exit")  # no destination yet
    assert page.locator("[data-error-for=destination_division]").is_visible()
    page.fill("#id_destination_division", "320508")
    page.fill("#id_ticket", "无需车票，社工护送")
    page.click("#confirm-exit")

    page.wait_for_selector("#timeline li[data-kind=exit]")
    assert "已离站" in page.locator("#stay-status").inner_text()
    kinds = page.locator("#timeline li").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert kinds == ["intake", "bed", "care", "exit"]
    stay = Stay.objects.get()
    assert stay.exit.kind == "returned_home"
    assert not Bed.objects.filter(state="occupied").exists()
    assert all(b.returned_at for b in stay.belongings.all())
