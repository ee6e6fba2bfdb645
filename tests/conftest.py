"""Shared fixtures: stations in two provinces and a user for each role that matters."""

from __future__ import annotations

import contextlib
import os
import shutil
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from homeward.accounts.models import Role, User
from homeward.accounts.services import user_create
from homeward.regions.models import Division
from homeward.regions.services import divisions_load
from homeward.stations.models import Room, Station
from homeward.stations.services import room_create, station_create

PASSWORD = "correct horse battery staple"


BEIJING = ZoneInfo("Asia/Shanghai")


def test_clock_start() -> datetime | None:
    """Where `HOMEWARD_TEST_CLOCK` puts the suite's clock: "HH:MM" (Beijing time, today)
    or "YYYY-MM-DDTHH:MM" (Beijing time). `make test` runs one pass just after midnight
    Beijing time, when the date in UTC is still yesterday and noon is hours away."""
    wanted = os.environ.get("HOMEWARD_TEST_CLOCK", "").strip()
    if not wanted:
        return None
    if "T" in wanted:
        return datetime.fromisoformat(wanted).replace(tzinfo=BEIJING)
    hour, minute = (int(part) for part in wanted.split(":"))
    return datetime.combine(datetime.now(BEIJING).date(), time(hour, minute), BEIJING)


# Not a test, though its name starts like one.
test_clock_start.__test__ = False  # type: ignore[attr-defined]


@pytest.fixture(scope="session", autouse=True)
def _suite_clock():
    # The whole run, the live server of the browser tests included, starts at that moment
    # and the clock ticks on from there. Processes the tests start (the job consumer, the
    # CLI) keep the real clock.
    start = test_clock_start()
    if start is None:
        yield None
        return
    import time_machine

    with time_machine.travel(start, tick=True):
        yield start


def frozen_at(beijing: str, day: date | None = None):
    """A clock stopped at `beijing` ("HH:MM") Beijing time on `day` (default today)."""
    import time_machine

    hour, minute = (int(part) for part in beijing.split(":"))
    day = day or datetime.now(BEIJING).date()
    return time_machine.travel(datetime.combine(day, time(hour, minute), BEIJING), tick=False)


@pytest.fixture(scope="session", autouse=True)
def _field_keys_for_processes():
    # Processes the tests start (a restore, the job consumer, the CLI) read this run's field
    # keys, as an operator's environment gives them to every process of one installation.
    import base64

    from django.conf import settings

    os.environ["FIELD_KEYS"] = ",".join(
        f"{key_id}:{base64.b64encode(key).decode()}" for key_id, key in settings.FIELD_KEYS
    )
    os.environ["FIELD_HASH_KEY"] = base64.b64encode(settings.FIELD_HASH_KEY).decode()


@pytest.fixture(autouse=True)
def _jobs_run_at_once():
    # Jobs run in the enqueuing process during tests; tests/test_jobs.py checks a real consumer.
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture(autouse=True)
def _empty_cache():
    # The in-process cache outlives a test's database; no test may see another's entries.
    # So does the matcher's table of reports, kept per process while reports are unchanged
    # (tests reuse ids and clocks, which could make two tests' reports look the same).
    from django.core.cache import cache

    from homeward.tracing import found_faces, found_table, matcher

    cache.clear()
    matcher.forget_reports()
    found_faces.forget()
    found_table.forget()
    yield
    cache.clear()
    matcher.forget_reports()
    found_faces.forget()
    found_table.forget()


@pytest.fixture(autouse=True)
def _own_dna_index(settings, tmp_path_factory):
    # Each test its own kept DNA indexes: an erasure in one (at its frozen hour) must not
    # blank a family of another that reuses its report numbers.
    settings.DNA_INDEX_DIR = tmp_path_factory.mktemp("dna-index")


