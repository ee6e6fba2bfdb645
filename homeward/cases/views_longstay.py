"""Pages of the long-stay workflow: placement and household registration, outsourced care."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from homeward.cases import selectors, services
from homeward.cases.models import OutsourcedCare, Settlement, Stay
from homeward.cases.services.common import CASE_WRITERS
from homeward.common.forms import DayInput, form_errors, styled


def _date_field(label) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DayInput())


class SettlementForm(forms.Form):
    institution = forms.CharField(label=gettext_lazy("Placed with"), required=False, max_length=100)
    placed_on = _date_field(gettext_lazy("Placed on"))
    hukou_applied_on = _date_field(gettext_lazy("Household registration applied"))
    hukou_registered_on = _date_field(gettext_lazy("Household registered (落户)"))
    dibao_on = _date_field(gettext_lazy("Minimum living security from"))
    medical_assistance_on = _date_field(gettext_lazy("Medical assistance from"))
    temporary_assistance_on = _date_field(gettext_lazy("Temporary assistance from"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


class OutsourcedForm(forms.Form):
    institution = forms.CharField(label=gettext_lazy("Institution"), max_length=100, required=False)
    since = _date_field(gettext_lazy("Since"))
    until = _date_field(gettext_lazy("Until"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


def _writer(request: HttpRequest, stay: Stay) -> None:
    user = request.user
    if not (
        user.is_superuser or (user.role in CASE_WRITERS and user.station_id == stay.station_id)
    ):
        raise PermissionDenied


@login_required
def settlement(request: HttpRequest, pk: int) -> HttpResponse:
    """Placement first, then household registration (先安置、后落户), step by step."""
    stay = selectors.stay_get(request.user, pk, request=request)
    _writer(request, stay)
    record = selectors.settlement_of(stay.person)  # a read: nothing is made until a save
    fields = ("institution", *Settlement.STEPS)
    initial = {name: getattr(record, name) for name in fields} if record else {}
    form = SettlementForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.settlement_update(stay=stay, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("cases:stay-detail", pk=stay.pk)
    return render(request, "cases/settlement.html", {"stay": stay, "form": form})


@login_required
def outsourced(request: HttpRequest, pk: int) -> HttpResponse:
    """Care bought from an outside institution (托养): start it, or end the running one."""
    stay = selectors.stay_get(request.user, pk, request=request)
    _writer(request, stay)
    running = stay.outsourced_care.filter(until__isnull=True).first()
    form = OutsourcedForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if running is None:
                if d["since"] is None:
                    raise ValidationError({"since": _("Give the start date.")})
                services.outsourced_care_start(
                    stay=stay, institution=d["institution"], since=d["since"], by=request.user
                )
            else:
                if d["until"] is None:
                    raise ValidationError({"until": _("Give the end date.")})
                services.outsourced_care_end(care=running, until=d["until"], by=request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("cases:stay-detail", pk=stay.pk)
    history = OutsourcedCare.objects.filter(stay=stay)
    return render(
        request,
        "cases/outsourced.html",
        {"stay": stay, "form": form, "running": running, "history": history},
    )
