"""Missing-person reports (寻人登记) filed by families or the police, with photos and relatives."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeward.cases.models.vocabulary import Sex
from homeward.common.crypto import EncryptedJSONField, EncryptedTextField, keyed_hash, phone_digits


class MissingReport(models.Model):
    """A report of a missing person. Not public, not searched by families, until verified.

    Contact details are never shown on a public page or sent in a public API answer.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        VERIFIED = "verified", _("Verified, being searched")
        REUNITED = "reunited", _("Reunited")
        CLOSED = "closed", _("Closed")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Family on the portal")
        STAFF = "staff", _("Station staff for the family")
        POLICE = "police", _("Police")
        IMPORT = "import", _("Imported")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    channel = models.CharField(_("filed through"), max_length=8, choices=Channel.choices)
    filed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="missing_reports",
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("handled by station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="missing_reports",
    )
    verified_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=50)
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_precision = models.CharField(
        max_length=5, choices=[("year", "year"), ("month", "month"), ("day", "day")], default="day"
    )
    home_division = models.ForeignKey(
        "regions.Division",
        verbose_name=_("home"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lost_date = models.DateField(_("date lost"), null=True, blank=True)
    # The hour matters for an urgent report: the alert radius grows with time since loss.
    lost_at = models.DateTimeField(_("time lost"), null=True, blank=True)
    lost_division = models.ForeignKey(
        "regions.Division",
        verbose_name=_("lost in"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lost_address = models.CharField(_("where lost"), max_length=200, blank=True)
    lost_latitude = models.FloatField(null=True, blank=True)
    lost_longitude = models.FloatField(null=True, blank=True)
    height_cm = models.PositiveSmallIntegerField(_("height (cm)"), null=True, blank=True)
    marks = models.JSONField(_("marks"), default=list, blank=True)
    mark_notes = models.JSONField(_("what the marks look like"), default=dict, blank=True)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    description = models.TextField(_("what the family says"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_relation = models.CharField(_("relation to the missing person"), max_length=30)
    # Encrypted at rest; two reports from one phone are found by its keyed hash.
    contact_phone = EncryptedTextField(_("contact phone"), max_length=32)
    contact_phone_digest = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # The family agreed that an urgent alert may carry the missing person's name, age and
    # place of loss to the people nearby who asked for alerts. Without it none is sent.
    publish_consent = models.BooleanField(_("alerts may name the missing person"), default=False)
    publish_consent_at = models.DateTimeField(null=True, blank=True)
    source_ref = models.CharField(max_length=100, blank=True, db_index=True)
    # Where an imported record first came from (PFIF author_name, source_name, source_date,
    # source_url), so that passing it on keeps its original author.
    origin = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Erased at the family's request (homeward/privacy): only the number, status and dates
    # are left, and exchanges tell partners to delete their copies.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("missing report")
        verbose_name_plural = _("missing reports")

    def __str__(self) -> str:
        return f"{self.name} ({self.lost_date or '?'})"

    def save(self, *args, **kwargs) -> None:
        self.contact_phone_digest = keyed_hash(phone_digits(self.contact_phone or ""))
        fields = kwargs.get("update_fields")
        if fields is not None and "contact_phone" in fields:
            kwargs["update_fields"] = {*fields, "contact_phone_digest"}
        super().save(*args, **kwargs)

    @property
    def marks_in_words(self) -> list[str]:
        from homeward.cases.models.vocabulary import marks_in_words

        return marks_in_words(self.marks, self.mark_notes)


class ReportPhoto(models.Model):
    """A photo of the missing person, with the year it was taken (photos age)."""

    report = models.ForeignKey(MissingReport, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to="reports/%Y/%m/")
    taken_year = models.PositiveSmallIntegerField(_("year taken"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.pk}"


class ReportUpdate(models.Model):
    """A step in a report's life that its family follows on the portal: information or a
    photo the family added, a withdrawal, a reunion. (Filing and verification are read
    from the report's own times.)"""

    class Kind(models.TextChoices):
        INFO = "info", _("The family added information")
        PHOTO = "photo", _("The family added a photo")
        WITHDRAWN = "withdrawn", _("The family withdrew the report")
        REUNITED = "reunited", _("Reunited")

    report = models.ForeignKey(MissingReport, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(_("what happened"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("what the family wrote"), blank=True)
    by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("report update")
        verbose_name_plural = _("report updates")

    def __str__(self) -> str:
        return f"{self.report_id}:{self.kind}"


class Relative(models.Model):
    """A relative of the missing person who can give DNA (亲属DNA)."""

    class Relation(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        CHILD = "child", _("Child")
        FULL_SIBLING = "full_sibling", _("Full sibling")
        HALF_SIBLING = "half_sibling", _("Half sibling")
        GRANDPARENT = "grandparent", _("Grandparent")
        GRANDCHILD = "grandchild", _("Grandchild")
        AUNT_UNCLE = "aunt_uncle", _("Aunt or uncle")
        NIECE_NEPHEW = "niece_nephew", _("Niece or nephew")

    class DnaStatus(models.TextChoices):
        NONE = "none", _("Not requested")
        REQUESTED = "requested", _("Requested")
        SAMPLED = "sampled", _("Sampled")
        ENTERED = "entered", _("Profile entered")

    report = models.ForeignKey(MissingReport, on_delete=models.CASCADE, related_name="relatives")
    relation = models.CharField(_("relation"), max_length=14, choices=Relation.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)
    dna_status = models.CharField(
        _("DNA"), max_length=10, choices=DnaStatus.choices, default=DnaStatus.NONE
    )

    class Consent(models.TextChoices):
        NONE = "", _("Not recorded")
        SEARCH = "search", _("To search for the missing person; erased when the case ends")
        KEEP = "keep", _("To search, and to keep the profile after the case ends")

    lab = models.CharField(_("laboratory"), max_length=100, blank=True)
    profile = EncryptedJSONField(_("DNA profile"), null=True, blank=True)
    # The relative's written consent (PIPL art. 29: sensitive information needs its own):
    # a profile is compared only under a consent, and kept after the case only under KEEP.
    consent = models.CharField(_("consent"), max_length=6, choices=Consent.choices, blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_ref = models.CharField(_("consent form"), max_length=50, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_relation_display()} {self.name}".strip()

    @property
    def searchable(self) -> bool:
        """An entered profile the relative consented to have compared."""
        return bool(
            self.profile
            and self.dna_status == self.DnaStatus.ENTERED
            and self.consent in (self.Consent.SEARCH, self.Consent.KEEP)
        )


class ReportChange(models.Model):
    """A change to what the matcher reads of a report (the report, a relative, a photo, an
    embedding), written in the same transaction as the change: each process's table of
    reports catches up from these rows instead of encoding every report again."""

    report_id = models.BigIntegerField(db_index=True)  # no key: a deleted report's stays
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.report_id}@{self.at:%H:%M:%S}"


class DnaForget(models.Model):
    """A report whose relatives' DNA was erased or replaced, written in the same transaction:
    its families are then blanked in the DNA indexes kept on disk (`services.dna_index`).
    One a crash or a full disk interrupted is done again by the five-minute sweep."""

    report_id = models.BigIntegerField(db_index=True)  # no key: a deleted report's stays
    at = models.DateTimeField(default=timezone.now)
    # First tried, after the commit: a family read before it is blanked, on every try.
    tried_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.report_id}@{self.at:%H:%M:%S}"
