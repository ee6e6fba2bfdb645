from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from homeward.common.forms import styled


class EraseForm(forms.Form):
    """A request to erase, recorded with who asked and how (the reason is in the ledger)."""

    reason = forms.CharField(
        label=_("Who asked, and how"),
        help_text=_("For example: the mother, by phone on 3 March, identity checked."),
        max_length=200,
    )
    confirm = forms.BooleanField(label=_("I understand that this cannot be undone"), required=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)
