"""What the tracing engine knows of a found person beyond the case file: faces and DNA."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from homeward.common.crypto import EncryptedJSONField


class FaceVector(models.Model):
    """One embedded photo: a photo of a found person or a report's photo.

    The vector is float32 little-endian bytes; `model` names the face model,
    so a new model is a rebuild, never a mix.
    """

    class Kind(models.TextChoices):
        FOUND = "found", _("Found person")
        MISSING = "missing", _("Missing report")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    person = models.ForeignKey(
        "cases.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="faces"
    )
    person_photo = models.OneToOneField(
        "cases.PersonPhoto", on_delete=models.CASCADE, null=True, blank=True, related_name="face"
    )
    report_photo = models.OneToOneField(
        "tracing.ReportPhoto", on_delete=models.CASCADE, null=True, blank=True, related_name="face"
    )
    model = models.CharField(max_length=64)
    vector = models.BinaryField(null=True, blank=True)
    accepted = models.BooleanField(default=False)
    reasons = models.JSONField(default=list, blank=True)
    taken_year = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "model"])]

    def __str__(self) -> str:
        return f"{self.kind} face {self.pk}"


class FoundDna(models.Model):
    """A found person's DNA (police sampling within a month of intake, 一个月内采血)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        SAMPLED = "sampled", _("Sampled")
        ENTERED = "entered", _("Profile entered")

    person = models.OneToOneField("cases.Person", on_delete=models.CASCADE, related_name="dna")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    lab = models.CharField(_("laboratory"), max_length=100, blank=True)
    profile = EncryptedJSONField(_("DNA profile"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.person_id} {self.status}"
