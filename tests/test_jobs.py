"""A real Huey consumer runs the jobs the web app enqueues."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from huey.contrib.djhuey import HUEY

from homeward.web.tasks import heartbeat

ROOT = Path(__file__).resolve().parents[1]


def test_a_real_consumer_runs_an_enqueued_job(settings, tmp_path):
    HUEY.immediate = False  # this test wants the real queue and a real consumer
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "homeward.settings"}
    if "filename" in settings.HUEY:
        # The consumer reads the very queue this process writes to.
        env["HUEY_FILE"] = settings.HUEY["filename"]
    # Its output goes to a file: a pipe nobody reads fills up (64 KiB of log lines, from jobs
    # other tests left in the queue) and the consumer then blocks, and cannot even stop.
    log = open(tmp_path / "consumer.log", "w")  # noqa: SIM115 (open while the consumer runs)
    consumer = subprocess.Popen(
        [sys.executable, "-m", "homeward.cli", "run_huey", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        token = uuid.uuid4().hex
        outcome = heartbeat(token)
        result = None
        deadline = time.monotonic() + 60
        while result is None and time.monotonic() < deadline:
            result = HUEY.result(outcome.id, preserve=False)
            time.sleep(0.2)
        assert result is not None, "the consumer did not run the job"
        assert result["token"] == token
    finally:
        consumer.terminate()
        consumer.wait(timeout=20)
        log.close()


def test_the_queue_and_the_cache_are_the_ones_the_environment_names(settings):
    """`make test` runs these tests once on the embedded queue and cache and once more with
    REDIS_URL set (its Redis pass): each run must be on what it says it is on."""
    from django.core.cache import cache, caches

    backend = type(caches["default"]).__name__
    if os.environ.get("REDIS_URL"):
        assert (type(HUEY).__name__, backend) == ("RedisHuey", "RedisCache")
    else:
        assert (type(HUEY).__name__, backend) == ("SqliteHuey", "FileBasedCache")
    cache.set("homeward-test-key", "归途", 30)
    assert cache.get("homeward-test-key") == "归途"
