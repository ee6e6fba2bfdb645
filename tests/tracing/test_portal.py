"""The family's side: sign up, verify the phone by text message, file, follow the report."""

from __future__ import annotations

import json
import time

from django.core import signing

from homeward.tracing.models import MissingReport


def started() -> str:
    return signing.dumps(time.time() - 30, salt="portal-form")


def last_code(settings) -> str:
    from pathlib import Path

    lines = Path(settings.SMS_OUTBOX).read_text(encoding="utf-8").splitlines()
    return json.loads(lines[-1])["text"][-6:]


def test_a_family_signs_up_verifies_and_files_a_report(client, settings, tmp_path, db):
    settings.SMS_OUTBOX = str(tmp_path / "sms.jsonl")
    response = client.post(
        "/p/signup/",
        {
            "display_name": "李红",
            "phone": "139-0000-0001",
            "password": "a long password",
            "started": started(),
        },
    )
    assert response.status_code == 302 and response["Location"] == "/p/verify/"
    assert client.get("/p/report/")["Location"].startswith("/login/")  # not signed in yet
    bad = client.post(
        "/p/verify/", {"code": "000000" if last_code(settings) != "000000" else "111111"}
    )
    assert 'data-error-for="code"' in bad.content.decode()
    assert client.post("/p/verify/", {"code": last_code(settings)})["Location"] == "/p/me/"
    response = client.post(
        "/p/report/",
        {
            "name": "李明",
            "sex": "M",
            "contact_name": "李红",
            "contact_relation": "女儿",
            "contact_phone": "13900000001",
            "lost_division": "410102",
            "lost_date": "2023-03-01",
        },
    )
    assert response.status_code == 302
    report = MissingReport.objects.get()
    assert report.status == "pending" and report.channel == "portal"
    page = client.get("/p/me/").content.decode()
    assert "李明" in page and 'data-status="pending"' in page


def test_a_family_account_cannot_see_staff_pages(client, db):
    from homeward.accounts.models import Role
    from tests.conftest import make_user

    client.force_login(make_user("13800000000", Role.FAMILY))
    assert client.get("/tracing/").status_code == 403
    assert client.get("/cases/").status_code == 403
