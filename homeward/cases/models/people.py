"""People helped by a station, and the merging of duplicate records."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from homeward.cases.models.vocabulary import CONDITIONS, Sex, marks_in_words
from homeward.common.crypto import EncryptedTextField, keyed_hash
from homeward.common.text import half_width


def shift_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_in_years(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# The person's fields that `Person.report_facts` copies onto their stays.
REPORT_FACTS = ("sex", "birth_date", "born_before", "conditions")


def condition_bits(conditions: list[str] | None) -> int:
    """Conditions as an integer: bit i set for the i-th code of CONDITIONS (new codes go
    at the end of CONDITIONS, or stays must be filled again: cases migration 0004)."""
    codes = list(CONDITIONS)
    return sum(1 << codes.index(c) for c in set(conditions or ()) if c in CONDITIONS)


class Person(models.Model):
    """A person helped by a station (受助人员); one person, many stays.

    What we know of who they are lives here; what happened in one stay lives
    on the Stay. A person found to be a duplicate points at the record it was
    merged into and keeps its own stays, so a merge can be undone.
    """

    class NameSource(models.TextChoices):
        DOCUMENT = "document", _("From an identity document")
        SAID = "said", _("As the person said")
        OTHERS = "others", _("As others said")
        ASSIGNED = "assigned", _("Given by the station")
        UNKNOWN = "unknown", _("No name")

    class Build(models.TextChoices):
        SLIM = "slim", _("Slim")
        MEDIUM = "medium", _("Medium")
        HEAVY = "heavy", _("Heavy")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=50, blank=True)
    name_source = models.CharField(
        _("name comes from"), max_length=10, choices=NameSource.choices, default=NameSource.UNKNOWN
    )
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    # Encrypted at rest; found again by its keyed hash (homeward/common/crypto.py).
    id_number = EncryptedTextField(_("ID number"), max_length=18, blank=True)
    id_number_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    # An age estimate made at intake is kept as the span of possible birth dates,
    # so the age stays right on every later day.
    born_after = models.DateField(_("born no earlier than"), null=True, blank=True)
    born_before = models.DateField(_("born no later than"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    language = models.CharField(_("language or dialect"), max_length=50, blank=True)
    dialect_division = models.ForeignKey(
        "regions.Division",
        verbose_name=_("dialect points to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    home_division = models.ForeignKey(
        "regions.Division",
        verbose_name=_("home (household registration)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    height_cm = models.PositiveSmallIntegerField(_("height (cm)"), null=True, blank=True)
    build = models.CharField(_("build"), max_length=8, choices=Build.choices, blank=True)
    marks = models.JSONField(_("marks"), default=list, blank=True)
    # What the desk wrote of a mark ({"tattoo:left_arm": "龙形"}): for people to compare.
    mark_notes = models.JSONField(_("what the marks look like"), default=dict, blank=True)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    fingerprints_taken = models.BooleanField(_("fingerprints taken"), default=False)
    # Where an imported record came from (e.g. "hwx:F-1"), so a second import skips it.
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True, db_index=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            # A record imported from an exchange file comes in once (HWX ids, PFIF ids).
            models.UniqueConstraint(
                fields=["source_ref"],
                condition=~models.Q(source_ref=""),
                name="person_source_ref_once",
                violation_error_message=_("This record has been imported already."),
            )
        ]

    def __str__(self) -> str:
        return self.name or str(_("Unnamed person #%(id)s") % {"id": self.pk})

    def save(self, *args, **kwargs) -> None:
        # As the desk's lookups write it: half-width, upper-case X.
        self.id_number_digest = keyed_hash(half_width(self.id_number or "").strip().upper())
        fields = kwargs.get("update_fields")
        if fields is not None and "id_number" in fields:
            kwargs["update_fields"] = {*fields, "id_number_digest"}
        super().save(*args, **kwargs)
        fields = kwargs.get("update_fields")
        if fields is None or set(fields) & set(REPORT_FACTS):
            facts = self.report_facts()
            self.stays.exclude(**facts).update(**facts)

    @property
    def photo(self):
        """The newest photo's image (what thumbnails show), or None. Reads `photos`, so a
        list that shows thumbnails prefetches them."""
        newest = self.newest_photo
        return newest.image if newest is not None else None

    @property
    def newest_photo(self) -> PersonPhoto | None:
        photos = list(self.photos.all())
        return max(photos, key=PersonPhoto.order_key) if photos else None

    @property
    def marks_in_words(self) -> list[str]:
        return marks_in_words(self.marks, self.mark_notes)

    def report_facts(self) -> dict[str, object]:
        """What the figures count stays by, copied onto each of the person's stays (see
        `Stay.person_sex`): sex, the latest possible birth date, the conditions as bits."""
        return {
            "person_sex": self.sex,
            "person_born": self.birth_date or self.born_before,
            "person_conditions": condition_bits(self.conditions),
        }

    def age_on(self, day: date) -> tuple[int, int] | None:
        """(youngest, oldest) possible age on `day`, or None if nothing is known."""
        if self.birth_date:
            return (age_in_years(self.birth_date, day),) * 2
        if self.born_after and self.born_before:
            return (age_in_years(self.born_before, day), age_in_years(self.born_after, day))
        return None

    def set_age_estimate(self, low: int, high: int, on: date) -> None:
        """Keep 'between `low` and `high` years old on `on`' as a span of birth dates."""
        self.born_before = shift_years(on, -low)
        self.born_after = shift_years(on, -(high + 1)) + timedelta(days=1)

    def age_label(self, day: date) -> str:
        age = self.age_on(day)
        if age is None:
            return "?"
        low, high = max(age[0], 0), max(age[1], 0)
        return str(low) if low == high else f"{low}–{high}"


class PersonPhoto(models.Model):
    """One photo of a person, with the day it was taken: a person has several over the
    years (intake, a later photo, one the family recognised), and each is embedded and
    searched. A merge moves the merged record's photos here, remembering whose they were."""

    class Source(models.TextChoices):
        INTAKE = "intake", _("Taken at intake")
        ADDED = "added", _("Added later")
        IMPORTED = "imported", _("Imported")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to="photos/%Y/%m/")
    taken_on = models.DateField(_("day taken"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.ADDED
    )
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    # The record this photo belonged to before a merge (so undoing the merge takes it back).
    merged_from = models.ForeignKey(
        Person, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-taken_on", "-id"]
        verbose_name = _("photo of a person")
        verbose_name_plural = _("photos of people")

    def __str__(self) -> str:
        return f"{self.person_id}:{self.pk}"

    def order_key(self) -> tuple:
        """Newer sorts higher: by the day taken, then by the order photos were added."""
        return (self.taken_on or date.min, self.pk or 0)


class PersonMerge(models.Model):
    """Staff decided that two person records are one person (never automatic)."""

    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_merged")
    reason = models.CharField(_("reason"), max_length=200)
    merged_at = models.DateTimeField(auto_now_add=True)
    merged_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = _("merge of person records")
        verbose_name_plural = _("merges of person records")

    def __str__(self) -> str:
        return f"#{self.merged_id} → #{self.kept_id}"
