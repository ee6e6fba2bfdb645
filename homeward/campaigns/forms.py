"""Forms of the campaigns pages. They only parse; services decide."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from homeward.campaigns.models import Hazard, Level, ShelterPoint
from homeward.campaigns.services import WarningData
from homeward.common.forms import DivisionInput, MomentInput, styled
from homeward.regions.forms import DivisionField

# Between areas: 、 and commas, never a space ("江苏 苏州" is one place).
SEPARATORS = re.compile(r"[,，、;；\n]+")


class WarningForm(forms.Form):
    hazard = forms.ChoiceField(label=_("Hazard"), choices=Hazard.choices)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    divisions = forms.CharField(
        label=_("Areas (names, separated by 、)"),
        max_length=500,
        widget=DivisionInput(
            attrs={"data-divisions-many": "", "placeholder": _("e.g. 苏州市、无锡市")}
        ),
    )
    valid_from = forms.DateTimeField(label=_("Valid from"), widget=MomentInput())
    valid_until = forms.DateTimeField(label=_("Valid until"), widget=MomentInput())
    text = forms.CharField(label=_("Text"), required=False, max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)

    def clean_divisions(self):
        """Each area by its name (苏州市, 姑苏区), as a suggestion shows it (江苏省苏州市（320500）)
        or by its code; every name that is not an area is named in the error."""
        one = DivisionField()
        found, problems = [], []
        text = self.cleaned_data["divisions"]
        # A suggestion carries its code in full-width brackets: split after each one first.
        for token in SEPARATORS.split(re.sub(r"）", "）、", text)):
            token = token.strip()
            if not token:
                continue
            try:
                found.append(one.clean(token))
            except ValidationError as exc:
                problems.extend(exc.messages)
        if problems:
            raise ValidationError(problems)
        if not found:
            raise ValidationError(_("Name at least one area."))
        return list(dict.fromkeys(found))

    def data_(self) -> WarningData:
        return WarningData(**self.cleaned_data)


class ShelterForm(forms.ModelForm):
    division = DivisionField(label=_("Division"))

    class Meta:
        model = ShelterPoint
        fields = ["name", "kind", "division", "address", "latitude", "longitude", "capacity"]
        fields += ["opens", "closes"]
        widgets = {
            "opens": forms.TimeInput(attrs={"type": "time"}),
            "closes": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Entered by address: the point is optional (the "use my location" button fills
        # it on site); without one the shelter stands at its division's centre.
        for name in ("latitude", "longitude"):
            self.fields[name].required = False
            self.fields[name].widget = forms.HiddenInput()
        self.fields["address"].help_text = _("Street and number, as people would look for it.")
        styled(self)

    def point(self) -> tuple[float, float] | None:
        d = self.cleaned_data
        if d.get("latitude") is None or d.get("longitude") is None:
            return None
        return (d["latitude"], d["longitude"])
