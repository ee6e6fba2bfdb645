"""Forms of the figures and supervision pages. They only parse; services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from homeward.common.forms import DayInput, styled
from homeward.reports.models import Complaint
from homeward.stations.models import SafetyCheck


def _date() -> DayInput:
    return DayInput()


class StationChoiceForm(forms.Form):
    """A form whose `station` is one of the stations the user covers."""

    station = forms.ModelChoiceField(label=_("Station"), queryset=None)

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations
        if stations.count() == 1:
            self.fields["station"].initial = stations.first()
        styled(self)


class OpenDayForm(StationChoiceForm):
    held_on = forms.DateField(label=_("Held on"), widget=_date())
    theme = forms.CharField(label=_("Theme"), required=False, max_length=200)
    visitors = forms.IntegerField(label=_("Visitors"), min_value=0)
    visitor_groups = forms.CharField(label=_("Who came"), required=False, max_length=300)
    feedback = forms.CharField(
        label=_("Feedback"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ComplaintForm(StationChoiceForm):
    received_on = forms.DateField(label=_("Received on"), widget=_date())
    source = forms.ChoiceField(label=_("Received through"), choices=Complaint.Source.choices)
    summary = forms.CharField(
        label=_("What the complaint says"), widget=forms.Textarea(attrs={"rows": 3})
    )


class HandleForm(forms.Form):
    handled_on = forms.DateField(label=_("Handled on"), widget=_date())
    handling = forms.CharField(
        label=_("How it was handled"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)


class CheckScheduleForm(StationChoiceForm):
    area = forms.ChoiceField(label=_("Item checked"), choices=SafetyCheck.Area.choices)
    due_on = forms.DateField(label=_("Due on"), widget=_date())
    every_days = forms.IntegerField(label=_("Repeat every (days)"), min_value=1, initial=30)


class CheckRecordForm(forms.Form):
    done_on = forms.DateField(label=_("Checked on"), widget=_date())
    hazard_found = forms.BooleanField(label=_("Hazard found"), required=False)
    findings = forms.CharField(label=_("Findings"), required=False, max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)


class CheckFixForm(forms.Form):
    fixed_on = forms.DateField(label=_("Fixed on"), widget=_date())
    fix = forms.CharField(label=_("What was fixed"), max_length=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)
