"""Tracing jobs: each takes ids, loads rows and calls one service. Retried on failure."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from homeward.cases.models import Person
from homeward.common.clock import nightly
from homeward.tracing import services
from homeward.tracing.models import MissingReport, Notice, ReportPhoto
from homeward.tracing.services import alerts

RETRIES = {"retries": 3, "retry_delay": 60}


@db_task(**RETRIES)
def search_for_person_job(person_id: int) -> int:
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        return 0
    services.face_embed_person(person)  # the photos not embedded yet
    return len(services.search_for_person(person))


def _embed_report_photos(report_id: int) -> int:
    photos = ReportPhoto.objects.filter(report_id=report_id, face__isnull=True)
    for photo in photos:
        services.face_embed_report_photo(photo)
    return len(photos)


@db_task(**RETRIES)
def embed_report_photos_job(report_id: int) -> int:
    """Kept for jobs already queued by an older version: the search job embeds now."""
    return _embed_report_photos(report_id)


@db_task(**RETRIES)
def search_for_report_job(report_id: int) -> int:
    """The report's photos not embedded yet, then its search: in one job, so that the
    search never runs before its own photos are in (two workers take jobs in any order)."""
    report = MissingReport.objects.filter(pk=report_id).first()
    if report is None:
        return 0
    _embed_report_photos(report_id)
    return len(services.search_for_report(report))


@db_periodic_task(crontab(minute="*/5"))
def notices_sync_job() -> dict:
    return vars(services.notices_sync())


@db_periodic_task(crontab(minute="*/5"))
def dna_forget_job() -> int:
    """Relatives' DNA erased or replaced, not yet blanked in the kept indexes (a crash, a
    full disk): blanked now, or the job fails and says so."""
    from homeward.tracing.services.dna_index import SWEEP_AFTER, dna_forget_pending

    return dna_forget_pending(older_than=SWEEP_AFTER)


@db_periodic_task(nightly(2, 0))
def attribute_model_refit_job() -> dict:
    """Nightly, before the re-link: the attribute model fitted to this site's records."""
    from homeward.tracing.services.learning import attribute_model_refit

    report = attribute_model_refit()
    return {"status": report.status, "version": report.version, "reason": report.reason}


@db_periodic_task(nightly(2, 30))
def relink_all_job() -> int:
    """The nightly full re-link (every person in a station against every verified report)."""
    return services.relink_all()


@db_task(**RETRIES)
def alerts_for_notice_job(notice_id: int) -> int:
    notice = Notice.objects.filter(pk=notice_id).select_related("stay").first()
    return 0 if notice is None else alerts.alerts_for_notice(notice=notice)


@db_task(**RETRIES)
def alerts_for_report_job(report_id: int) -> int:
    report = MissingReport.objects.filter(pk=report_id).first()
    return 0 if report is None else alerts.alerts_for_report(report=report)


@db_periodic_task(crontab(minute="*/5"))
def alerts_widen_job() -> int:
    """Urgent reports: the alert circle grows with the hours since the loss."""
    return alerts.alerts_widen()


@db_periodic_task(crontab(minute="*"))
def alerts_deliver_job() -> dict:
    """The outbox: send due alerts, retry failed ones, take up those a crash left."""
    result = alerts.alerts_deliver()
    return {"sent": result.sent, "retried": result.retried, "failed": result.failed}
