"""The figures dashboard, its drill-down and exports, as each role sees them."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from homeward.accounts.models import AuditEvent, Role
from tests.conftest import make_user


def test_a_province_administrator_sees_the_headline_against_last_year(
    client, records, jiangsu_admin
):
    client.force_login(jiangsu_admin)
    response = client.get("/reports/", {"year": 2024})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.scope.code == "320000"
    assert {h.key: h.value for h in report.headline}["person_times"] == 7
    page = response.content.decode()
    assert 'data-drill="city-320500"' in page and "echarts.min.js" in page


def test_the_drill_down_goes_from_the_city_to_its_stations(client, records, jiangsu_admin):
    client.force_login(jiangsu_admin)
    page = client.get("/reports/", {"year": 2024, "level": "city", "code": "320500"})
    rows = {r.scope.name: r.person_times for r in page.context["report"].rows}
    assert rows == {"苏州测试站": 5, "昆山测试站": 2}


def test_a_station_head_sees_their_station_and_not_another(client, records, suzhou_head):
    client.force_login(suzhou_head)
    assert client.get("/reports/", {"year": 2024}).context["scope"].station == records["suzhou"]
    other = {"year": 2024, "level": "station", "code": records["kunshan"].pk}
    assert client.get("/reports/", other).status_code == 404
    assert client.get("/reports/export.xlsx", other).status_code == 404
    assert client.get("/reports/", {"level": "province", "code": "320000"}).status_code == 404
    assert client.get("/api/reports/figures", other).status_code == 404


def test_intake_staff_have_no_figures_section(client, records):
    desk = make_user("sz.desk", Role.INTAKE, station=records["suzhou"])
    client.force_login(desk)
    assert client.get("/reports/").status_code == 403


def test_the_excel_report_has_the_yearly_table_the_areas_and_the_months(
    client, records, jiangsu_admin
):
    client.force_login(jiangsu_admin)
    response = client.get("/reports/export.xlsx", {"year": 2024})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert "江苏省" in sheet["A2"].value and "2024" in sheet["A2"].value
    values = {row[1]: row[2] for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert 7 in values.values()
    assert [r[1] for r in book.worksheets[2].iter_rows(min_row=2, values_only=True)][:3] == [
        1,
        1,
        1,
    ]
    assert AuditEvent.objects.filter(action="export", object_id="province:320000").count() == 1


def test_the_pdf_report_renders_chinese_text(client, records, suzhou_head):
    client.force_login(suzhou_head)
    response = client.get("/reports/export.pdf", {"year": 2024})
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "苏州测试站" in text and "救助" in text


def test_the_csv_has_one_line_per_figure(client, records, jiangsu_admin):
    client.force_login(jiangsu_admin)
    response = client.get(
        "/reports/export.csv", {"year": 2024, "level": "station", "code": records["suzhou"].pk}
    )
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(lines) > 40 and all(line[0] == "苏州测试站" for line in lines[1:])


def test_the_api_answers_the_same_figures(client, records, jiangsu_admin):
    client.force_login(jiangsu_admin)
    body = client.get("/api/reports/figures", {"year": 2024}).json()
    assert body["figures"]["intake"]["person_times"] == 7
    assert body["figures"]["reunions"]["median_days"] == 10.0
    assert body["areas"][0]["code"] == "320500"


@pytest.mark.parametrize("level,code", [("nation", ""), ("province", "330000")])
def test_a_supervisor_of_a_province_sees_only_that_province(
    client, records, jiangsu_supervisor, level, code
):
    client.force_login(jiangsu_supervisor)
    assert client.get("/reports/", {"year": 2024}).context["scope"].code == "320000"
    assert client.get("/reports/", {"level": level, "code": code}).status_code == 404
