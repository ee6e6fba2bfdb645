"""What every staff and portal form shares."""

from __future__ import annotations

from django import forms


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
