from __future__ import annotations

import contextlib
from datetime import datetime, time

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeward.accounts.models import AuditEvent
from homeward.accounts.phones import looks_like_phone, normalise_phone
from homeward.common.forms import DayInput


def record_types() -> list[tuple[str, str]]:
    """Every kind of record the trail names, as ("cases.person", "受助人员"), by label."""
    from django.apps import apps

    found = {
        model._meta.label_lower: str(model._meta.verbose_name)
        for model in apps.get_models()
        if model.__module__.startswith("homeward.")
    }
    return sorted(found.items(), key=lambda item: item[1])


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("User name"), required=False)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", "—"), *AuditEvent.Action.choices]
    )
    object_type = forms.ChoiceField(label=_("Record type"), required=False)
    object_id = forms.CharField(label=_("Record"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DayInput())
    until = forms.DateField(label=_("To"), required=False, widget=DayInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", "—"), *record_types()]
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = f"{css} form-control-sm"

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        data = self.cleaned_data
        if data.get("actor"):
            events = events.filter(actor_name__icontains=data["actor"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("object_type"):
            events = events.filter(object_type=data["object_type"])
        if data.get("object_id"):
            events = events.filter(object_id=data["object_id"])
        zone = timezone.get_current_timezone()
        if data.get("since"):
            events = events.filter(at__gte=datetime.combine(data["since"], time.min, zone))
        if data.get("until"):
            events = events.filter(at__lte=datetime.combine(data["until"], time.max, zone))
        return events


class TokenForm(forms.Form):
    """A new API token: what it is for, what it may do, how long it lasts."""

    name = forms.CharField(label=_("What it is for"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"), widget=forms.CheckboxSelectMultiple
    )
    days = forms.IntegerField(label=_("Days it lasts"), min_value=1, max_value=366, initial=90)

    def __init__(self, *args, scopes: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(scope, scope_label(scope)) for scope in scopes]
        self.fields["name"].widget.attrs["class"] = "form-control"
        self.fields["days"].widget.attrs["class"] = "form-control"


SECTION_LABELS = {
    "cases": _("Intake and care"),
    "tracing": _("Family tracing"),
    "dispatch": _("Rescue command"),
    "team": _("Street team"),
    "campaigns": _("Campaigns"),
    "reports": _("Figures"),
    "stations": _("Stations and beds"),
    "audit": _("Audit trail"),
    "jobs": _("Failed jobs"),
    "portal": _("Portal"),
}


def scope_label(scope: str) -> str:
    section, _sep, level = scope.partition(":")
    verb = _("read and write") if level == "write" else _("read")
    return f"{SECTION_LABELS.get(section, section)}: {verb}"


class SignInForm(AuthenticationForm):
    """Django's sign-in form, but a user name typed as a phone number ("+86 138 0013 8000")
    is read as the digits a family account is named by."""

    def clean(self):
        name = self.cleaned_data.get("username") or ""
        if looks_like_phone(name):
            with contextlib.suppress(ValidationError):  # not a number's length: as typed
                self.cleaned_data["username"] = normalise_phone(name)
        return super().clean()
