"""Failed background jobs, kept so that a failure is seen, never silent."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobFailure(models.Model):
    """One failed run of a Huey job. `final` marks the run after which no retry is left."""

    task = models.CharField(_("job"), max_length=200, db_index=True)
    task_id = models.CharField(max_length=64)
    arguments = models.TextField(_("arguments"), blank=True)
    error = models.TextField(_("error"))
    retries_left = models.PositiveSmallIntegerField(_("retries left"))
    final = models.BooleanField(_("gave up"), default=False)
    failed_at = models.DateTimeField(_("failed at"), auto_now_add=True, db_index=True)
    # The station whose record the job was about (web.jobs.station_of); none for the
    # jobs that work for every station, which only the national level sees.
    station = models.ForeignKey(
        "stations.Station", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-failed_at", "-id"]
        verbose_name = _("failed job")
        verbose_name_plural = _("failed jobs")

    def __str__(self) -> str:
        return f"{self.task} {self.failed_at:%Y-%m-%d %H:%M}"


class JobRun(models.Model):
    """A job that a consumer has begun and not finished. A consumer killed in the middle of a
    job (kill -9, a crash, the machine losing power) leaves its row behind, and
    `web.jobs.jobs_recover` queues the job again; every other end of a job removes the row."""

    task_id = models.CharField(max_length=64, unique=True)
    task = models.CharField(max_length=200)
    registered = models.CharField(max_length=400)  # the task's name in Huey's registry
    arguments = models.JSONField(default=list)  # [args, kwargs], as the job was queued
    # The machine, its boot and the process-number space (hostname/boot id/pid namespace:
    # two containers with one hostname differ), the process, and when that process started
    # (so that a number reused by a later process is not taken for the consumer).
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    process_started = models.FloatField(default=0.0)
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.task} on {self.host}:{self.pid}"
