"""Every failed job run is written down (and retried by Huey when it has retries left)."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import signal
from huey.signals import SIGNAL_ERROR

log = logging.getLogger(__name__)


@signal(SIGNAL_ERROR)
def _record_failure(signal_name, task, exc=None) -> None:
    from homeward.web.models import JobFailure

    try:
        JobFailure.objects.create(
            task=task.name,
            task_id=str(task.id),
            arguments=repr((task.args, task.kwargs))[:2000],
            error=f"{type(exc).__name__}: {exc}"[:4000],
            retries_left=max(task.retries or 0, 0),
            final=not task.retries,
        )
    except Exception:  # the record must never hide the job's own error
        log.exception("could not record the failure of %s", task.name)
