"""Jobs that keep the platform itself healthy."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from homeward.common.clock import nightly


@db_task(retries=2, retry_delay=5)
def heartbeat(token: str) -> dict:
    """Answer with the token and the consumer's clock: proves a consumer is running."""
    return {"token": token, "at": timezone.now().isoformat()}


@db_periodic_task(nightly(3, 17))
def forget_old_login_failures() -> int:
    """Drop failed sign-in records older than 30 days (the audit trail keeps its own)."""
    from axes.models import AccessAttempt, AccessFailureLog

    cutoff = timezone.now() - timedelta(days=30)
    AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
    return deleted


@db_periodic_task(nightly(3, 23))
def forget_held_photos() -> int:
    """Remove intake photos held across a form error that nobody came back for."""
    from homeward.cases.photos import photos_held_forget

    return photos_held_forget()


@db_periodic_task(nightly(3, 29))
def forget_unnamed_files() -> int:
    """Remove uploaded files that no record names, a day old: what a request or a job killed
    between writing a file and committing its row left behind (common/files.py)."""
    from homeward.common.files import orphans_forget

    return len(orphans_forget())


@db_task(retries=1, retry_delay=0)
def fail_on_purpose(message: str) -> None:
    """A job that always fails: lets an administrator (and the tests) see failures recorded."""
    raise RuntimeError(message)


@db_periodic_task(crontab(minute="*/5"))
def jobs_recover_job() -> int:
    """Jobs whose consumer died in the middle of them, queued again (web/jobs.py)."""
    from homeward.web.jobs import jobs_recover

    return jobs_recover()
