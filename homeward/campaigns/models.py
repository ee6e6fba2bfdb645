"""Weather warnings, the campaigns they open, shelter points and outreach."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Hazard(models.TextChoices):
    COLD_WAVE = "cold_wave", _("Cold wave")
    HEAT = "heat", _("Heat")
    TYPHOON = "typhoon", _("Typhoon")
    RAINSTORM = "rainstorm", _("Rainstorm")
    BLIZZARD = "blizzard", _("Blizzard")


class Level(models.TextChoices):
    BLUE = "blue", _("Blue")
    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    RED = "red", _("Red")


LEVEL_RANK = {level: i for i, level in enumerate(Level.values)}


class CampaignKind(models.TextChoices):
    WINTER_WARMTH = "winter_warmth", _("Winter warmth")
    SUMMER_COOL = "summer_cool", _("Summer cool")
    EMERGENCY_RELIEF = "emergency_relief", _("Emergency relief")


# The lowest level of each hazard that opens a campaign, and which one.
# A deployment can set CAMPAIGN_THRESHOLDS to its own table.
THRESHOLDS: dict[str, tuple[str, str]] = {
    Hazard.COLD_WAVE: (Level.YELLOW, CampaignKind.WINTER_WARMTH),
    Hazard.BLIZZARD: (Level.YELLOW, CampaignKind.WINTER_WARMTH),
    Hazard.HEAT: (Level.ORANGE, CampaignKind.SUMMER_COOL),
    Hazard.TYPHOON: (Level.ORANGE, CampaignKind.EMERGENCY_RELIEF),
    Hazard.RAINSTORM: (Level.ORANGE, CampaignKind.EMERGENCY_RELIEF),
}
# Hours between patrols of one area: normally, and during a campaign by level.
PATROL_HOURS_NORMAL = 24
PATROL_HOURS = {Level.BLUE: 12, Level.YELLOW: 8, Level.ORANGE: 4, Level.RED: 2}


def thresholds() -> dict[str, tuple[str, str]]:
    return {**THRESHOLDS, **getattr(settings, "CAMPAIGN_THRESHOLDS", {})}


class WeatherWarning(models.Model):
    """An early-warning signal (气象预警信号): hazard, colour level, divisions, valid time."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        FEED = "feed", _("Warning feed")

    hazard = models.CharField(_("hazard"), max_length=10, choices=Hazard.choices)
    level = models.CharField(_("level"), max_length=6, choices=Level.choices)
    divisions = models.ManyToManyField(
        "regions.Division", verbose_name=_("divisions"), related_name="+"
    )
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    source = models.CharField(_("source"), max_length=6, choices=Source.choices)
    external_id = models.CharField(_("feed identifier"), max_length=64, blank=True)
    text = models.TextField(_("text"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("weather warning")
        verbose_name_plural = _("weather warnings")
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="warning_feed_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_hazard_display()} {self.get_level_display()}"


class Campaign(models.Model):
    """A special campaign (专项救助行动) in some divisions: "winter warmth" or "summer cool".

    It runs over its warning's valid time and closes by itself when the warning
    expires (a later warning in the same divisions stretches it).
    """

    class State(models.TextChoices):
        UPCOMING = "upcoming", _("Not started")
        RUNNING = "running", _("Running")
        ENDED = "ended", _("Ended")

    kind = models.CharField(_("campaign"), max_length=16, choices=CampaignKind.choices)
    divisions = models.ManyToManyField(
        "regions.Division", verbose_name=_("divisions"), related_name="+"
    )
    warning = models.ForeignKey(
        WeatherWarning,
        verbose_name=_("warning"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    patrol_every_hours = models.PositiveSmallIntegerField(
        _("patrol every (hours)"), validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d}"

    def state_at(self, at: datetime | None = None) -> Campaign.State:
        at = at or timezone.now()
        if at < self.starts_at:
            return self.State.UPCOMING
        return self.State.RUNNING if at <= self.ends_at else self.State.ENDED

    @property
    def state(self) -> Campaign.State:
        return self.state_at()


class ShelterPoint(models.Model):
    """A temporary heat or cold refuge (临时避暑/避寒点) opened for a campaign."""

    class Kind(models.TextChoices):
        HEAT_REFUGE = "heat", _("Heat refuge")
        COLD_REFUGE = "cold", _("Cold refuge")
        EMERGENCY = "emergency", _("Emergency shelter")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="shelters")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    division = models.ForeignKey(
        "regions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["division_id", "name"]
        verbose_name = _("shelter point")
        verbose_name_plural = _("shelter points")

    def __str__(self) -> str:
        return self.name


class Outreach(models.Model):
    """One patrol contact during a campaign: people reached, persuaded into shelter."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="outreach")
    division = models.ForeignKey(
        "regions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"))
    people_reached = models.PositiveSmallIntegerField(_("people reached"))
    persuaded = models.PositiveSmallIntegerField(_("persuaded into shelter"), default=0)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.division} {self.at:%Y-%m-%d}: {self.people_reached}"
