"""A stay at a station: intake, beds, belongings and the way it ended."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeward.cases.models.people import Person
from homeward.common.crypto import EncryptedTextField

MINOR_AGE = 18
# People who cannot speak for themselves: their family tie must be proven
# (DNA or police) before they are handed over, as for minors.
CANNOT_SPEAK = frozenset(
    {"intellectual_disability", "mental_illness", "dementia", "hearing_speech"}
)
# Days in station at which a stay is flagged: the ordinary limit, the notice
# refresh, and long-term retention (长期滞留).
STAY_FLAGS = (10, 30, 90)


class Stay(models.Model):
    """One stay of a person at a station (救助记录), from intake to exit."""

    class Status(models.TextChoices):
        IN_STATION = "in_station", _("In the station")
        EXITED = "exited", _("Left")

    class BroughtBy(models.TextChoices):
        POLICE = "police", _("Police")
        CITY_MANAGEMENT = "city_management", _("City management")
        SELF = "self", _("Came by themselves")
        HOTLINE = "hotline", _("Hotline report")
        STREET_TEAM = "street_team", _("Street team")
        TRANSFER = "transfer", _("Transfer from another station")
        HOSPITAL = "hospital", _("Hospital")
        OTHER = "other", _("Other")

    class FoundPrecision(models.TextChoices):
        MINUTE = "minute", _("Time known")
        # Only the day is known (a partner's record): `found_at` is that day's noon, or
        # the moment it was recorded if that was earlier (`common.clock.moment_of_day`).
        DAY = "day", _("Day only")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="stays")
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="stays",
    )
    number = models.CharField(_("stay number"), max_length=24, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.IN_STATION
    )
    admitted_at = models.DateTimeField(_("admitted at"), default=timezone.now, db_index=True)
    admitted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    brought_by = models.CharField(_("brought by"), max_length=16, choices=BroughtBy.choices)
    referring_unit = models.CharField(_("referring unit"), max_length=100, blank=True)
    name_at_intake = models.CharField(_("name given at intake"), max_length=50, blank=True)
    age_estimate_min = models.PositiveSmallIntegerField(
        _("estimated age from"), null=True, blank=True
    )
    age_estimate_max = models.PositiveSmallIntegerField(
        _("estimated age to"), null=True, blank=True
    )
    found_at = models.DateTimeField(_("found at"), null=True, blank=True)
    found_precision = models.CharField(
        _("found at: precision"),
        max_length=6,
        choices=FoundPrecision.choices,
        default=FoundPrecision.MINUTE,
    )
    found_division = models.ForeignKey(
        "regions.Division",
        verbose_name=_("found in"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    found_address = models.CharField(_("where found"), max_length=200, blank=True)
    found_latitude = models.FloatField(_("latitude"), null=True, blank=True)
    found_longitude = models.FloatField(_("longitude"), null=True, blank=True)
    health_on_arrival = models.TextField(_("health on arrival"), blank=True)
    # Minors (未成年人): decided at intake from the ID or the estimate.
    is_minor = models.BooleanField(_("minor"), default=False)
    left_behind_child = models.BooleanField(_("left-behind child"), default=False)
    child_in_plight = models.BooleanField(_("child in plight"), default=False)
    guardian_name = models.CharField(_("guardian"), max_length=50, blank=True)
    guardian_relation = models.CharField(_("guardian's relation"), max_length=30, blank=True)
    guardian_phone = models.CharField(_("guardian's phone"), max_length=32, blank=True)
    child_protection_unit = models.CharField(
        _("child-protection referral to"), max_length=100, blank=True
    )
    child_protection_referred_at = models.DateTimeField(
        _("child-protection referral made"), null=True, blank=True
    )
    transferred_from = models.ForeignKey(
        "self",
        verbose_name=_("transferred from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    exited_at = models.DateTimeField(_("left at"), null=True, blank=True, db_index=True)
    # The person's facts the figures count stays by, copied from the person when the stay
    # is made and whenever the person is saved (`Person.report_facts`), so that the
    # yearly report reads the stays alone (their covering index), not a million people.
    person_sex = models.CharField(max_length=1, default="U", editable=False)
    person_born = models.DateField(null=True, blank=True, editable=False)
    person_conditions = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-admitted_at"]
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        indexes = [models.Index(fields=["station", "status"])]

    def __str__(self) -> str:
        return f"{self.number} {self.person}"

    def save(self, *args, **kwargs) -> None:
        if self._state.adding:
            for name, value in self.person.report_facts().items():
                setattr(self, name, value)
        super().save(*args, **kwargs)

    def days_in_station(self, now=None) -> int:
        end = self.exited_at or now or timezone.now()
        return max((end - self.admitted_at).days, 0)

    @property
    def age_now(self) -> str:
        return self.person.age_label(timezone.localdate())

    def flags(self, now=None) -> list[int]:
        """The day thresholds (10, 30, 90) this stay has passed."""
        days = self.days_in_station(now)
        return [limit for limit in STAY_FLAGS if days >= limit]


class BedAssignment(models.Model):
    """A stay in a bed from `since` until `until` (null while in it)."""

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="bed_assignments")
    bed = models.ForeignKey("stations.Bed", on_delete=models.PROTECT, related_name="assignments")
    since = models.DateTimeField(default=timezone.now)
    until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["since"]
        constraints = [
            models.UniqueConstraint(
                fields=["bed"], condition=models.Q(until__isnull=True), name="one_stay_per_bed"
            ),
            models.UniqueConstraint(
                fields=["stay"], condition=models.Q(until__isnull=True), name="one_bed_per_stay"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stay_id} @ {self.bed_id}"


class Belonging(models.Model):
    """Something the person brought, stored by the station and given back at exit."""

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="belongings")
    description = models.CharField(_("item"), max_length=100)
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    stored_at = models.DateTimeField(default=timezone.now)
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.description} × {self.quantity}"


class Exit(models.Model):
    """How a stay ended (离站). Which fields apply depends on the kind; services check them."""

    class Kind(models.TextChoices):
        RETURNED_HOME = "returned_home", _("Returned home")
        HANDED_TO_FAMILY = "handed_to_family", _("Handed to family")
        TRANSFERRED = "transferred", _("Transferred")
        PLACED = "placed", _("Placed in an institution")
        HOSPITAL = "hospital", _("Taken to hospital")
        LEFT = "left", _("Left on own will")
        DIED = "died", _("Died")

    stay = models.OneToOneField(Stay, on_delete=models.CASCADE, related_name="exit")
    kind = models.CharField(_("how the stay ended"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    # Returned home: where to, and the travel help given.
    destination_division = models.ForeignKey(
        "regions.Division",
        verbose_name=_("destination"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ticket = models.CharField(_("ticket"), max_length=100, blank=True)
    escorted = models.BooleanField(_("escorted"), default=False)
    escort_name = models.CharField(_("escort"), max_length=50, blank=True)
    travel_cost_yuan = models.DecimalField(
        _("travel cost (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    # Handed to family: who collected, and the identity check.
    collector_name = models.CharField(_("collected by"), max_length=50, blank=True)
    collector_relation = models.CharField(_("relation"), max_length=30, blank=True)
    collector_id_number = EncryptedTextField(_("collector's ID number"), max_length=18, blank=True)
    identity_checked = models.BooleanField(_("identity document checked"), default=False)
    kinship_evidence = models.CharField(
        _("kinship confirmed by"),
        max_length=8,
        blank=True,
        choices=[("dna", _("DNA comparison")), ("police", _("Police confirmation"))],
    )
    # Transferred: to a station in Homeward, or to another institution.
    to_station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("to station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_transfers",
    )
    to_institution = models.CharField(_("to institution"), max_length=100, blank=True)
    received_stay = models.OneToOneField(
        Stay, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Hospital.
    hospital = models.CharField(_("hospital"), max_length=100, blank=True)
    # Died.
    authority_informed = models.CharField(_("authority informed"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("exit")
        verbose_name_plural = _("exits")

    def __str__(self) -> str:
        return f"{self.stay} {self.get_kind_display()}"
