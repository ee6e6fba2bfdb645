"""kill -9 of the job consumer in the middle of an alert delivery, after the gateway took the
message and before the row was marked sent: after a restart the delivery runs again, every
subscriber gets the alert, and none gets it twice (the message's key travels with every
attempt, and the gateway, here the file outbox, drops a key it has seen)."""

from __future__ import annotations

import json
import os
import signal
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from homeward.tracing.models import AlertDelivery, Notice
from homeward.tracing.services import notices_sync
from homeward.tracing.tasks import alerts_deliver_job
from tests.tracing.test_alerts import published, subscribe  # noqa: F401 (a fixture)
from tests.web.test_consumer_killed import _consumer, _until, db_is_memory

pytestmark = pytest.mark.django_db(transaction=True)


def _lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_an_alert_delivery_killed_after_the_gateway_took_it_is_sent_once(
    request, settings, tmp_path, monkeypatch
):
    if connection.vendor != "postgresql" or db_is_memory():
        pytest.skip("the consumer shares the test's database on PostgreSQL's run only")
    man = request.getfixturevalue("published")  # an unknown man found in Suzhou
    near = subscribe("suzhou.near", "320583", radius=50)
    other = subscribe("suzhou.other", "320583", radius=100)
    outbox, hang = tmp_path / "sms.jsonl", tmp_path / "hang"
    hang.touch()
    monkeypatch.setenv("SMS_SENDER", "tests.tracing.slow_sender.SlowSender")
    monkeypatch.setenv("SMS_OUTBOX", str(outbox))
    monkeypatch.setenv("HOMEWARD_TEST_SLOW_SEND", str(hang))
    HUEY.immediate = False
    HUEY.flush()
    notices_sync(now=timezone.now() + timedelta(days=2))  # its alerts' job is queued
    notice = Notice.objects.get(stay=man)
    assert notice.published_at and not AlertDelivery.objects.exists()
    consumer = _consumer(settings, tmp_path / "var")
    try:
        assert _until(lambda: len(_lines(outbox)) == 1), "the first alert never went out"
        os.kill(consumer.pid, signal.SIGKILL)  # the gateway has it; the row is not marked
        consumer.wait(timeout=30)
        first = AlertDelivery.objects.get(pk=int(_lines(outbox)[0]["key"].split("-")[1]))
        assert first.status == AlertDelivery.Status.SENDING
        assert AlertDelivery.objects.filter(notice=notice).count() == 2
        # The lease a crashed worker held runs out (ten minutes, moved back here).
        AlertDelivery.objects.filter(status="sending").update(
            claimed_at=timezone.now() - timedelta(minutes=11)
        )
        hang.unlink()
        consumer = _consumer(settings, tmp_path / "var")
        alerts_deliver_job()
        assert _until(lambda: not AlertDelivery.objects.exclude(status="sent").exists(), 60)
    finally:
        consumer.terminate()
        consumer.wait(timeout=30)
        HUEY.flush()
    sent = [line["to"] for line in _lines(outbox)]
    assert sorted(sent) == sorted([near.phone, other.phone])  # each subscriber once
