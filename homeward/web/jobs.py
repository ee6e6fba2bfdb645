"""Every failed job run is written down (and retried by Huey when it has retries left), and a
job whose consumer died in the middle of it is queued again.

Huey takes a job off the queue before it runs it, so a consumer killed mid-job would lose it.
Each run is therefore kept in `JobRun` from its start to its end. A row whose consumer is gone
(no process with its number and start time on this machine, or, from another machine or
container, older than `JOB_STALE_HOURS`) is an interrupted job: it is shown on /jobs/ as a
failure and queued again, up to `INTERRUPTIONS_GIVEN_UP` times a day for the same job and
arguments. The jobs themselves are
idempotent (candidates are kept per pair, alerts per subscriber, notices per stay), so a job
that had half-run runs again without doubling anything.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from datetime import timedelta
from pathlib import Path

import psutil
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY, signal
from huey.exceptions import HueyException
from huey.signals import (
    SIGNAL_CANCELED,
    SIGNAL_COMPLETE,
    SIGNAL_ERROR,
    SIGNAL_EXECUTING,
    SIGNAL_EXPIRED,
    SIGNAL_INTERRUPTED,
    SIGNAL_LOCKED,
    SIGNAL_RATE_LIMITED,
    SIGNAL_RETRYING,
    SIGNAL_REVOKED,
    SIGNAL_TIMEOUT,
)

log = logging.getLogger(__name__)

INTERRUPTED = "Interrupted"
INTERRUPTIONS_GIVEN_UP = 3  # the third interruption of the same job is its last


def _host() -> str:
    """This machine as its processes see it: the hostname, the kernel's boot and the process
    number space. Containers sharing a hostname, or a machine rebooted, are other hosts."""

    def read(path: str, link: bool = False) -> str:
        try:
            return os.readlink(path) if link else Path(path).read_text().strip()
        except OSError:
            return ""

    boot = read("/proc/sys/kernel/random/boot_id")[:8]
    space = read("/proc/self/ns/pid", link=True).removeprefix("pid:").strip("[]")
    return f"{socket.gethostname()}/{boot}/{space}"[:255]


def _started(pid: int) -> float:
    """When the process `pid` started (0.0 when there is none)."""
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return 0.0


HOST = _host()
WINDOW = timedelta(days=1)  # interruptions counted within
_running: set[str] = set()  # the jobs this process runs now
_running_lock = threading.Lock()
_recovered_at_start = threading.Event()


def station_of(name: str, args) -> int | None:
    """The station a job's record belongs to, from its first argument (an id), so that
    /jobs/ shows each station its own failures."""
    from homeward.cases.models import Stay
    from homeward.tracing.models import MissingReport, Notice

    first = args[0] if args else None
    if not isinstance(first, int):
        return None
    if "notice" in name:
        return Notice.objects.filter(pk=first).values_list("stay__station_id", flat=True).first()
    if "report" in name:
        return MissingReport.objects.filter(pk=first).values_list("station_id", flat=True).first()
    if "person" in name:
        stays = Stay.objects.filter(person_id=first).order_by("-admitted_at")
        return stays.values_list("station_id", flat=True).first()
    return None


@signal(SIGNAL_ERROR)
def _record_failure(signal_name, task, exc=None) -> None:
    from homeward.web.models import JobFailure

    try:
        JobFailure.objects.create(
            station_id=station_of(task.name, task.args),
            task=task.name,
            task_id=str(task.id),
            arguments=repr((task.args, task.kwargs))[:2000],
            error=f"{type(exc).__name__}: {exc}"[:4000],
            retries_left=max(task.retries or 0, 0),
            final=not task.retries,
        )
    except Exception:  # the record must never hide the job's own error
        log.exception("could not record the failure of %s", task.name)


@signal(SIGNAL_EXECUTING)
def _run_begins(signal_name, task, *args) -> None:
    from homeward.web.models import JobRun

    if HUEY.immediate:
        return  # run in the process that queued it: nothing to recover if it dies
    try:
        arguments = json.loads(json.dumps([list(task.args or ()), dict(task.kwargs or {})]))
    except (TypeError, ValueError):
        return  # arguments that cannot be written down cannot be queued again
    with _running_lock:
        _running.add(str(task.id))
    try:
        JobRun.objects.update_or_create(
            task_id=str(task.id),
            defaults={
                "task": task.name,
                "registered": HUEY._registry.task_to_string(type(task)),
                "arguments": arguments,
                "host": HOST,
                "pid": os.getpid(),
                "process_started": _started(os.getpid()),
            },
        )
    except Exception:
        log.exception("could not note the start of %s", task.name)


@signal(
    SIGNAL_COMPLETE, SIGNAL_ERROR, SIGNAL_CANCELED, SIGNAL_REVOKED, SIGNAL_EXPIRED,
    SIGNAL_RETRYING, SIGNAL_TIMEOUT, SIGNAL_LOCKED, SIGNAL_RATE_LIMITED, SIGNAL_INTERRUPTED,
)  # fmt: skip
def _run_ends(signal_name, task, *args) -> None:
    """Every way a run ends, Huey's own retries included (they queue the job themselves).
    The row goes first: a process still counts the job as its own until the row is gone."""
    from homeward.web.models import JobRun

    try:
        JobRun.objects.filter(task_id=str(task.id)).delete()
    except Exception:
        log.exception("could not note the end of %s", task.name)
        return  # kept in `_running`: the row is not taken for an interrupted job
    with _running_lock:
        _running.discard(str(task.id))


def _interrupted(run) -> bool:
    if run.host != HOST:
        stale = timedelta(hours=settings.JOB_STALE_HOURS)
        return timezone.now() - run.started_at > stale
    if run.pid == os.getpid() and run.process_started == _started(os.getpid()):
        with _running_lock:
            return run.task_id not in _running  # this process, and it is not running it
    started = _started(run.pid)
    return not started or started != run.process_started  # gone, or its number reused since


def _task_class(registered: str):
    from django.utils.module_loading import autodiscover_modules

    try:
        return HUEY._registry.string_to_task(registered)
    except HueyException:
        autodiscover_modules("tasks")  # as the consumer does at its start
        return HUEY._registry.string_to_task(registered)


def jobs_recover() -> int:
    """Every interrupted job shown as a failure and queued again (or given up after
    INTERRUPTIONS_GIVEN_UP). Returns how many were queued again."""
    from homeward.web.models import JobFailure, JobRun

    queued = 0
    for run in JobRun.objects.order_by("started_at"):
        if not _interrupted(run):
            continue
        args, kwargs = run.arguments
        described = repr((tuple(args), kwargs))[:2000]
        with transaction.atomic():
            if not JobRun.objects.filter(pk=run.pk).delete()[0]:
                continue  # another consumer took it first
            before = JobFailure.objects.filter(
                task=run.task,
                arguments=described,
                error__startswith=INTERRUPTED,
                failed_at__gte=timezone.now() - WINDOW,
            ).count()
            final = before + 1 >= INTERRUPTIONS_GIVEN_UP
            JobFailure.objects.create(
                station_id=station_of(run.task, args),
                task=run.task,
                task_id=run.task_id,
                arguments=described,
                error=(
                    f"{INTERRUPTED}: the job consumer {run.host}:{run.pid} stopped during this "
                    f"job, begun at {timezone.localtime(run.started_at):%Y-%m-%d %H:%M:%S}"
                )[:4000],
                retries_left=0 if final else INTERRUPTIONS_GIVEN_UP - before - 1,
                final=final,
            )
            if not final:
                # Queued before the commit: should the commit fail, the job runs twice at
                # worst, and the jobs are idempotent; it is never lost.
                HUEY.enqueue(_task_class(run.registered)(args=tuple(args), kwargs=kwargs))
                queued += 1
        log.warning("%s interrupted on %s:%s: %s", run.task, run.host, run.pid,
                    "given up" if final else "queued again")  # fmt: skip
    return queued


@HUEY.on_startup()
def _recover_at_start() -> None:
    # Each worker thread calls the start hooks; the first one recovers.
    if _recovered_at_start.is_set():
        return
    _recovered_at_start.set()
    try:
        jobs_recover()
    except Exception:
        log.exception("could not recover the jobs interrupted before this start")
