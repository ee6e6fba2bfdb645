"""A province administrator opens the figures, drills down to a station, downloads the reports."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from homeward.accounts.models import Role
from tests.conftest import PASSWORD, make_station, make_user
from tests.reports.conftest import build_records

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_drill_from_province_to_station_and_download_excel_and_pdf(live_server, page):
    suzhou = make_station("苏州测试站", "320508")
    kunshan = make_station("昆山测试站", "320583", level="county")
    hangzhou = make_station("杭州测试站", "330105")
    build_records(suzhou, kunshan, hangzhou)
    make_user("js.admin", Role.PROVINCE_ADMIN, division="320000")

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "js.admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].w-100")
    page.wait_for_selector("#stations-count")
    page.click("[data-nav=reports]")
    page.wait_for_selector("#headline")
    assert page.locator("#scope-name").inner_text() == "江苏省"
    page.select_option("select[name=year]", "2024")
    page.wait_for_selector("[data-figure=person_times] .value:text-is('7')")
    page.wait_for_selector("#chart-monthly[data-drawn='1']")

    page.click("[data-drill='city-320500']")
    page.wait_for_selector("#scope-name:text-is('苏州市')")
    page.click(f"[data-drill='station-{suzhou.pk}']")
    page.wait_for_selector("#scope-name:text-is('苏州测试站')")
    assert page.locator("[data-figure=person_times] .value").inner_text() == "5"
    assert "江苏省" in page.locator("#scope-trail").inner_text()

    with page.expect_download() as excel:
        page.click("#export-xlsx")
    assert excel.value.suggested_filename.endswith(".xlsx")
    with open(excel.value.path(), "rb") as f:
        book = load_workbook(io.BytesIO(f.read()))
    assert "苏州测试站" in book.worksheets[0]["A2"].value

    with page.expect_download() as pdf:
        page.click("#export-pdf")
    with open(pdf.value.path(), "rb") as f:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(f.read())).pages)
    assert "救助管理统计报表" in text and "苏州测试站" in text
