"""Geo-targeted alerts: who hears of a notice or an urgent report, the growing radius, and
an outbox that sends each alert once, survives a crash and shows what failed."""

from __future__ import annotations

import json
import zlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from homeward.accounts.models import Role, User
from homeward.accounts.services import user_create
from homeward.regions.models import Division
from homeward.tracing.models import AlertDelivery, Candidate, MissingReport, Notice, Subscription
from homeward.tracing.services import alerts, notices_sync
from homeward.tracing.services.alerts import (
    SubscriptionData,
    alerts_deliver,
    alerts_for_notice,
    alerts_for_report,
    alerts_widen,
    subscription_create,
    unsubscribe_token,
    urgent_radius_km,
)
from tests.cases.conftest import admit
from tests.conftest import make_user
from tests.tracing.conftest import staff_report


@pytest.fixture(autouse=True)
def _outboxes(settings, tmp_path):
    settings.SMS_OUTBOX = str(tmp_path / "sms.jsonl")
    settings.PUBLIC_URL = "https://homeward.test"


def family(name: str, *, verified: bool = True, role: str = Role.FAMILY) -> User:
    # No password: hashing one is the slowest thing a fixture can do.
    user = user_create(
        username=name,
        password=None,
        role=role,
        phone=f"139{zlib.crc32(name.encode()) % 10**8:08d}",
    )
    User.objects.filter(pk=user.pk).update(phone_verified=verified)
    user.refresh_from_db()
    return user


def public_resolver(host, port, **kwargs):
    """DNS for the tests' webhook hosts (no network): hook.test is a public address."""
    import socket

    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]


@pytest.fixture(autouse=True)
def _webhook_hosts_resolve(settings):
    settings.WEBHOOK_RESOLVER = "tests.tracing.test_alerts.public_resolver"


def subscribe(name: str, code: str, *, radius: int = 50, channels=("sms",), **fields):
    # Webhooks are for partner systems only.
    user = family(name, role=Role.PARTNER if "webhook" in channels else Role.FAMILY)
    division = Division.objects.get(code=code)
    data = SubscriptionData(
        channels=list(channels),
        latitude=division.latitude,
        longitude=division.longitude,
        radius_km=radius,
        **fields,
    )
    return subscription_create(user=user, data=data)


def sms_lines(settings) -> list[dict]:
    path = Path(settings.SMS_OUTBOX)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def alerted(**subject) -> set[str]:
    rows = AlertDelivery.objects.filter(**subject).select_related("subscription__user")
    return {d.subscription.user.username for d in rows}


@pytest.mark.parametrize(
    ("minutes", "km"),
    [(0, 100), (30, 100), (60, 100), (61, 200), (120, 200), (150, 300), (180, 300), (181, 500)],
)
def test_the_urgent_radius_grows_with_time_since_loss(minutes, km):
    assert urgent_radius_km(timedelta(minutes=minutes)) == km
    assert urgent_radius_km(timedelta(days=3)) == 500


@pytest.fixture
def ring(db):
    """Subscribers around Suzhou: Kunshan 35 km, Hangzhou 122 km, Hefei 319 km,
    Xuzhou 446 km, Beijing 1,028 km."""
    return {
        name: subscribe(name, code)
        for name, code in [
            ("kunshan", "320583"),
            ("hangzhou", "330105"),
            ("hefei", "340102"),
            ("xuzhou", "320300"),
            ("beijing", "110101"),
        ]
    }


def test_an_urgent_child_report_alerts_a_circle_growing_with_the_hours(ring, tracer):
    lost = timezone.now() - timedelta(minutes=30)
    report = staff_report(
        tracer,
        name="小宝",
        birth_date=date(2018, 5, 1),
        lost_at=lost,
        lost_date=timezone.localdate(lost),
        lost_division=Division.objects.get(code="320508"),
        publish_consent=True,
    )
    assert alerts_for_report(report=report, now=lost + timedelta(minutes=30)) == 1
    assert alerted(report=report) == {"kunshan"}
    assert alerts_for_report(report=report, now=lost + timedelta(minutes=90)) == 1
    assert alerted(report=report) == {"kunshan", "hangzhou"}
    assert alerts_widen(now=lost + timedelta(minutes=150)) == 0  # 300 km: nobody new
    assert alerts_widen(now=lost + timedelta(hours=4)) == 2
    assert alerted(report=report) == {"kunshan", "hangzhou", "hefei", "xuzhou"}
    assert alerts_widen(now=lost + timedelta(hours=5)) == 0  # each subscriber hears once
    radii = dict(AlertDelivery.objects.values_list("subscription__user__username", "radius_km"))
    assert radii == {"kunshan": 100, "hangzhou": 200, "hefei": 500, "xuzhou": 500}


