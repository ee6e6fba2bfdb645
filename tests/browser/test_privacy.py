"""A family's and a station head's requests, walked in the browser: the family allows
alerts that name their son, downloads everything held of the report and erases it; the
station head erases a report at a family's request (a missing reason is named on the form)
and finds the erasure in the ledger beside the retention table. Screenshots at 1366 px and
390 px, in Chinese and English."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from homeward.accounts.models import Role
from homeward.privacy.models import Erasure
from homeward.tracing.models import MissingReport
from homeward.tracing.services import ReportData, report_file
from tests.browser.test_screens import _as, _look
from tests.conftest import make_station, make_user
from tests.tracing.conftest import face_file, staff_report
from tests.tracing.test_family import family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_family_downloads_its_data_and_erases_its_report(
    live_server, page, shots, settings, tmp_path, language
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    mother = family()
    report = report_file(
        data=ReportData(name="王小宝", sex="M", contact_name="李红", contact_relation="母亲",
                        contact_phone=mother.phone),
        by=mother,
        photos=[(face_file("obama.jpg"), 2020)],
    )  # fmt: skip
    _as(page, live_server, mother, language)
    page.goto(f"{live_server.url}/p/me/{report.public_id}/")
    page.click("#consent-toggle")
    page.wait_for_selector("#consent-toggle")
    report.refresh_from_db()
    assert report.publish_consent
    _look(page, shots, "my-report-data", "#my-data", staff=False)

    with page.expect_download() as download:
        page.click("#download-data")
    with zipfile.ZipFile(io.BytesIO(open(download.value.path(), "rb").read())) as bundle:
        data = json.loads(bundle.read("data.json"))
        assert data["name"] == "王小宝" and data["publish_consent"] is True
        assert "summary.pdf" in bundle.namelist() and len(data["photos"]) == 1

    page.click("#erase-report")
    page.wait_for_selector("#erase-form")
    _look(page, shots, "my-report-erase", "#erase-form", staff=False)
    page.click("#erase")  # not confirmed: the box is named, nothing erased
    assert page.locator("[data-error-for='confirm']").count() == 1 or page.evaluate(
        "!document.querySelector('#id_confirm').checkValidity()"
    )
    page.check("#id_confirm")
    page.click("#erase")
    page.wait_for_selector(".alert-success")
    assert "王小宝" not in page.locator("body").inner_text()
    report.refresh_from_db()
    assert (report.name, report.status, report.filed_by_id) == ("", "closed", None)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_station_head_erases_a_report_and_reads_the_ledger(
    live_server, page, shots, settings, tmp_path, language
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "backups"
    station = make_station("苏州测试站", "320508")
    tracer = make_user("sz.tracer", Role.TRACING_OFFICER, station=station)
    head = make_user("sz.head", Role.STATION_HEAD, station=station)
    report = staff_report(tracer, name="赵大年", photos=[(face_file("obama.jpg"), 2015)])
    _as(page, live_server, head, language)
    page.goto(f"{live_server.url}/tracing/reports/{report.pk}/")
    _look(page, shots, "report-privacy-actions", "#privacy-actions")
    page.click("#erase-data")
    page.wait_for_selector("#erase-form")
    page.check("#id_confirm")
    page.evaluate("document.querySelector('#id_reason').removeAttribute('required')")
    page.click("#erase")
    page.wait_for_selector("[data-error-for='reason']")
    assert MissingReport.objects.get(pk=report.pk).name == "赵大年"  # nothing erased yet
    _look(page, shots, "report-erase", "#erase-form")
    page.fill("#id_reason", "家属赵红来电申请，已核验身份")
    page.check("#id_confirm")
    page.click("#erase")
    page.wait_for_selector(".alert-success")
    assert "赵大年" not in page.locator("main, body").first.inner_text()
    assert Erasure.objects.filter(subject="report", subject_id=report.pk).exists()

    page.goto(f"{live_server.url}/privacy/")
    page.wait_for_selector("#erasures")
    assert page.locator("#retention-rules [data-rule]").count() == 7
    assert "家属赵红来电申请" in page.locator("#erasures").inner_text()
    _look(page, shots, "privacy-home", "#retention-rules")
