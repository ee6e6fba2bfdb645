"""The ledger of erasures: what was erased of whom, when, by which rule or request.

It holds no personal information itself (ids, field names, counts), so it outlives what it
records, and a restored backup can be brought back up to it (`erasures_replay`)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Erasure(models.Model):
    class Subject(models.TextChoices):
        REPORT = "report", _("Missing report")
        RELATIVE = "relative", _("Relative")
        PERSON = "person", _("Person in care")
        NOTICE = "notice", _("Tracing notice")
        TIP = "tip", _("Tip from the public")
        AUDIT = "audit", _("Audit trail")

    REQUEST = "request"  # `rule` of an erasure that a person or family asked for

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    rule = models.CharField(_("rule"), max_length=24, db_index=True)
    subject = models.CharField(_("record type"), max_length=10, choices=Subject.choices)
    subject_id = models.BigIntegerField(_("record"), null=True, blank=True)
    public_id = models.UUIDField(null=True, blank=True, db_index=True)
    # The station whose record it was (none for the site-wide rules: tips, the audit trail).
    station = models.ForeignKey(
        "stations.Station", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # What went: field and file names and counts, never a value.
    erased = models.JSONField(_("what was erased"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.rule} {self.subject} {self.subject_id}"

    @property
    def rule_label(self) -> str:
        from homeward.privacy.rules import RULES

        if self.rule == self.REQUEST:
            return str(_("On request"))
        return next((str(r.data) for r in RULES if r.code == self.rule), self.rule)

    @property
    def summary(self) -> str:
        """What went, in words a reader scans: "photos: 1; fields: contact_phone, name"."""
        parts = []
        for key, value in self.erased.items():
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value) or "—"
            parts.append(f"{key}: {value}")
        return "; ".join(parts)
