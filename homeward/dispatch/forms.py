"""Forms of the command center. They only parse; services decide."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from homeward.common.forms import styled
from homeward.dispatch.models import Channel, JointParty, Outcome, Supply, Team, Urgency
from homeward.dispatch.services import Report
from homeward.regions.forms import DivisionField
from homeward.stations.models import Station


class ReportForm(forms.Form):
    """The hotline form: built to be filled with the keyboard while the caller talks."""

    address = forms.CharField(
        label=_("Where (address)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("What the caller sees"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "data-submit-on-ctrl-enter": ""}),
    )
    division = DivisionField(label=_("Division"), required=False)
    latitude = forms.FloatField(label=_("Latitude"), required=False)
    longitude = forms.FloatField(label=_("Longitude"), required=False)
    minor = forms.BooleanField(label=_("A minor"), required=False)
    elderly = forms.BooleanField(label=_("Elderly"), required=False)
    ill = forms.BooleanField(label=_("Ill or injured"), required=False)
    extreme_weather = forms.BooleanField(label=_("Extreme weather"), required=False)
    people_count = forms.IntegerField(label=_("People"), min_value=1, max_value=99, initial=1)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial="normal")
    reporter_name = forms.CharField(label=_("Caller's name"), required=False, max_length=50)
    reporter_phone = forms.CharField(label=_("Caller's phone"), required=False, max_length=32)
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[
            (c, label)
            for c, label in Channel.choices
            if c not in (Channel.POLICE_110, Channel.CITY_MANAGEMENT, Channel.PUBLIC)
        ],
        initial=Channel.HOTLINE,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)

    def report(self, channel: str | None = None) -> Report:
        d = self.cleaned_data
        return Report(
            channel=channel or d.get("channel") or Channel.HOTLINE,
            description=d["description"],
            address=d["address"],
            division=d["division"],
            latitude=d["latitude"],
            longitude=d["longitude"],
            reporter_name=d.get("reporter_name", ""),
            reporter_phone=d.get("reporter_phone", ""),
            people_count=d.get("people_count") or 1,
            minor=d["minor"],
            elderly=d["elderly"],
            ill=d["ill"],
            extreme_weather=d.get("extreme_weather", False),
            urgency=d.get("urgency") or Urgency.NORMAL,
        )


class PublicReportForm(ReportForm):
    """The portal's form: a point on the map or an address, a phone to hear back, a photo."""

    photo = forms.ImageField(label=_("Photo (optional)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("urgency", "channel", "extreme_weather", "reporter_name"):
            del self.fields[name]
        self.fields["description"].label = _("What you see")
        self.fields["reporter_phone"].label = _("Your phone (to tell you how it ended)")
        self.fields["reporter_phone"].widget.attrs.update(inputmode="tel", autocomplete="tel")
        self.fields["address"].label = _("Where is the person? (street, landmark)")
        self.fields["address"].widget.attrs.pop("autofocus", None)
        self.fields["division"].label = _("District or county")
        # A passer-by never types coordinates: "use my location" (the browser's
        # geolocation, pages.js) fills these, and the page says that it did.
        self.fields["latitude"].widget = forms.HiddenInput()
        self.fields["longitude"].widget = forms.HiddenInput()
        self.fields["photo"].widget.attrs["accept"] = "image/*"


class DispatchForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), empty_label=None)

    def __init__(self, *args, teams=(), proposed: Team | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(pk__in=[t.pk for t, _c in teams])
        unknown = _("distance unknown")
        self.fields["team"].choices = [
            (t.pk, f"{t.name} · {cost:.1f} km" if cost is not None else f"{t.name} · {unknown}")
            for t, cost in teams
        ]
        if proposed is not None:
            self.fields["team"].initial = proposed.pk
        styled(self)


def parse_supplies(text: str) -> list[tuple[str, int]]:
    """'food 2', 'water 3', '棉被 1': a kind (code or name) and a quantity, one a line."""
    names = {str(label): code for code, label in Supply.choices}
    items = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        head, _sep, tail = line.rpartition(" ")
        head, quantity = (head, tail) if tail.isdigit() else (line, "1")
        kind = head.strip() if head.strip() in Supply.values else names.get(head.strip())
        if kind is None:
            raise ValidationError(_("Unknown supply “%(s)s”.") % {"s": head.strip()})
        items.append((kind, int(quantity)))
    return items


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    note = forms.CharField(
        label=_("What the team saw and did"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    station = forms.ModelChoiceField(
        label=_("Brought to station"),
        queryset=Station.objects.filter(is_active=True),
        required=False,
        help_text=_("Leave empty for this incident's own station."),
    )
    supplies = forms.CharField(
        label=_("Supplies handed out (one a line, e.g. “food 2”)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)

    def clean_supplies(self) -> list[tuple[str, int]]:
        return parse_supplies(self.cleaned_data["supplies"])


class PartyForm(forms.ModelForm):
    class Meta:
        model = JointParty
        fields = ["department", "unit", "contact", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        styled(self)
