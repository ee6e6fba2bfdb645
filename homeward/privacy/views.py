"""The personal-information pages: the retention table with the erasures it made, and a
person's or a family's request (their data as a ZIP, or erasure). Thin: the work is in
services.py and exports.py; who may do what is in accounts/access.py (section PRIVACY)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from homeward.accounts.selectors import station_filter
from homeward.cases import selectors as cases_selectors
from homeward.common.forms import form_errors
from homeward.privacy import exports, services
from homeward.privacy.forms import EraseForm
from homeward.privacy.models import Erasure
from homeward.privacy.rules import RULES
from homeward.tracing import selectors as tracing_selectors

SHOWN = 100


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    erasures = Erasure.objects.select_related("by", "station")
    scope = station_filter(request.user)
    if scope is not None:
        # A station's staff see their own records' erasures; what belongs to no station
        # (a family's report not yet taken by one, the site-wide rules) only the national
        # level sees.
        erasures = erasures.filter(scope)
    return render(
        request,
        "privacy/home.html",
        {"rules": RULES, "erasures": erasures[:SHOWN], "shown": SHOWN},
    )


def _zip(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def report_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = tracing_selectors.report_get(request.user, pk, request=request)
    data = exports.report_export(report, by=request.user, request=request)
    return _zip(data, f"homeward-report-{report.public_id}.zip")


@login_required
@require_safe
def person_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = cases_selectors.person_get(request.user, pk, request=request)
    data = exports.person_export(person, by=request.user, request=request)
    return _zip(data, f"homeward-person-{person.public_id}.zip")


def _erase_page(request, *, kind: str, obj, erase, back: str, back_kwargs: dict):
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            receipt = erase(by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Erased. Copies in backups are gone by %(day)s, when the last backup "
                    "made before today expires; a restore erases them again."
                )
                % {"day": timezone.localdate(receipt.backups_expire_by).isoformat()},
            )
            return redirect(back, **back_kwargs)
    return render(
        request,
        "privacy/erase.html",
        {"form": form, "kind": kind, "obj": obj, "back_url": reverse(back, kwargs=back_kwargs)},
    )


@login_required
def report_erase_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = tracing_selectors.report_get(request.user, pk, request=request)
    return _erase_page(
        request,
        kind="report",
        obj=report,
        erase=lambda **kw: services.report_erase(report=report, **kw),
        back="tracing:report-detail",
        back_kwargs={"pk": report.pk},
    )


@login_required
def person_erase_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = cases_selectors.person_get(request.user, pk, request=request)
    return _erase_page(
        request,
        kind="person",
        obj=person,
        erase=lambda **kw: services.person_erase(person=person, **kw),
        back="cases:person-detail",
        back_kwargs={"pk": person.pk},
    )
