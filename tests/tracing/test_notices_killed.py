"""kill -9 of the job consumer in the middle of publishing tracing notices (the face crops
half written): nothing is published by halves, and after a restart the job runs again and
every person gets one notice, one crop and one alert per subscriber."""

from __future__ import annotations

import os
import signal
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from PIL import Image

from homeward.cases.models import Stay
from homeward.cases.services import IntakeData, intake_admit
from homeward.regions.models import Division
from homeward.tracing.models import AlertDelivery, Notice
from homeward.tracing.tasks import notices_sync_job
from homeward.web.models import JobFailure, JobRun
from tests.tracing.conftest import face_file
from tests.tracing.test_alerts import subscribe
from tests.web.test_consumer_killed import _consumer, _until, db_is_memory

pytestmark = pytest.mark.django_db(transaction=True)
PEOPLE = 16


def _crops(media: Path) -> list[Path]:
    return sorted((media / "notices" / "faces").glob("*.jpg"))


def test_notices_killed_half_published_are_published_once_after_a_restart(
    settings, tmp_path, suzhou, desk
):
    if connection.vendor != "postgresql" or db_is_memory():
        pytest.skip("the consumer shares the test's database on PostgreSQL's run only")
    settings.MEDIA_ROOT = tmp_path / "media"
    suzhou_district = Division.objects.get(code="320508")
    for _ in range(PEOPLE):
        intake_admit(
            station=suzhou, by=desk, photo=face_file("obama2.jpg"),
            data=IntakeData(brought_by="police", sex="M", age_estimate_min=45,
                            age_estimate_max=60, found_division=suzhou_district),
        )  # fmt: skip
    Stay.objects.update(admitted_at=timezone.now() - timedelta(hours=25))  # notices are due
    subscriber = subscribe("suzhou.near", "320583", radius=50)
    HUEY.immediate = False
    HUEY.flush()
    notices_sync_job()
    consumer = _consumer(settings, tmp_path / "var")
    try:
        assert _until(lambda: bool(_crops(settings.MEDIA_ROOT))), "no crop was ever written"
        os.kill(consumer.pid, signal.SIGKILL)
        consumer.wait(timeout=30)
        assert len(_crops(settings.MEDIA_ROOT)) < PEOPLE, "killed too late to tell"
        assert not Notice.objects.exists()  # one transaction: nothing published by halves
        assert JobRun.objects.filter(task="notices_sync_job").count() == 1

        consumer = _consumer(settings, tmp_path / "var")
        assert _until(lambda: Notice.objects.filter(published_at__isnull=False).count() == PEOPLE)
        assert _until(lambda: not JobRun.objects.exists(), 60)
        assert _until(lambda: AlertDelivery.objects.count() == PEOPLE, 60)
    finally:
        consumer.terminate()
        consumer.wait(timeout=30)
        HUEY.flush()
    assert Notice.objects.values("stay").distinct().count() == PEOPLE  # one each
    crops = {n.photo.name for n in Notice.objects.all()}
    assert len(crops) == PEOPLE and len(_crops(settings.MEDIA_ROOT)) == PEOPLE  # none twice
    for crop in _crops(settings.MEDIA_ROOT):  # each a whole picture, none cut by the kill
        with Image.open(crop) as picture:
            picture.load()
    alerts = AlertDelivery.objects.filter(subscription=subscriber)
    assert alerts.values("notice").distinct().count() == alerts.count() == PEOPLE
    assert JobFailure.objects.filter(task="notices_sync_job", error__startswith="Interrupted")
