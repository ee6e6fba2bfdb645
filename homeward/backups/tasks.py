"""The nightly backup (01:45, before the refit and the re-link), retried and, when it fails for
good, shown on the jobs page like every job."""

from __future__ import annotations

from django.conf import settings
from huey.contrib.djhuey import db_periodic_task

from homeward.common.clock import nightly


@db_periodic_task(nightly(1, 45), retries=2, retry_delay=600)
def backup_nightly_job() -> dict | None:
    if not settings.BACKUP_NIGHTLY:
        return None
    from homeward.backups.services import backup_nightly

    return backup_nightly()
