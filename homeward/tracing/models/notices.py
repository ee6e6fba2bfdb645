"""Tracing notices (寻亲公告) on the public portal, and tips from the public."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    """The public notice of an unidentified person's stay.

    Holds only what may be public: photo, sex, approximate age, place and date
    found, marks. Never health, DNA, ID number or exact birth date.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    stay = models.OneToOneField("cases.Stay", on_delete=models.CASCADE, related_name="notice")
    due_at = models.DateTimeField(_("to be published at"), db_index=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    refreshed_at = models.DateTimeField(_("refreshed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    sex = models.CharField(max_length=1)
    age_low = models.PositiveSmallIntegerField(null=True, blank=True)
    age_high = models.PositiveSmallIntegerField(null=True, blank=True)
    height_cm = models.PositiveSmallIntegerField(null=True, blank=True)
    found_on = models.DateField(null=True, blank=True)
    found_division = models.ForeignKey(
        "regions.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    found_place = models.CharField(max_length=200, blank=True)
    dialect_division = models.ForeignKey(
        "regions.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    marks = models.JSONField(default=list, blank=True)
    name_said = models.CharField(max_length=50, blank=True)
    photo = models.FileField(upload_to="notices/%Y/%m/", blank=True)
    station_name = models.CharField(max_length=100)
    station_phone = models.CharField(max_length=32)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("tracing notice")
        verbose_name_plural = _("tracing notices")

    def __str__(self) -> str:
        return f"notice {self.public_id}"

    @property
    def marks_in_words(self) -> list[str]:
        """The marks as people say them ("左臂 纹身"), in the reader's language; a notice
        never carries the staff's detail of what a mark looks like."""
        from homeward.cases.models.vocabulary import marks_in_words

        return marks_in_words(self.marks, None)


class Tip(models.Model):
    """“I may know this person”: a message from the public that reaches the station."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="tips")
    message = models.TextField(_("what you know"))
    contact = models.CharField(_("how to reach you"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"tip {self.pk}"
