"""The whole way home: a family reports on the portal, staff verify, an intake photo
matches, one officer confirms, a second completes the reunion, the notice goes, the
family's page says reunited."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from homeward.accounts.models import Role
from homeward.stations.models import Room
from homeward.stations.services import room_create
from homeward.tracing.models import Candidate, Notice, Reunion
from homeward.tracing.services import notices_sync
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FACES = Path(__file__).resolve().parents[1] / "matching" / "face"


def face_path(name: str) -> str:
    for folder in (FACES / "images", FACES / ".cache"):
        if (folder / name).exists():
            return str(folder / name)
    pytest.fail(f"{name} is missing: run scripts/fetch_test_faces.py")


def sign_in(page, url: str, username: str, password: str = PASSWORD) -> None:
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].w-100")


def test_from_a_family_report_to_a_verified_reunion(
    live_server, page, suzhou, settings, tmp_path, quick_forms
):
    settings.SMS_OUTBOX = str(tmp_path / "sms.jsonl")
    settings.NOTICE_DELAY_HOURS = 0
    room_create(station=suzhou, name="201", kind=Room.Kind.WOMEN, beds=2)
    make_user("sz.desk", Role.INTAKE, station=suzhou)
    make_user("sz.tracer", Role.TRACING_OFFICER, station=suzhou)
    make_user("sz.tracer2", Role.TRACING_OFFICER, station=suzhou)
    url = live_server.url

    # A family signs up, verifies the phone with the texted code, files a report with a photo.
    page.goto(f"{url}/p/signup/")
    page.fill("#id_display_name", "李红")
    page.fill("#id_phone", "13900000001")
    page.fill("#id_password", "a long password")
    page.click("#signup-form button[type=submit]")
    page.wait_for_selector("#verify-form")
    code = json.loads(Path(settings.SMS_OUTBOX).read_text().splitlines()[-1])["text"][-6:]
    page.fill("#id_code", code)
    page.click("#verify-form button[type=submit]")
    page.wait_for_selector("#my-reports")
    page.click("#nav-report")
    page.fill("#id_name", "李明")
    page.select_option("#id_sex", "M")
    page.fill("#id_lost_division", "320508")
    page.fill("#id_lost_date", "2012-03-01")
    page.fill("#id_contact_relation", "女儿")
    page.set_input_files("#id_photo1", face_path("obama.jpg"))
    page.fill("#id_photo1_year", "2009")
    page.click("#file-report")
    page.wait_for_selector("[data-status=pending]")

    # The station's tracing officer verifies it.
    sign_in(page, url, "sz.tracer")
    page.goto(f"{url}/tracing/?tab=pending")
    page.click("#rows a:text('李明')")
    page.click("#verify")
    page.wait_for_selector("text=已核实")

    # A man without papers arrives; his photo is taken at the desk.
    sign_in(page, url, "sz.desk")
    page.goto(f"{url}/cases/intake/")
    page.select_option("#id_brought_by", "police")
    page.select_option("#id_sex", "M")
    page.fill("#id_age_estimate_min", "45")
    page.fill("#id_age_estimate_max", "60")
    page.set_input_files("#id_photo", face_path("obama2.jpg"))
    page.click("#admit")
    page.wait_for_selector("#stay-facts")
    assert Candidate.objects.count() == 1  # the search ran as the intake committed
    notices_sync(now=timezone.now() + timedelta(minutes=1))
    notice = Notice.objects.get()
    Notice.objects.filter(pk=notice.pk).update(published_at=timezone.now() - timedelta(minutes=1))
    page.goto(f"{url}/p/")
    assert page.locator(f"a[href='/p/notices/{notice.public_id}/']").count() == 1

    # The first officer confirms; the second completes the reunion after the checks.
    sign_in(page, url, "sz.tracer")
    page.goto(f"{url}/tracing/")
    page.click("#rows a")
    assert float(page.locator("#posterior-band").get_attribute("data-posterior")) > 0.5
    assert "%" in page.locator("#posterior-band").inner_text()  # a band, not 1.0000
    assert page.locator("#evidence-words [data-part=information] li").count() >= 1
    page.click("#confirm")  # not yet: the browser asks whether the officer is sure
    assert page.locator("#id_confirm-sure:invalid").count() == 1
    assert not Reunion.objects.exists()
    assert page.locator("input[name=confirm-channel]:checked").count() == 1  # a suggestion
    page.check("input[name=confirm-channel][value=face]")
    page.check("#id_confirm-sure")
    page.click("#confirm")
    page.wait_for_selector("text=另一名工作人员")
    assert Reunion.objects.get().channel == "face"
    sign_in(page, url, "sz.tracer2")
    page.goto(f"{url}/tracing/?tab=reunions")
    page.click("#rows a")
    page.fill("#id_claimant_name", "李红")
    page.fill("#id_claimant_relation", "女儿")
    page.fill("#id_claimant_id_number", "320508198503121234")
    page.check("#id_identity_checked")
    page.click("#complete")
    page.wait_for_selector("#reunion-done")

    # The notice is gone; the family's page says reunited.
    page.goto(f"{url}/p/")
    assert page.locator(f"a[href='/p/notices/{notice.public_id}/']").count() == 0
    sign_in(page, url, "13900000001", "a long password")
    page.goto(f"{url}/p/me/")
    assert page.locator("[data-status=reunited]").count() == 1
