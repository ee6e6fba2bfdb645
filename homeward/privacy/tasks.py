"""The retention table, applied every night at 02:40 (after the backup, so the night's
backup still holds what the rules erase tonight; it expires with the backups)."""

from __future__ import annotations

from huey.contrib.djhuey import db_periodic_task

from homeward.common.clock import nightly


@db_periodic_task(nightly(2, 40), retries=2, retry_delay=600)
def retention_job() -> dict:
    from homeward.privacy.services import retention_apply

    return retention_apply().counts
