"""A job whose consumer died in the middle of it is shown on /jobs/ and queued again, three
times at most; a job still running, here or on another machine, is left alone."""

from __future__ import annotations

import os
import subprocess
import time
from datetime import timedelta

import psutil
import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from homeward.web.jobs import HOST, jobs_recover
from homeward.web.models import JobFailure, JobRun


@pytest.fixture
def queue():
    """The real queue, emptied before and after (the tests run jobs at once otherwise)."""
    HUEY.immediate = False
    HUEY.flush()
    yield HUEY
    HUEY.flush()


def _dead_pid() -> int:
    gone = subprocess.Popen(["true"])
    gone.wait()
    return gone.pid


def _run(token: str, **fields) -> JobRun:
    values = {
        "task_id": token,
        "task": "heartbeat",
        "registered": "homeward.web.tasks.heartbeat",
        "arguments": [[token], {}],
        "host": HOST,
        "pid": _dead_pid(),
        "process_started": time.time() - 60,
    }
    return JobRun.objects.create(**{**values, **fields})


def _queued(queue) -> list[tuple]:
    return sorted(tuple(task.args) for task in queue.pending())


def test_interrupted_jobs_are_queued_again_and_running_ones_left_alone(db, queue):
    parent = os.getppid()
    _run("killed")  # its consumer's process is gone
    _run("same-pid", pid=os.getpid(), process_started=1.0)  # an earlier process had our number
    _run("reused", pid=parent, process_started=1.0)  # a live process, but not the consumer
    _run("running", pid=parent, process_started=psutil.Process(parent).create_time())
    _run("far-fresh", host="other-machine", pid=1)
    far_stale = _run("far-stale", host="other-machine", pid=1)
    JobRun.objects.filter(pk=far_stale.pk).update(started_at=timezone.now() - timedelta(hours=7))

    assert jobs_recover() == 4
    assert _queued(queue) == [("far-stale",), ("killed",), ("reused",), ("same-pid",)]
    assert sorted(JobRun.objects.values_list("task_id", flat=True)) == ["far-fresh", "running"]
    failures = JobFailure.objects.filter(error__startswith="Interrupted")
    assert failures.count() == 4
    assert all(f.retries_left == 2 and not f.final for f in failures)
    assert f"{HOST}:" in failures.get(task_id="killed").error

    assert jobs_recover() == 0  # nothing is queued twice


def test_a_job_interrupted_three_times_in_a_day_is_given_up_and_shown_as_such(db, queue):
    for _ in range(3):
        _run("dies-every-time")
        queued = jobs_recover()
    assert queued == 0  # the third time
    assert _queued(queue) == [("dies-every-time",), ("dies-every-time",)]
    failures = list(JobFailure.objects.filter(task_id="dies-every-time").order_by("id"))
    assert [f.retries_left for f in failures] == [2, 1, 0]
    assert [f.final for f in failures] == [False, False, True]
    # A day later the count starts again: a nightly job interrupted twice last month still
    # runs tonight.
    JobFailure.objects.update(failed_at=timezone.now() - timedelta(days=2))
    _run("dies-every-time")
    assert jobs_recover() == 1
