"""Forms of the campaigns pages. They only parse; services decide."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from homeward.campaigns.models import Hazard, Level, ShelterPoint
from homeward.campaigns.services import WarningData
from homeward.cases.forms import DivisionField
from homeward.regions.selectors import division_get
from homeward.web.forms import MomentInput, styled


class WarningForm(forms.Form):
    hazard = forms.ChoiceField(label=_("Hazard"), choices=Hazard.choices)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    divisions = forms.CharField(label=_("Divisions (codes, separated by spaces)"), max_length=500)
    valid_from = forms.DateTimeField(label=_("Valid from"), widget=MomentInput())
    valid_until = forms.DateTimeField(label=_("Valid until"), widget=MomentInput())
    text = forms.CharField(label=_("Text"), required=False, max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)

    def clean_divisions(self):
        found = []
        for code in self.cleaned_data["divisions"].replace(",", " ").split():
            division = division_get(code)
            if division is None:
                raise ValidationError(_("No division has the code %(c)s.") % {"c": code})
            found.append(division)
        return found

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
        styled(self)
