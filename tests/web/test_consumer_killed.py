"""kill -9 of the job consumer in the middle of a search: after a restart the search runs
again, by itself, and the review queue holds each candidate once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from huey.contrib.djhuey import HUEY

from homeward.cases.services import IntakeData, intake_admit
from homeward.tracing.models import Candidate, FaceVector
from homeward.web.models import JobFailure, JobRun
from tests.tracing.conftest import face_file, staff_report

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def _consumer(settings, var: Path) -> subprocess.Popen:
    """The real consumer, on this test's database and queue, with a var folder of its own (its
    nightly jobs, should the clock pass one, touch nothing of a developer's)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "homeward.settings",
        "HOMEWARD_VAR_DIR": str(var),
    }
    db = connection.settings_dict
    login = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    env["DATABASE_URL"] = (
        f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)  # the photos this test's records name
    if "filename" in settings.HUEY:
        env["HUEY_FILE"] = settings.HUEY["filename"]
    return subprocess.Popen(
        [sys.executable, "-m", "homeward.cli", "run_huey", "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _until(check, seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


def test_a_search_killed_half_way_runs_again_after_a_restart(
    settings, tmp_path, suzhou, desk, tracer
):
    if connection.vendor != "postgresql" or db_is_memory():
        pytest.skip("the consumer shares the test's database on PostgreSQL's run only")
    intake_admit(
        station=suzhou, by=desk, photo=face_file("obama2.jpg"),
        data=IntakeData(brought_by="police", sex="M", age_estimate_min=45, age_estimate_max=60),
    )  # fmt: skip
    HUEY.immediate = False
    HUEY.flush()
    report = staff_report(tracer, photos=[(face_file("obama.jpg"), 2009)], birth_date=None)
    assert not FaceVector.objects.filter(report_photo__report=report).exists()
    consumer = _consumer(settings, tmp_path)
    try:
        # The job begins by embedding the report's photo, the model loaded first: seconds.
        assert _until(lambda: JobRun.objects.filter(task="search_for_report_job").exists())
        os.kill(consumer.pid, signal.SIGKILL)
        consumer.wait(timeout=30)
        assert not Candidate.objects.filter(report=report).exists(), "killed too late to tell"
        assert JobRun.objects.filter(task="search_for_report_job").count() == 1

        consumer = _consumer(settings, tmp_path)
        assert _until(lambda: Candidate.objects.filter(report=report).exists())
        assert _until(lambda: not JobRun.objects.exists(), 60)
    finally:
        consumer.terminate()
        consumer.wait(timeout=30)
        HUEY.flush()
    pairs = list(Candidate.objects.filter(report=report).values_list("person_id", flat=True))
    assert len(pairs) == len(set(pairs)) == 1  # the man, once
    failure = JobFailure.objects.get(error__startswith="Interrupted")
    assert failure.task == "search_for_report_job" and failure.station_id == suzhou.pk


def db_is_memory() -> bool:
    return "memory" in str(connection.settings_dict["NAME"])
