"""Every failed job run is written down (and retried by Huey when it has retries left)."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import signal
from huey.signals import SIGNAL_ERROR

log = logging.getLogger(__name__)


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
