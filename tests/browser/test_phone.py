"""Phone first. Every page a family, a passer-by or a street worker uses fits a 390 px phone
in Chinese and English (no sideways scrolling; the language switch and the menu button in
reach), and a family goes the whole way on a phone: sign up, a wrong number corrected,
the code, a report, "my reports" with the station and what comes next, a photo added, sign
out; then, as a passer-by, a help report placed by the phone's own location."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from homeward.accounts.models import Role, User
from homeward.cases.services import IntakeData, intake_admit
from homeward.dispatch.models import Incident
from homeward.dispatch.services import Report, incident_dispatch, incident_open, team_create
from homeward.regions.models import Division
from homeward.tracing.models import MissingReport, Notice
from homeward.tracing.services import ReportData, notices_sync, report_file
from tests.browser.test_reunion import face_path
from tests.browser.test_screens import LANGUAGES, _as, _look
from tests.conftest import make_station, make_user, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# Where the test's phone says it is: by the Suzhou station (姑苏区).
HERE = {"latitude": 31.3162, "longitude": 120.6195}


def _fits(page, what: str) -> None:
    """No sideways scrolling at 390 px, and the language switch is on the screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what} is {width}px wide on a 390px phone"
    box = page.locator("#language-form button").last.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
        f"{what}: the language switch is off the screen"
    )


@pytest.fixture
def world(db, tmp_path, settings):
    settings.SMS_OUTBOX = str(tmp_path / "sms.jsonl")
    settings.NOTICE_DELAY_HOURS = 0
    station = make_station("苏州市救助管理站", "320508")
    family = make_user("13900000010", Role.FAMILY)
    User.objects.filter(pk=family.pk).update(phone="13900000010", phone_verified=True)
    family.refresh_from_db()
    report = report_file(
        data=ReportData(
            name="李明",
            sex="M",
            lost_division=Division.objects.get(code="320508"),
            lost_address="观前街一带，平时在北寺塔附近的公园里晒太阳",
            contact_name="李红",
            contact_relation="女儿",
            contact_phone="13900000010",
        ),
        by=family,
    )
    desk = make_user("sz.desk", Role.INTAKE, station=station)
    with open(face_path("obama.jpg"), "rb") as photo:
        from django.core.files.uploadedfile import SimpleUploadedFile

        intake_admit(
            station=station,
            by=desk,
            data=IntakeData(brought_by="police", sex="M", age_estimate_min=45, age_estimate_max=60),
            photo=SimpleUploadedFile("face.jpg", photo.read(), content_type="image/jpeg"),
        )
    notices_sync()
    dispatcher = make_user("sz.dispatcher", Role.DISPATCHER, station=station)
    street = make_user("sz.street", Role.STREET_TEAM, station=station)
    team = team_create(
        station=station, name="姑苏一组", base=(31.315, 120.625), by=dispatcher, members=[street]
    )
    incident = incident_open(
        station=station,
        report=Report(
            channel="hotline",
            description="桥洞下有一位老人，衣着单薄，说不清家在哪里",
            address="江苏省苏州市姑苏区山塘街七里山塘景区入口往西两百米的桥洞下面",
        ),
        by=dispatcher,
    )
    incident_dispatch(incident=incident, team=team, by=dispatcher)
    return {"family": family, "report": report, "street": street, "station": station}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_family_and_street_page_fits_a_phone(
    live_server, page, world, shots, language
):
    url = live_server.url
    notice = Notice.objects.get()
    report = world["report"]
    anonymous = [
        ("notices", "/p/", "#notices"),
        ("notices-filtered", "/p/?age_from=abc&found_in=苏州", "#filter-errors"),
        ("notice", f"/p/notices/{notice.public_id}/", "#notice-facts"),
        ("poster", f"/p/notices/{notice.public_id}/poster/", "#poster-qr"),
        ("signup", "/p/signup/", "#signup-form"),
        ("reset", "/p/reset/", "#reset-form"),
        ("sign-in", "/login/?next=/p/me/", "#login-form"),
        ("help", "/dispatch/report/", "#public-report"),
    ]
    family = [
        ("my-reports", "/p/me/", "#my-reports"),
        ("my-report", f"/p/me/{report.public_id}/", "#report-history"),
        ("report-form", "/p/report/", "#report-form"),
        ("alerts", "/p/alerts/", "#subscribe-form"),
        ("phone", "/p/phone/", "#phone-form"),
    ]
    street = [("team", "/dispatch/team/", "#team-position")]
    for user, pages in ((None, anonymous), (world["family"], family), (world["street"], street)):
        _as(page, live_server, user, language)
        for name, path, selector in pages:
            page.set_viewport_size(PHONE)
            page.goto(url + path)
            page.wait_for_selector(selector)
            if name != "poster":  # the poster is a sheet to print: no site header
                _fits(page, f"{path} ({language})")
            else:
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], f"the poster is {width}px wide on a phone"
            _look(page, shots, f"phone-{name}", selector)
    # The code pages after a sign-up and a reset, not signed in.
    _as(page, live_server, None, language)
    page.set_viewport_size(PHONE)
    page.goto(f"{url}/p/reset/")
    page.fill("#id_phone", "13900000010")
    page.click("#reset-form button[type=submit]")
    page.wait_for_selector("#reset-code-form")
    _fits(page, f"/p/reset/code/ ({language})")
    _look(page, shots, "phone-reset-code", "#reset-code-form")


