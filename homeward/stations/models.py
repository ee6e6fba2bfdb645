"""Relief management institutions, their rooms and beds."""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Station(models.Model):
    """A relief management station or institution (救助管理站/救助管理机构)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Provincial")
        CITY = "city", _("City")
        COUNTY = "county", _("County")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100, unique=True)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    division = models.ForeignKey(
        "regions.Division", verbose_name=_("division"), on_delete=models.PROTECT
    )
    address = models.CharField(_("address"), max_length=200)
    latitude = models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    phone_24h = models.CharField(_("24-hour phone"), max_length=32)
    bed_capacity = models.PositiveIntegerField(_("approved bed capacity"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["division_id", "name"]
        verbose_name = _("station")
        verbose_name_plural = _("stations")

    def __str__(self) -> str:
        return self.name

    @property
    def point(self) -> tuple[float, float]:
        return (self.latitude, self.longitude)


class Room(models.Model):
    """A room or ward in a station (宿舍/病区); minors are kept apart from adults."""

    class Kind(models.TextChoices):
        MEN = "men", _("Men")
        WOMEN = "women", _("Women")
        MINORS = "minors", _("Minors")
        MEDICAL = "medical", _("Medical observation")
        FAMILY = "family", _("Families")

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    floor = models.SmallIntegerField(_("floor"), default=1)

    class Meta:
        ordering = ["station_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["station", "name"], name="room_name_unique_in_station")
        ]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")

    def __str__(self) -> str:
        return f"{self.station.name} {self.name}"


class Bed(models.Model):
    """One bed (床位). Its state changes only through stations.services."""

    class State(models.TextChoices):
        FREE = "free", _("Free")
        OCCUPIED = "occupied", _("Occupied")
        OUT_OF_SERVICE = "out_of_service", _("Out of service")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="beds")
    label = models.CharField(_("bed"), max_length=20)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.FREE)

    class Meta:
        ordering = ["room_id", "label"]
        constraints = [
            models.UniqueConstraint(fields=["room", "label"], name="bed_label_unique_in_room")
        ]
        verbose_name = _("bed")
        verbose_name_plural = _("beds")

    def __str__(self) -> str:
        return f"{self.room} {self.label}"


class SafetyCheck(models.Model):
    """A periodic facility safety check (设施安全检查) of one area of a station.

    A check is due by a date; when done it records the findings, and a hazard
    found stays open until its fix is recorded. Recording a check schedules the
    next one, `every_days` later.
    """

    class Area(models.TextChoices):
        WATER = "water", _("Water")
        ELECTRICITY = "electricity", _("Electricity")
        GAS = "gas", _("Gas")
        COOLING_HEATING = "cooling_heating", _("Cooling and heating equipment")
        VIDEO = "video", _("Video surveillance")
        FIRE = "fire", _("Fire safety")

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="safety_checks")
    area = models.CharField(_("area"), max_length=16, choices=Area.choices)
    due_on = models.DateField(_("due on"), db_index=True)
    every_days = models.PositiveSmallIntegerField(
        _("repeat every (days)"), default=30, validators=[MinValueValidator(1)]
    )
    done_on = models.DateField(_("checked on"), null=True, blank=True)
    done_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hazard_found = models.BooleanField(_("hazard found"), default=False)
    findings = models.TextField(_("findings"), blank=True)
    fixed_on = models.DateField(_("fixed on"), null=True, blank=True)
    fix = models.TextField(_("what was fixed"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "station_id", "area"]
        verbose_name = _("safety check")
        verbose_name_plural = _("safety checks")
        indexes = [models.Index(fields=["station", "done_on", "due_on"])]

    def __str__(self) -> str:
        return f"{self.station.name} {self.get_area_display()} {self.due_on}"

    def is_overdue(self, today) -> bool:
        return self.done_on is None and self.due_on < today

    @property
    def fix_pending(self) -> bool:
        return self.hazard_found and self.fixed_on is None