def test_filing_an_urgent_report_queues_and_sends_its_alerts(
    ring, tracer, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_report(
            tracer,
            name="王奶奶",
            birth_date=date(1940, 1, 1),
            conditions=["dementia"],
            lost_at=timezone.now() - timedelta(minutes=10),
            lost_date=timezone.localdate(),
            lost_division=Division.objects.get(code="320508"),
            publish_consent=True,
        )
    assert AlertDelivery.objects.get().status == AlertDelivery.Status.SENT
    (line,) = sms_lines(settings)
    assert line["to"] == ring["kunshan"].phone and "王奶奶" in line["text"]
    assert "13900000001" not in line["text"]  # the family's phone is never in an alert
    assert "https://homeward.test/p/alerts/unsubscribe/" in line["text"]


def test_an_urgent_report_alerts_nobody_without_the_familys_consent(ring, tracer):
    lost = timezone.now() - timedelta(minutes=30)
    fields = {
        "name": "小宝",
        "birth_date": date(2018, 5, 1),
        "lost_at": lost,
        "lost_date": timezone.localdate(lost),
        "lost_division": Division.objects.get(code="320508"),
    }
    report = staff_report(tracer, **fields)
    assert alerts_for_report(report=report, now=lost + timedelta(hours=4)) == 0
    consented = staff_report(tracer, publish_consent=True, **fields)
    assert alerts_for_report(report=consented, now=lost + timedelta(minutes=30)) == 1
    # The family withdraws its consent before the alert went out: it is never sent.
    MissingReport.objects.filter(pk=consented.pk).update(publish_consent=False)
    result = alerts_deliver(now=lost + timedelta(minutes=31))
    assert AlertDelivery.objects.get().status != AlertDelivery.Status.SENT, result


def test_an_adult_or_an_old_report_alerts_nobody(ring, tracer):
    adult = staff_report(tracer, lost_date=timezone.localdate())
    assert alerts_for_report(report=adult) == 0
    old_case = staff_report(
        tracer, name="小明", birth_date=date(2015, 1, 1), lost_date=date(2023, 3, 1)
    )
    assert alerts_for_report(report=old_case) == 0  # lost over 30 days ago


@pytest.fixture
def published(suzhou, desk, db):
    """An unknown man found in Suzhou with a Henan accent, one open candidate from Chengdu,
    his notice published."""
    stay = admit(
        suzhou,
        desk,
        name="",
        name_source="unknown",
        found_division=Division.objects.get(code="320508"),
        dialect_division=Division.objects.get(code="410000"),
        health_on_arrival="高血压",
    )
    report = staff_report(
        make_user("cd.desk", Role.INTAKE, station=suzhou),
        name="赵四",
        home_division=Division.objects.get(code="510104"),
    )
    Candidate.objects.create(
        person=stay.person, report=report, station=suzhou, posterior=0.2, log10_total=1.0
    )
    return stay


def test_a_published_notice_alerts_near_the_place_found_the_accent_and_candidate_homes(
    published, settings, django_capture_on_commit_callbacks
):
    subscribe("suzhou.near", "320583", radius=50, channels=["email", "sms"], email="a@x.test")
    subscribe("suzhou.far", "320300", radius=200)  # Xuzhou, 446 km
    zhengzhou = family("zhengzhou")
    subscription_create(
        user=zhengzhou,
        data=SubscriptionData(channels=["sms"], division=Division.objects.get(code="410102")),
    )
    subscribe("chengdu", "510104", radius=10)
    subscribe("beijing", "110101", radius=200)
    with django_capture_on_commit_callbacks(execute=True):
        notices_sync(now=published.admitted_at + timedelta(hours=1))
    assert not AlertDelivery.objects.exists()  # not before the notice is public
    with django_capture_on_commit_callbacks(execute=True):
        notices_sync(now=published.admitted_at + timedelta(hours=25))
    notice = Notice.objects.get()
    assert alerted(notice=notice) == {"suzhou.near", "zhengzhou", "chengdu"}
    assert set(AlertDelivery.objects.values_list("status", flat=True)) == {"sent"}
    assert len(sms_lines(settings)) == 3 and len(mail.outbox) == 1
    texts = [line["text"] for line in sms_lines(settings)] + [mail.outbox[0].body]
    for text in texts:
        assert f"https://homeward.test/p/notices/{notice.public_id}/" in text
        assert "高血压" not in text and published.number not in text
    with django_capture_on_commit_callbacks(execute=True):
        notices_sync(now=published.admitted_at + timedelta(days=32))  # a refresh: no new alert
    assert AlertDelivery.objects.count() == 3


def test_an_alert_is_sent_once_after_a_worker_crash_mid_send(published, settings, monkeypatch):
    subscribe("near", "320583", channels=["sms", "webhook"], webhook_url="https://hook.test/a")
    notices_sync(now=published.admitted_at + timedelta(hours=25))
    notice = Notice.objects.get()
    assert alerts_for_notice(notice=notice) == 1
    now = timezone.now()

    def crash(*args, **kwargs):
        raise SystemExit("worker killed")  # the process dies: nothing below runs

    monkeypatch.setattr(alerts, "_mark_sent", crash)
    with pytest.raises(SystemExit):
        alerts_deliver(now=now)
    monkeypatch.undo()
    row = AlertDelivery.objects.get()
    assert row.status == "sending" and row.done_channels == ["sms", "webhook"]
    assert alerts_for_notice(notice=notice) == 0  # a second fan-out adds no duplicate
    assert AlertDelivery.objects.count() == 1
    assert alerts_deliver(now=now + timedelta(minutes=5)).sent == 0  # still leased
    assert alerts_deliver(now=now + timedelta(minutes=11)).sent == 1  # taken up again
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 2
    assert len(sms_lines(settings)) == 1  # the channels that went out are not repeated


class BrokenWebhook:
    def send(self, to: str, text: str) -> None:
        raise ConnectionError("connection refused")


def test_a_permanently_failing_channel_ends_visible_as_failed(published, settings):
    settings.WEBHOOK_SENDER = "tests.tracing.test_alerts.BrokenWebhook"
    subscribe("near", "320583", channels=["sms", "webhook"], webhook_url="https://hook.test/a")
    notices_sync(now=published.admitted_at + timedelta(hours=25))
    alerts_for_notice(notice=Notice.objects.get())
    now = timezone.now()
    results = [alerts_deliver(now=now + timedelta(hours=i)) for i in range(alerts.MAX_ATTEMPTS)]
    assert [r.retried for r in results] == [1] * (alerts.MAX_ATTEMPTS - 1) + [0]
    assert results[-1].failed == 1
    row = AlertDelivery.objects.get()
    assert row.status == "failed" and row.attempts == alerts.MAX_ATTEMPTS
    assert "webhook" in row.last_error and "connection refused" in row.last_error
    assert len(sms_lines(settings)) == 1  # the working channel went out once
    assert alerts_deliver(now=now + timedelta(days=1)).sent == 0
    from homeward.tracing.selectors import alert_outbox

    assert list(alert_outbox(status="failed")) == [row]


def test_a_subscription_needs_a_place_and_a_way_to_reach_you(db):
    from django.core.exceptions import ValidationError

    user = family("unverified", verified=False)
    with pytest.raises(ValidationError) as exc:
        subscription_create(user=user, data=SubscriptionData(channels=["sms", "email"]))
    assert set(exc.value.message_dict) == {"division", "channels", "email"}


def test_subscribe_on_the_portal_and_unsubscribe_by_the_signed_link(client, db):
    user = family("portal.user")
    client.force_login(user)
    response = client.post(
        "/p/alerts/",
        {"division": "320508", "radius_km": "25", "channels": ["sms"], "notices": "on"},
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get(user=user)
    assert subscription.division_id == "320508" and not subscription.urgent
    client.logout()
    url = f"/p/alerts/unsubscribe/{unsubscribe_token(subscription)}/"
    assert "confirm-unsubscribe" in client.get(url).content.decode()
    subscription.refresh_from_db()
    assert subscription.active  # a link scanner's GET unsubscribes nobody
    assert 'id="unsubscribed"' in client.post(url).content.decode()
    subscription.refresh_from_db()
    assert not subscription.active
    assert client.get(url[:-3] + "xx/").status_code == 404
