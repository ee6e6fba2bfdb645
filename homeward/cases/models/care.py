"""Care in the station, incidents, and what comes after a long stay."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeward.cases.models.people import Person
from homeward.cases.models.stays import Stay


class CareNote(models.Model):
    """A meal, a medical act, psychological support or a daily check (照料记录)."""

    class Kind(models.TextChoices):
        MEAL = "meal", _("Meal")
        MEDICAL = "medical", _("Medical care")
        HOSPITAL_OUT = "hospital_out", _("Referred to hospital")
        HOSPITAL_BACK = "hospital_back", _("Back from hospital")
        PSYCHOLOGICAL = "psychological", _("Psychological support")
        DAILY_CHECK = "daily_check", _("Daily check")
        INTERVIEW = "interview", _("Interview")

    SENSITIVE = frozenset({Kind.MEDICAL, Kind.HOSPITAL_OUT, Kind.HOSPITAL_BACK, Kind.PSYCHOLOGICAL})

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="care_notes")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    text = models.TextField(_("note"))
    by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-at"]
        verbose_name = _("care note")
        verbose_name_plural = _("care notes")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class Incident(models.Model):
    """A fall, a fight, an escape… and its follow-up (突发事件)."""

    class Kind(models.TextChoices):
        FALL = "fall", _("Fall")
        FIGHT = "fight", _("Fight")
        ESCAPE = "escape", _("Escape")
        SELF_HARM = "self_harm", _("Self-harm")
        ILLNESS = "illness", _("Sudden illness")
        OTHER = "other", _("Other")

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    description = models.TextField(_("what happened"))
    follow_up = models.TextField(_("follow-up"), blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class Settlement(models.Model):
    """Placement and household registration for a long-stay person (先安置、后落户).

    One row per person; each step records its date when done.
    """

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="settlement")
    station = models.ForeignKey("stations.Station", on_delete=models.PROTECT, related_name="+")
    institution = models.CharField(_("placed with"), max_length=100, blank=True)
    placed_on = models.DateField(_("placed on"), null=True, blank=True)
    hukou_applied_on = models.DateField(_("household registration applied"), null=True, blank=True)
    hukou_registered_on = models.DateField(_("household registered (落户)"), null=True, blank=True)
    dibao_on = models.DateField(_("minimum living security from"), null=True, blank=True)
    medical_assistance_on = models.DateField(_("medical assistance from"), null=True, blank=True)
    temporary_assistance_on = models.DateField(
        _("temporary assistance from"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    STEPS = (
        "placed_on",
        "hukou_applied_on",
        "hukou_registered_on",
        "dibao_on",
        "medical_assistance_on",
        "temporary_assistance_on",
    )

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")

    def __str__(self) -> str:
        return f"{self.person} {self.institution}"


class OutsourcedCare(models.Model):
    """Care bought from an outside institution while the stay goes on (托养)."""

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="outsourced_care")
    institution = models.CharField(_("institution"), max_length=100)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["-since"]
        verbose_name = _("outsourced care")
        verbose_name_plural = _("outsourced care")

    def __str__(self) -> str:
        return f"{self.institution} {self.since}"
