"""Incidents (求助事件), their timeline, joint actions, supplies and the intake draft."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Minutes from the report to the team on scene, per urgency; a deployment can
# set DISPATCH_RESPONSE_MINUTES to its own targets.
RESPONSE_MINUTES = {"critical": 15, "high": 30, "normal": 60, "low": 120}


def response_minutes() -> dict[str, int]:
    return {**RESPONSE_MINUTES, **getattr(settings, "DISPATCH_RESPONSE_MINUTES", {})}


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("24-hour hotline")
    POLICE_110 = "police_110", _("110 command center")
    CITY_MANAGEMENT = "city_management", _("City management platform")
    PUBLIC = "public", _("Member of the public")
    STREET_TEAM = "street_team", _("Street team")
    DRONE = "drone", _("Drone sighting")


class Urgency(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


URGENCY_RANK = {u: i for i, u in enumerate(Urgency.values)}


class Outcome(models.TextChoices):
    BROUGHT_TO_STATION = "brought_to_station", _("Brought to a station")
    REFUSED_HELP = "refused_help", _("Refused help")
    HOSPITAL = "hospital", _("Taken to hospital")
    POLICE = "police", _("Handed to police")
    CHILD_PROTECTION = "child_protection", _("Child protection referral")
    NOT_FOUND = "not_found", _("Not found")
    FALSE_REPORT = "false_report", _("False report")


class Incident(models.Model):
    """A report of a person in distress (求助信息), from any channel, until its outcome."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        DISPATCHED = "dispatched", _("Dispatched")
        ON_SCENE = "on_scene", _("On scene")
        RESOLVED = "resolved", _("Resolved")
        MERGED = "merged", _("Merged into another report")

    OPEN = (Status.RECEIVED, Status.DISPATCHED, Status.ON_SCENE)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    partner = models.ForeignKey(
        "dispatch.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    external_ref = models.CharField(_("partner's reference"), max_length=64, blank=True)
    reporter_name = models.CharField(_("reporter"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=32, blank=True)
    description = models.TextField(_("what was seen"), max_length=2000)
    address = models.CharField(_("address"), max_length=200, blank=True)
    division = models.ForeignKey(
        "regions.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    latitude = models.FloatField(
        _("latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    photo = models.ImageField(_("photo"), upload_to="dispatch/%Y/%m/", blank=True)
    people_count = models.PositiveSmallIntegerField(_("people"), default=1)
    minor = models.BooleanField(_("a minor"), default=False)
    elderly = models.BooleanField(_("an elderly person"), default=False)
    ill = models.BooleanField(_("ill or injured"), default=False)
    extreme_weather = models.BooleanField(_("extreme weather"), default=False)
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    team = models.ForeignKey(
        "dispatch.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("on scene"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("what the team saw and did"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["station", "status", "received_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.address or self.description[:30]}"

    @property
    def point(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)

    @property
    def placement(self) -> str:
        """How well the incident is placed: "point" (a reported point), "division" (only
        the centre of the division its address names: approximate), "none" (nowhere)."""
        if self.point is not None:
            return "point"
        return "division" if self.division_id else "none"

    @property
    def due_at(self):
        """When the team should be on scene, by the target for this urgency."""
        return self.received_at + timedelta(minutes=response_minutes()[self.urgency])

    def is_overdue(self, now=None) -> bool:
        """Past its response target with no team on scene yet."""
        if self.status not in self.OPEN or self.on_scene_at is not None:
            return False
        return (now or timezone.now()) > self.due_at


class IncidentEvent(models.Model):
    """One step of an incident's timeline: who did what, and when."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        ESCALATED = "escalated", _("Urgency raised")
        MERGED = "merged", _("Duplicate report merged")
        DISPATCHED = "dispatched", _("Dispatched")
        ON_SCENE = "on_scene", _("On scene")
        PARTY = "party", _("Department joined")
        RESOLVED = "resolved", _("Resolved")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_name = models.CharField(max_length=100, blank=True)
    team = models.ForeignKey(
        "dispatch.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.at:%H:%M}"


class JointParty(models.Model):
    """A department in a joint action (联动): police, city management, health."""

    class Department(models.TextChoices):
        POLICE = "police", _("Police")
        CITY_MANAGEMENT = "city_management", _("City management")
        HEALTH = "health", _("Health (120)")
        CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
        OTHER = "other", _("Other")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="parties")
    department = models.CharField(_("department"), max_length=16, choices=Department.choices)
    unit = models.CharField(_("unit"), max_length=100)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    role = models.CharField(_("what they did"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_department_display()} {self.unit}"


class Supply(models.TextChoices):
    FOOD = "food", _("Food")
    WATER = "water", _("Water")
    CLOTHES = "clothes", _("Clothes")
    QUILT = "quilt", _("Quilts")
    MEDICINE = "medicine", _("Medicine")
    COOLING = "cooling", _("Cooling supplies")


class SupplyHandout(models.Model):
    """Supplies handed to someone in the street (发放物资), with or without an incident."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, null=True, blank=True, related_name="supplies"
    )
    station = models.ForeignKey("stations.Station", on_delete=models.PROTECT, related_name="+")
    division = models.ForeignKey(
        "regions.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("supply"), max_length=10, choices=Supply.choices)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.quantity}"


class IntakeDraft(models.Model):
    """What a team saw of a person it brought in (接收草稿); the desk opens intake from it.

    It lives here rather than in cases because nobody is admitted yet; the desk
    turns it into an intake, and the draft then points at the stay.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Waiting at the desk")
        ADMITTED = "admitted", _("Admitted")

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="draft")
    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "dispatch.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(_("what the team saw"))
    found_at = models.DateTimeField(_("found at"))
    found_address = models.CharField(max_length=200, blank=True)
    found_division = models.ForeignKey(
        "regions.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    found_latitude = models.FloatField(null=True, blank=True)
    found_longitude = models.FloatField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    stay = models.ForeignKey(
        "cases.Stay", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("intake draft")
        verbose_name_plural = _("intake drafts")

    def __str__(self) -> str:
        return f"{self.incident} → {self.station}"
