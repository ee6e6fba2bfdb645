"""The division field every form uses: a place typed by its name, never by its code."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from homeward.common.forms import DivisionInput
from homeward.common.text import text_problem
from homeward.regions.models import Division
from homeward.regions.selectors import (
    address_parse,
    division_get,
    division_path,
    divisions_by_name,
)


class DivisionField(forms.CharField):
    """A division given by its name (姑苏区, 江苏苏州姑苏区), its code (320508), or as this
    field shows a saved one: 江苏省苏州市姑苏区（320508）."""

    widget = DivisionInput

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        problem = text_problem(value)  # before any lookup: a database refuses a NUL
        if problem:
            raise ValidationError(problem)
        shown = _SHOWN_DIVISION.search(value)
        if shown:
            value = shown.group(1)
        division = division_get(value) if value.isdigit() else None
        if division is None and not value.isdigit():
            exact = list(Division.objects.filter(name=value).order_by("code")[:6])
            if len(exact) > 1:
                # 朝阳区 is in Beijing and in Changchun: never pick one silently.
                raise ValidationError(
                    _(
                        "Several places are called “%(value)s”: %(places)s. Pick one from the "
                        "suggestions, or write the city too."
                    ),
                    params={
                        "value": value,
                        "places": "、".join(division_path(d) for d in exact[:5]),
                    },
                )
            matches = exact or list(divisions_by_name(value)[:2])
            division = matches[0] if len(matches) == 1 else address_parse(value).division
        if division is None:
            raise ValidationError(_("No division is called “%(value)s”."), params={"value": value})
        return division

    def prepare_value(self, value):
        if isinstance(value, Division):
            return f"{division_path(value)}（{value.code}）"
        return value


# The code at the end of a division as the field shows it: "江苏省苏州市姑苏区（320508）".
_SHOWN_DIVISION = re.compile(r"[（(]\s*(\d{6})\s*[）)]\s*$")