def open_menu(page) -> None:
    """Unfold the phone menu and wait until it has finished opening: a link clicked while
    the menu is still sliding open can be missed."""
    page.click(".navbar-toggler")
    page.wait_for_selector(".navbar-collapse.show:not(.collapsing)")


def test_the_menu_folds_on_a_phone_and_english_readers_switch_back(live_server, page, db):
    _as(page, live_server, None, "en")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/p/")
    assert not page.locator("#nav-sign-in").is_visible()  # folded behind the menu button
    open_menu(page)
    page.click("#nav-sign-in")
    page.wait_for_selector("#login-form")
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("#language-form button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    assert "登录" in page.locator("h1").inner_text()


def test_a_family_on_a_phone_from_sign_up_to_my_report_then_a_help_report(
    live_server, browser, world, settings, shots, quick_forms
):
    context = browser.new_context(
        viewport=PHONE, geolocation=HERE, permissions=["geolocation"], locale="zh-CN"
    )
    page = context.new_page()
    url = live_server.url
    outbox = Path(settings.SMS_OUTBOX)

    def last_text() -> dict:
        return json.loads(outbox.read_text(encoding="utf-8").splitlines()[-1])

    def menu(link: str) -> None:
        open_menu(page)
        page.click(link)

    page.goto(f"{url}/p/")
    menu("#nav-sign-up")
    page.fill("#id_display_name", "王芳")
    page.fill("#id_phone", "13900000021")  # one digit wrong
    page.fill("#id_password", "a long family secret")
    page.click("#signup-form button[type=submit]")
    page.wait_for_selector("#verify-form")
    assert "139****0021" in page.locator("#sent-to").inner_text()
    # The number was wrong: changed on the code page; the code goes to the right one.
    page.click("#change-number summary")
    page.fill("#change-number #id_phone", "13900000012")
    page.click("#change-number button[type=submit]")
    page.wait_for_selector("#verify-form")
    assert "139****0012" in page.locator("#sent-to").inner_text()
    assert last_text()["to"] == "13900000012"
    page.fill("#id_code", last_text()["text"][-6:])
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#my-reports")

    # A report, the division typed by name.
    menu("#nav-report")
    page.fill("#id_name", "王建国")
    page.select_option("#id_sex", "M")
    page.fill("#id_lost_division", "姑苏区")
    page.fill("#id_lost_date", "2025-11-03")
    page.fill("#id_contact_relation", "女儿")
    page.click("#file-report")
    page.wait_for_selector("#report-history")
    assert page.locator("#report-status").get_attribute("data-status") == "pending"
    assert world["station"].name in page.locator("#report-station").inner_text()
    assert world["station"].phone_24h in page.locator("#report-station").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Something learnt later, and an old photo.
    page.fill("#id_text", "他右耳后有一颗痣，爱去茶馆")
    page.set_input_files("#id_photo", face_path("obama2.jpg"))
    page.fill("#id_photo_year", "2010")
    page.click("#report-add button[type=submit]")
    page.wait_for_selector("text=他右耳后有一颗痣")
    assert page.locator("#report-photo-count").inner_text() == "1"
    filed = MissingReport.objects.get(name="王建国")
    assert filed.photos.count() == 1 and filed.filed_by.username == "13900000012"
    _look(page, shots, "phone-my-report-added", "#report-history")

    # He came home by himself: the family withdraws the report (the browser asks first).
    page.click("#report-withdraw summary")
    page.fill("#report-withdraw #id_reason", "他自己回家了")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#confirm-withdraw")
    assert MissingReport.objects.get(name="王建国").status == "pending"  # not without a yes
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#confirm-withdraw")
    page.wait_for_selector("#report-status[data-status=closed]")
    assert "他自己回家了" in page.locator("#report-history").inner_text()

    # "My reports" lists it; the family signs out.
    page.goto(f"{url}/p/me/")
    page.click("#my-reports a:has-text('王建国')")
    page.wait_for_selector("#report-history")
    menu("#sign-out button")
    page.wait_for_selector("#notices")
    open_menu(page)
    assert page.locator("#nav-sign-in").is_visible()
    assert page.locator("#nav-me").count() == 0

    # The user name is the number: signing in with it works.
    page.click("#nav-sign-in")
    assert "手机号" in page.locator("#login-form").inner_text()
    page.fill("#id_username", "13900000012")
    page.fill("#id_password", "a long family secret")
    page.click("#sign-in")
    page.wait_for_selector("#my-reports")
    menu("#sign-out button")
    page.wait_for_selector("#notices")

    # A passer-by sees someone in need: no coordinates typed, the phone's location used.
    menu("#nav-help")
    page.wait_for_selector("#public-report")
    assert page.locator("#public-report input[type=text][name=latitude]").count() == 0
    page.click("#use-my-location")
    expect(page.locator("#id_latitude")).not_to_have_value("")
    assert "位置" in page.locator("#location-status").inner_text()
    page.fill("#id_description", "天桥下一位老人，只穿单衣")
    page.fill("#id_reporter_phone", "13900000099")
    page.check("#id_elderly")
    page.click("#send-help")
    page.wait_for_selector("#report-received")
    incident = Incident.objects.get(channel="public")
    assert incident.station == world["station"]
    assert abs(incident.latitude - HERE["latitude"]) < 1e-4
    assert abs(incident.longitude - HERE["longitude"]) < 1e-4
    assert incident.placement == "point" and incident.elderly
    settle(page)
    context.close()


def test_a_help_report_without_location_or_a_known_place_asks_for_the_district(
    live_server, page, db
):
    make_station("苏州市救助管理站", "320508")
    _as(page, live_server, None, "zh-hans")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/dispatch/report/")
    page.fill("#id_address", "山塘街桥洞下面")
    page.fill("#id_description", "一位老人睡在桥洞下")
    page.click("#send-help")
    page.wait_for_selector("[data-error-for=division]")
    assert page.locator("#id_description").input_value() == "一位老人睡在桥洞下"  # kept
    page.fill("#id_division", "姑苏区")
    page.click("#send-help")
    page.wait_for_selector("#report-received")
    incident = Incident.objects.get()
    assert incident.placement == "division" and incident.division_id == "320508"


def test_a_street_worker_sends_the_team_position_from_the_phone(live_server, browser, world):
    context = browser.new_context(viewport=PHONE, geolocation=HERE, permissions=["geolocation"])
    page = context.new_page()
    _as(page, live_server, world["street"], "zh-hans")
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("#team-position")  # the street team lands on its calls
    assert "七里山塘" in page.locator("[data-incident]").inner_text()
    page.click("#team-locate")
    page.wait_for_selector(".alert-success")
    team = world["street"].teams.get()
    assert abs(team.latitude - HERE["latitude"]) < 1e-4
    settle(page)
    context.close()