@pytest.fixture(autouse=True)
def _shipped_attribute_model(settings, tmp_path_factory):
    # A model the site fitted (var/attribute-model.json after `make run`) must not change
    # what the tests score: each test starts from the shipped model.
    settings.ATTRIBUTE_MODEL_FILE = tmp_path_factory.getbasetemp() / "no-fitted-model.json"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The hashed storage needs `collectstatic` first; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def ensure_divisions() -> None:
    # A migration loads them; transactional (browser) tests empty every table after
    # each test, so those put them back.
    if not Division.objects.exists():
        divisions_load()


def make_station(name: str, division: str, level: str = "city", beds: int = 4) -> Station:
    ensure_divisions()
    d = Division.objects.get(code=division)
    station = station_create(
        name=name,
        level=level,
        division=d,
        address=f"{d.name}测试路1号",
        latitude=d.latitude,
        longitude=d.longitude,
        phone_24h="0000-0000000",
        bed_capacity=beds,
    )
    room_create(station=station, name="101", kind=Room.Kind.MEN, beds=beds)
    return station


def make_user(username: str, role: str, station=None, division: str | None = None) -> User:
    ensure_divisions()
    return user_create(
        username=username,
        password=PASSWORD,
        role=role,
        station=station,
        division=Division.objects.get(code=division) if division else None,
    )


@pytest.fixture
def suzhou(db) -> Station:
    """A city station in Suzhou, Jiangsu (姑苏区)."""
    return make_station("苏州测试站", "320508")


@pytest.fixture
def kunshan(db) -> Station:
    """A county station in Kunshan, also Suzhou city, Jiangsu."""
    return make_station("昆山测试站", "320583", level="county")


@pytest.fixture
def hangzhou(db) -> Station:
    """A city station in Hangzhou, Zhejiang: another province."""
    return make_station("杭州测试站", "330105")


@pytest.fixture
def suzhou_caseworker(suzhou) -> User:
    return make_user("sz.caseworker", Role.CASEWORKER, station=suzhou)


@pytest.fixture
def hangzhou_head(hangzhou) -> User:
    return make_user("hz.head", Role.STATION_HEAD, station=hangzhou)


@pytest.fixture
def jiangsu_admin(db) -> User:
    return make_user("js.admin", Role.PROVINCE_ADMIN, division="320000")


@pytest.fixture
def suzhou_city_admin(db) -> User:
    return make_user("sz.admin", Role.CITY_ADMIN, division="320500")


@pytest.fixture
def kunshan_county_admin(db) -> User:
    return make_user("ks.admin", Role.COUNTY_ADMIN, division="320583")


@pytest.fixture
def jiangsu_supervisor(db) -> User:
    return make_user("js.supervisor", Role.SUPERVISOR, division="320000")


# --- the browser tests' chromium (tests/browser, tests/security) ---------------------


CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """One chromium per test module. Playwright's sync API runs an event loop in the test
    thread, so Django refuses ORM calls there as if they were async; the ORM calls of a
    browser test (and its fixtures) are synchronous and safe, so they are allowed while
    the module's browser runs, and only then: every other test keeps Django's check."""
    path = shutil.which("chromium")
    if path is None:
        pytest.fail(
            "Debian's chromium is required for the browser tests (scripts/ensure-debian-packages)"
        )
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    settle(page)
    context.close()


def settle(page) -> None:
    """Let the live server answer what the page still loads (photos, polls) before the
    test's database is flushed: a request still reading it then holds a table lock."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # A page that polls never goes idle: after five seconds it is closed all the same.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_load_state("networkidle", timeout=5000)


# --- the portal's family accounts: codes by text message -------------------------------


def started() -> str:
    """A portal form's timer, started half a minute ago (people take a while to type)."""
    import time

    from django.core import signing

    return signing.dumps(time.time() - 30, salt="portal-form")


def texts(settings) -> list[dict]:
    """The text messages sent so far (the file sender's outbox)."""
    import json
    from pathlib import Path

    path = Path(settings.SMS_OUTBOX)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def outbox(settings, tmp_path):
    """Text messages go to a file of this test's own."""
    settings.SMS_OUTBOX = str(tmp_path / "sms.jsonl")
    return settings
