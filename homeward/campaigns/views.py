"""Campaign pages: warnings, running campaigns, their shelters and report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from homeward.campaigns import selectors, services
from homeward.campaigns.forms import ShelterForm, WarningForm
from homeward.common.forms import form_errors


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    form = WarningForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            warning = services.warning_record(data=form.data_(), by=request.user)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            opened = warning.campaigns.first()
            if opened is not None:
                messages.success(request, _("The warning opened a campaign."))
                return redirect("campaigns:detail", pk=opened.pk)
            messages.success(request, _("The warning is recorded; it is below the threshold."))
            return redirect("campaigns:list")
    return render(
        request,
        "campaigns/list.html",
        {
            "form": form,
            "campaigns": selectors.campaigns_visible(request.user).prefetch_related("divisions"),
            "warnings": selectors.warnings_visible(request.user)[:30],
            "nav_section": "campaigns",
        },
    )


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(request.user, pk, request=request)
    form = ShelterForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.shelter_open(
                campaign=campaign,
                name=d["name"],
                kind=d["kind"],
                division=d["division"],
                address=d["address"],
                point=form.point(),
                capacity=d["capacity"],
                hours=(d["opens"], d["closes"]),
                by=request.user,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("campaigns:detail", pk=pk)
    rows = selectors.campaign_report(campaign)
    totals = selectors.report_totals(rows)
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "divisions": campaign.divisions.all(),
            "shelters": campaign.shelters.select_related("division"),
            "rows": rows,
            "totals": totals,
            "supplies": selectors.supplies_in_words(totals["supplies"]),
            "form": form,
            "nav_section": "campaigns",
        },
    )


def shelters_public(request: HttpRequest) -> HttpResponse:
    """The portal's list of open heat and cold refuges: no account needed."""
    return render(request, "campaigns/shelters.html", {"shelters": selectors.shelters_open()})
