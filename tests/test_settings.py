"""Settings come from the environment; bad values stop start-up with a clear message."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Start Django in a fresh process with the given environment."""
    clean = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "DEBUG")
    }
    clean.update(
        {"HOMEWARD_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "homeward.settings"}
    )
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "url", ["not a url", "mysql://root@localhost/hw", "postgres://postgres@127.0.0.1:5432/"]
)
def test_a_malformed_database_url_stops_start_up_naming_the_setting(tmp_path, url):
    result = start(tmp_path, DATABASE_URL=url)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DATABASE_URL" in result.stderr


def test_a_bad_debug_value_stops_start_up(tmp_path):
    result = start(tmp_path, DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_the_default_is_sqlite_under_var_with_a_generated_private_secret_key(tmp_path):
    result = start(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.db.backends.sqlite3"
    key = tmp_path / "var" / "secret_key"
    assert len(key.read_text()) > 40
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    # The same key on the next start: sessions survive a restart.
    first = key.read_text()
    start(tmp_path)
    assert key.read_text() == first


def test_debug_is_off_unless_asked_for(settings):
    from homeward.settings import env_bool

    assert env_bool("HOMEWARD_SURELY_UNSET", False) is False
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"


def test_the_tests_keep_to_a_var_folder_of_their_own(settings):
    """A `make run` beside the suite keeps its database, cache, queue, uploads and outboxes:
    every path the tests write under is in the run's own folder (tests/isolation.py)."""
    repo_var = (ROOT / "var").resolve()
    own = Path(settings.VAR_DIR).resolve()
    assert own != repo_var and repo_var not in own.parents
    written = [
        settings.MEDIA_ROOT,
        settings.STATIC_ROOT,
        settings.SMS_OUTBOX,
        settings.EMAIL_FILE_PATH,
        settings.HUEY.get("filename") or own / "huey",
        settings.CACHES["default"].get("LOCATION", own)
        if "redis" not in str(settings.CACHES["default"]["BACKEND"])
        else own,
    ]
    for path in written:
        assert own in Path(path).resolve().parents or Path(path).resolve() == own, path
