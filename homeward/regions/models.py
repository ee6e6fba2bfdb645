"""Administrative divisions (行政区划) by GB/T 2260 code."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Division(models.Model):
    """A province, city or county (省/市/县) with its GB/T 2260 code and a point.

    The code is six digits: PP0000 for a province, PPCC00 for a city, PPCCXX
    for a county. Points are the division seats as `matching/data/divisions.csv` gives
    them (WGS-84-like degrees; good to a few hundred metres, enough for
    distances between places).
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County")

    code = models.CharField(_("division code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=64, db_index=True)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("division")
        verbose_name_plural = _("divisions")

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        """The code digits that every division inside this one starts with."""
        return {"province": self.code[:2], "city": self.code[:4]}.get(self.level, self.code)

    @property
    def point(self) -> tuple[float, float]:
        return (self.latitude, self.longitude)
