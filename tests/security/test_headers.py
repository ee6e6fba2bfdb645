"""Every page carries a Content-Security-Policy that allows no inline script, and the
pages need none: no template holds an inline script or an on*= handler."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from homeward.accounts.models import Role
from tests.conftest import make_user

TEMPLATES = Path(__file__).resolve().parents[2] / "homeward"


def test_every_template_script_is_a_file_or_data():
    inline, handlers = [], []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                inline.append(f"{path.name}: {tag}")
        handlers += [f"{path.name}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
    assert inline == [] and handlers == []


def test_pages_and_the_api_carry_the_policy(client, suzhou):
    client.force_login(make_user("sz.head", Role.STATION_HEAD, station=suzhou))
    for path in ("/", "/cases/", "/p/", "/api/docs", "/api/stations/"):
        response = client.get(path)
        policy = response["Content-Security-Policy"]
        script = next(p for p in policy.split("; ") if p.startswith("script-src"))
        assert script == "script-src 'self'", path
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert "camera=()" in response["Permissions-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"


def test_https_turns_on_hsts_and_secure_cookies(settings, db):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    response = Client().get("/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_https_setting_reads_from_the_environment(tmp_path):
    import os
    import subprocess
    import sys

    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='homeward.settings'; "
        "django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    env = {**os.environ, "HTTPS": "true", "HOMEWARD_VAR_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["True", "True", "31536000"], out.stderr


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_breaks_the_policy_in_a_browser(live_server, page, suzhou):
    from tests.browser.test_dispatch import sign_in

    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    make_user("sz.head", Role.STATION_HEAD, station=suzhou)
    sign_in(page, live_server.url, "sz.head")
    for path in ("/", "/dispatch/", "/reports/", "/cases/", "/dispatch/report/", "/p/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert violations == []
