"""Candidates from the engine, their review, inquiries, and reunions (团聚)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from homeward.common.crypto import EncryptedTextField


class Candidate(models.Model):
    """A found person and a missing report the engine put side by side, with its evidence.

    A rejected candidate is an exclusion: the search never proposes the pair again.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        INQUIRY = "inquiry", _("Inquiry under way")
        REJECTED = "rejected", _("Rejected")
        CONFIRMED = "confirmed", _("Confirmed")
        # Nothing left to decide: the person left the station, or the report's person was
        # found. Opened again if the person comes back to a station and still matches.
        CLOSED = "closed", _("Closed")

    class RejectKind(models.TextChoices):
        """Why a pair was ruled out: counted in the figures, and what the matcher learns from."""

        FACE = "face", _("The faces differ")
        SEX_AGE = "sex_age", _("Sex or age do not fit")
        DNA = "dna", _("DNA rules it out")
        FAMILY = "family", _("The family says it is not them")
        PERSON = "person", _("The person's own account rules it out")
        FOUND_ELSEWHERE = "elsewhere", _("One of them was identified elsewhere")
        OTHER = "other", _("Another reason")

    person = models.ForeignKey("cases.Person", on_delete=models.CASCADE, related_name="candidates")
    report = models.ForeignKey(
        "tracing.MissingReport", on_delete=models.CASCADE, related_name="candidates"
    )
    station = models.ForeignKey(
        "stations.Station",
        on_delete=models.PROTECT,
        related_name="candidates",
        help_text="The station of the person's latest stay: its tracing team reviews.",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    posterior = models.FloatField(_("probability"))
    log10_attributes = models.FloatField(null=True, blank=True)
    log10_face = models.FloatField(null=True, blank=True)
    log10_dna = models.FloatField(null=True, blank=True)
    log10_total = models.FloatField()
    evidence = models.JSONField(default=dict, blank=True)
    # The attribute model's version that scored the pair (AttributeModel.version).
    model_version = models.CharField(_("scored by"), max_length=40, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reject_kind = models.CharField(
        _("why ruled out"), max_length=10, choices=RejectKind.choices, blank=True
    )
    reject_reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-posterior"]
        constraints = [
            models.UniqueConstraint(fields=["person", "report"], name="one_candidate_per_pair")
        ]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")

    def __str__(self) -> str:
        return f"{self.person_id}~{self.report_id} ({self.posterior:.2f})"


class InquiryTask(models.Model):
    """A step to check a candidate: phone the family, ask the person, request DNA (询问甄别)."""

    class Kind(models.TextChoices):
        PHONE_FAMILY = "phone_family", _("Phone the family")
        ASK_PERSON = "ask_person", _("Ask the person")
        REQUEST_DNA = "request_dna", _("Request DNA")
        OTHER = "other", _("Other")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="inquiries")
    kind = models.CharField(_("task"), max_length=14, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(_("result"), blank=True)

    # Days an inquiry of each kind usually takes, when the officer names no day.
    DUE_DAYS = {"phone_family": 2, "ask_person": 3, "request_dna": 30, "other": 7}

    def __str__(self) -> str:
        return self.get_kind_display()


class Reunion(models.Model):
    """A confirmed match on its way home. Completed by a second officer, after the checks."""

    class Channel(models.TextChoices):
        FACE = "face", _("Face comparison")
        DNA = "dna", _("DNA comparison")
        ATTRIBUTES = "attributes", _("Information comparison")
        TIP = "tip", _("Tip from the public")
        NOTICE = "notice", _("Tracing notice")
        ALERT = "alert", _("Alert")
        POLICE = "police", _("Police")

    candidate = models.OneToOneField(Candidate, on_delete=models.PROTECT, related_name="reunion")
    stay = models.ForeignKey("cases.Stay", on_delete=models.PROTECT, related_name="reunions")
    channel = models.CharField(_("found through"), max_length=10, choices=Channel.choices)
    confirmed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    claimant_name = models.CharField(_("claimant"), max_length=50, blank=True)
    claimant_relation = models.CharField(_("claimant's relation"), max_length=30, blank=True)
    claimant_id_number = EncryptedTextField(_("claimant's ID number"), max_length=18, blank=True)
    identity_checked = models.BooleanField(_("claimant's identity checked"), default=False)
    kinship_evidence = models.CharField(_("family tie confirmed by"), max_length=8, blank=True)
    completed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"reunion {self.pk}"
