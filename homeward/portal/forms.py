from __future__ import annotations

import time

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from homeward.cases.models.vocabulary import Sex
from homeward.common.forms import DayInput, styled
from homeward.regions.forms import DivisionField
from homeward.tracing.models import Subscription
from homeward.tracing.models.alerts import Channel

RADIUS_CHOICES = Subscription.RADIUS_CHOICES
CHANNEL_CHOICES = Channel.choices

FORM_MIN_SECONDS = 3


class HumanCheckMixin(forms.Form):
    """Abuse protection without third parties: a hidden field people leave empty, and a
    signed timestamp, since a person takes more than a few seconds to fill a form."""

    website = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"})
    )
    started = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["started"].initial = signing.dumps(time.time(), salt="portal-form")

    def clean(self):
        data = super().clean()
        try:
            started = signing.loads(data.get("started") or "", salt="portal-form", max_age=86400)
        except signing.BadSignature:
            raise forms.ValidationError(_("The form expired: please fill it in again.")) from None
        if data.get("website") or time.time() - float(started) < FORM_MIN_SECONDS:
            raise forms.ValidationError(_("Please take a moment to fill in the form."))
        return data


class NoticeFilter(forms.Form):
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", "—"), *Sex.choices])
    age_from = forms.IntegerField(label=_("Age from"), required=False, min_value=0, max_value=120)
    age_to = forms.IntegerField(label=_("Age to"), required=False, min_value=0, max_value=120)
    height_from = forms.IntegerField(label=_("Height from (cm)"), required=False, min_value=40)
    height_to = forms.IntegerField(label=_("Height to (cm)"), required=False, max_value=250)
    found_in = DivisionField(label=_("Found in"), required=False)
    accent = DivisionField(label=_("Accent from"), required=False)
    since = forms.DateField(label=_("Found since"), required=False, widget=DayInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class TipForm(HumanCheckMixin):
    message = forms.CharField(
        label=_("What you know about this person"),
        max_length=2000,  # tracing.services.notices.TIP_MAX_CHARS
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    contact = forms.CharField(label=_("Your phone or another way to reach you"), max_length=100)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class SignupForm(HumanCheckMixin):
    display_name = forms.CharField(label=_("Your name"), max_length=50)
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        help_text=_("It is your user name when you sign in; we send a code to it."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class ResetForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the text message"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    password = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class ReportAddForm(forms.Form):
    text = forms.CharField(
        label=_("What you have learnt"),
        required=False,
        max_length=2000,  # tracing.services.family.ADD_MAX_CHARS
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.FileField(
        label=_("A photo of them"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    photo_year = forms.IntegerField(label=_("Year the photo was taken"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (for the station)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class SubscriptionForm(forms.Form):
    division = DivisionField(label=_("Division (or give a point below)"), required=False)
    latitude = forms.FloatField(label=_("Latitude"), required=False)
    longitude = forms.FloatField(label=_("Longitude"), required=False)
    radius_km = forms.TypedChoiceField(
        label=_("Distance"), coerce=int, choices=RADIUS_CHOICES, initial=50
    )
    channels = forms.MultipleChoiceField(
        label=_("Alert me by"), choices=CHANNEL_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    wechat_openid = forms.CharField(label=_("WeChat ID"), required=False, max_length=64)
    webhook_url = forms.URLField(label=_("Webhook address"), required=False, assume_scheme="https")
    notices = forms.BooleanField(label=_("New tracing notices"), required=False, initial=True)
    urgent = forms.BooleanField(label=_("Urgent missing reports"), required=False, initial=True)

    def __init__(self, *args, partner: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)
        self.fields["channels"].widget.attrs.pop("class", None)
        if not partner:
            # Webhooks are for partner systems (tracing.services.alerts): not offered to
            # families at all.
            self.fields["channels"].choices = [
                (code, label) for code, label in CHANNEL_CHOICES if code != "webhook"
            ]
            del self.fields["webhook_url"]
            # A family names an area and a distance; points are for partner systems.
            del self.fields["latitude"]
            del self.fields["longitude"]
            self.fields["division"].label = _("Area (a county, city or province)")
            self.fields["division"].required = True
            self.fields["radius_km"].label = _("Also within this distance of it")

    def subscription_data(self):
        from homeward.tracing.services.alerts import SubscriptionData

        d = self.cleaned_data
        return SubscriptionData(
            channels=list(d["channels"]),
            division=d.get("division"),
            latitude=d.get("latitude"),
            longitude=d.get("longitude"),
            radius_km=d["radius_km"],
            email=d.get("email") or "",
            wechat_openid=d.get("wechat_openid") or "",
            webhook_url=d.get("webhook_url") or "",
            notices=d.get("notices", False),
            urgent=d.get("urgent", False),
        )


class EraseMyReportForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Erase this report and everything it holds; I understand this cannot be undone"),
        required=True,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)
