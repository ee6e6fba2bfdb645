"""Figures, exports, supervision and safety-check pages. Thin: selectors compute, services write."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.selectors import scoped_get
from homeward.common.forms import form_errors
from homeward.common.text import ascii_int
from homeward.reports import charts, exports, forms, selectors, services
from homeward.reports.models import Complaint
from homeward.reports.report import build
from homeward.reports.scope import Period, period_parse, scope_for, trail
from homeward.stations import selectors as station_selectors
from homeward.stations import services as station_services
from homeward.stations.models import SafetyCheck
from homeward.stations.selectors import stations_visible

EXPORTS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.to_xlsx),
    "pdf": ("application/pdf", exports.to_pdf),
    "csv": ("text/csv; charset=utf-8", exports.to_csv),
}


def _period(request: HttpRequest) -> tuple[Period, dict[str, list[str]]]:
    """?year=2024, or ?start=2024-01-01&end=2024-06-30 (both days included); with what was
    wrong with the query (by field), in which case the period is this year."""
    errors: dict[str, list[str]] = {}
    days: dict[str, date | None] = {}
    for name in ("start", "end"):
        raw = request.GET.get(name, "").strip()
        try:
            days[name] = date.fromisoformat(raw) if raw else None
        except ValueError:
            days[name] = None
            errors[name] = [_("Give the day as YYYY-MM-DD.")]
    raw_year = request.GET.get("year", "").strip()
    year = ascii_int(raw_year, max_digits=4) if raw_year else None
    if raw_year and year is None:
        errors["year"] = [_("Give the year as four digits.")]
    if not errors:
        try:
            return period_parse(start=days["start"], end=days["end"], year=year), {}
        except ValidationError as exc:
            errors = exc.message_dict
    return period_parse(), errors


def _scope(request: HttpRequest):
    return scope_for(request.user, request.GET.get("level", ""), request.GET.get("code", ""))


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope, (period, period_errors) = _scope(request), _period(request)
    report = build(request.user, scope, period)
    query = (
        {"year": period.start.year}
        if period.is_year
        else {
            "start": period.start.isoformat(),
            "end": (period.end - timedelta(days=1)).isoformat(),
        }
    )
    overdue = []
    if scope.station is not None:
        overdue = list(
            station_selectors.safety_checks_overdue(request.user, timezone.localdate()).filter(
                station=scope.station
            )
        )
    return render(
        request,
        "reports/dashboard.html",
        {
            "report": report,
            "scope": scope,
            "trail": trail(scope),
            "period": period,
            "query": urlencode({**query, **scope.params}),
            "period_query": urlencode(query),
            "years": range(timezone.localdate().year, timezone.localdate().year - 6, -1),
            "charts": charts.chart_data(report, request.user),
            "overdue": overdue,
            "period_errors": period_errors,
            "nav_section": "reports",
        },
    )


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in EXPORTS:
        raise Http404
    scope, (period, period_errors) = _scope(request), _period(request)
    if period_errors:
        return HttpResponse(
            " ".join(m for ms in period_errors.values() for m in ms),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    report = build(request.user, scope, period)
    content_type, render_file = EXPORTS[fmt]
    audit_record(
        actor=request.user,
        action="export",
        object_type="reports.report",
        object_id=f"{scope.level}:{scope.code}",
        label=f"{scope.name} {period.label}",
        station_id=scope.station.pk if scope.station else None,
        request=request,
        detail={"format": fmt, "start": str(period.start), "end": str(period.end)},
    )
    response = HttpResponse(render_file(report), content_type=content_type)
    name = f"homeward-report-{scope.level}-{scope.code or 'cn'}-{period.start:%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    """Open days and complaints: recorded by station heads and administrators, read by all."""
    stations = stations_visible(request.user)
    writable = not request.user.is_read_only
    open_day_form = forms.OpenDayForm(
        request.POST if request.POST.get("form") == "open_day" else None, stations=stations
    )
    complaint_form = forms.ComplaintForm(
        request.POST if request.POST.get("form") == "complaint" else None, stations=stations
    )
    if request.method == "POST":
        if not writable:
            raise PermissionDenied
        form = open_day_form if request.POST.get("form") == "open_day" else complaint_form
        if form.is_valid():
            data = dict(form.cleaned_data)
            station = data.pop("station")
            try:
                if form is open_day_form:
                    services.open_day_record(
                        station=station, data=services.OpenDayData(**data), by=request.user
                    )
                    messages.success(request, _("The open day is recorded."))
                else:
                    services.complaint_record(station=station, by=request.user, **data)
                    messages.success(request, _("The complaint is recorded."))
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                return redirect("reports:supervision")
    return render(
        request,
        "reports/supervision.html",
        {
            "open_days": selectors.open_days_visible(request.user)[:50],
            "complaints": selectors.complaints_visible(request.user)[:100],
            "open_day_form": open_day_form,
            "complaint_form": complaint_form,
            "handle_form": forms.HandleForm(),
            "writable": writable,
            "nav_section": "reports",
        },
    )


@login_required
def complaint_handle(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST" or request.user.is_read_only:
        raise PermissionDenied
    complaint = scoped_get(request.user, Complaint.objects.all(), request=request, pk=pk)
    form = forms.HandleForm(request.POST)
    if form.is_valid():
        try:
            services.complaint_handle(complaint=complaint, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The complaint is handled."))
    else:
        messages.error(request, _("Give the date and how the complaint was handled."))
    return redirect("reports:supervision")


@login_required
def safety(request: HttpRequest) -> HttpResponse:
    """Facility safety checks: what is due, what is overdue, hazards waiting for a fix."""
    stations = stations_visible(request.user)
    writable = not request.user.is_read_only
    form = forms.CheckScheduleForm(
        request.POST if request.method == "POST" else None, stations=stations
    )
    if request.method == "POST":
        if not writable:
            raise PermissionDenied
        if form.is_valid():
            try:
                station_services.safety_check_schedule(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("The check is scheduled."))
                return redirect("reports:safety")
    today = timezone.localdate()
    return render(
        request,
        "reports/safety.html",
        {
            "open_checks": station_selectors.safety_checks_open(request.user),
            "done_checks": station_selectors.safety_checks_visible(request.user)
            .filter(done_on__isnull=False)
            .order_by("-done_on")[:30],
            "today": today,
            "form": form,
            "record_form": forms.CheckRecordForm(initial={"done_on": today}),
            "fix_form": forms.CheckFixForm(initial={"fixed_on": today}),
            "writable": writable,
            "nav_section": "reports",
        },
    )


@login_required
def safety_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a check as done (?action=record) or its hazard fixed (?action=fix)."""
    if request.method != "POST" or request.user.is_read_only:
        raise PermissionDenied
    check = scoped_get(request.user, SafetyCheck.objects.all(), request=request, pk=pk)
    fixing = request.POST.get("action") == "fix"
    form = forms.CheckFixForm(request.POST) if fixing else forms.CheckRecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Some fields are not valid."))
        return redirect("reports:safety")
    try:
        if fixing:
            station_services.safety_check_fix(check=check, by=request.user, **form.cleaned_data)
        else:
            station_services.safety_check_record(check=check, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The check is recorded."))
    return redirect("reports:safety")


@login_required
def overdue_fragment(request: HttpRequest) -> HttpResponse:
    """Overdue checks and unfixed hazards for the main dashboard (loaded by htmx)."""
    today = timezone.localdate()
    return render(
        request,
        "reports/_overdue.html",
        {
            "overdue": station_selectors.safety_checks_overdue(request.user, today)[:20],
            "unfixed": station_selectors.safety_hazards_unfixed(request.user)[:20],
            "today": today,
        },
    )
