"""Street teams and rescue vehicles, with their live position."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Team(models.Model):
    """A patrol team or mobile rescue vehicle (街面巡查组/流动救助车) of a station."""

    class Kind(models.TextChoices):
        PATROL = "patrol", _("Patrol team")
        VEHICLE = "vehicle", _("Rescue vehicle")

    class Shift(models.TextChoices):
        DAY = "day", _("Day shift")
        NIGHT = "night", _("Night shift")
        ROUND_THE_CLOCK = "24h", _("Round the clock")

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        BUSY = "busy", _("On a call")
        OFF_DUTY = "off_duty", _("Off duty")

    station = models.ForeignKey(
        "stations.Station", verbose_name=_("station"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PATROL)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="teams"
    )
    shift = models.CharField(
        _("shift"), max_length=8, choices=Shift.choices, default=Shift.ROUND_THE_CLOCK
    )
    capacity = models.PositiveSmallIntegerField(
        _("people it can carry"), default=2, validators=[MaxValueValidator(60)]
    )
    base_latitude = models.FloatField(
        _("base latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    base_longitude = models.FloatField(
        _("base longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    position_at = models.DateTimeField(_("position time"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.AVAILABLE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["station_id", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["station", "name"], name="team_name_unique_in_station")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def point(self) -> tuple[float, float]:
        """Where the team is: its last reported position, else its base."""
        if self.latitude is not None and self.longitude is not None:
            return (self.latitude, self.longitude)
        return (self.base_latitude, self.base_longitude)
