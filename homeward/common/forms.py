"""What every staff and portal form shares."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def styled(form: forms.Form) -> None:
    """Give each widget its Bootstrap class (checkbox, select or text input)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):  # SelectMultiple is a Select too
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class DayInput(forms.DateInput):
    """`<input type="date">`. Its value must be ISO (2026-12-01) in every language: a
    browser shows a localised "2026/12/01" as empty, and the next save wipes the date."""

    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class MomentInput(forms.DateTimeInput):
    """`<input type="datetime-local">`, its value ISO to the minute for the same reason."""

    input_type = "datetime-local"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DivisionInput(forms.TextInput):
    """A division typed by name, with suggestions as the clerk types (pages.js fills the
    datalist from the regions search); the saved value reads 江苏省苏州市姑苏区（320508）."""

    template_name = "web/widgets/division.html"

    def __init__(self, attrs=None) -> None:
        from django.urls import reverse_lazy
        from django.utils.translation import gettext_lazy as _

        defaults = {
            "data-divisions": reverse_lazy("api:search"),
            "autocomplete": "off",
            "placeholder": _("a name, e.g. 姑苏区"),
        }
        super().__init__({**defaults, **(attrs or {})})


def form_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's refusal on the form: each message by the field it names, the rest (a
    field the form does not have, or a refusal without fields) at the top of the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)
