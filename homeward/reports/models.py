"""Supervision records: open days and complaints. Figures have no model: they are computed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OpenDay(models.Model):
    """An open day (开放日) at a station: who came, and what they said.

    Held every 19 June nationwide, and whenever a station invites deputies,
    committee members, the media or volunteers in.
    """

    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("held on"), db_index=True)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    visitors = models.PositiveIntegerField(_("visitors"))
    visitor_groups = models.CharField(
        _("who came"),
        max_length=300,
        blank=True,
        help_text=_("For example: deputies, CPPCC members, media, volunteers."),
    )
    feedback = models.TextField(_("feedback"), blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("open day")
        verbose_name_plural = _("open days")

    def __str__(self) -> str:
        return f"{self.held_on} {self.theme}".strip()


class Complaint(models.Model):
    """A complaint (投诉) about a station, and how it was handled."""

    class Source(models.TextChoices):
        PHONE = "phone", _("Phone")
        LETTER = "letter", _("Letter")
        VISIT = "visit", _("In person")
        ONLINE = "online", _("Online")
        OPEN_DAY = "open_day", _("Open day")
        SUPERVISOR = "supervisor", _("Supervision committee")

    class Status(models.TextChoices):
        OPEN = "open", _("Being handled")
        HANDLED = "handled", _("Handled")

    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField(_("received on"), db_index=True)
    source = models.CharField(_("received through"), max_length=12, choices=Source.choices)
    summary = models.TextField(_("what the complaint says"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    handling = models.TextField(_("how it was handled"), blank=True)
    handled_on = models.DateField(_("handled on"), null=True, blank=True)
    handled_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return f"{self.received_on} {self.summary[:40]}"
