"""The dashboard and the domain sections that later parts of Homeward fill."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from homeward.accounts.models import Role
from homeward.accounts.selectors import audit_events_visible
from homeward.stations.selectors import stations_visible, stations_with_occupancy
from homeward.web.models import JobFailure
from homeward.web.navigation import section
from homeward.web.work import work_for

SECTION_TEXT = {
    "dispatch": _(
        "Reports from the hotline, 110 and city management, the nearest team, the live map."
    ),
    "campaigns": _("Winter warmth and summer cool: weather warnings, shelter points, supplies."),
    "reports": _("Figures for every level, dashboards, exports, supervision and safety checks."),
}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if request.user.role == Role.FAMILY:
        return redirect("portal:me")
    if request.user.role == Role.PARTNER:
        return redirect("portal:alerts")
    if request.user.role == Role.STREET_TEAM:
        return redirect("dispatch:team")  # the street team's work is its calls
    stations = stations_with_occupancy(stations_visible(request.user)).order_by("division_id")
    recent = audit_events_visible(request.user)[:8]
    return render(
        request,
        "web/dashboard.html",
        {
            "stations": stations,
            "recent_audit": recent,
            "beds_total": sum(s.beds_total for s in stations),
            "work": work_for(request.user),
        },
    )


@login_required
def job_failures(request: HttpRequest) -> HttpResponse:
    """Failed background jobs, for station heads and administrators."""
    failures = JobFailure.objects.select_related("station")
    if not (request.user.is_superuser or request.user.role == Role.NATIONAL_ADMIN):
        # Each station's own failures; jobs for every station only nationally.
        failures = failures.filter(station__in=stations_visible(request.user))
    failures = failures[:200]
    return render(request, "web/jobs.html", {"failures": failures})


@login_required
def domain_section(request: HttpRequest, key: str) -> HttpResponse:
    item = section(key)
    if item is None:
        raise Http404
    if not item.visible_to(request.user):
        raise PermissionDenied
    return render(request, "web/section.html", {"item": item, "text": SECTION_TEXT[key]})


DATABASE_DOWN = _(
    "The database is not answering: it may be restarting or under maintenance. What you sent "
    "just now may not have been saved: check before sending it again, in a minute."
)
# PostgreSQL's codes for a server that cannot be reached or is going away: the connection
# classes (08…), shutting down or not yet up (57P01-57P03), too many connections (53300).
UNREACHABLE = ("08", "57P01", "57P02", "57P03", "53300")


def database_unreachable(exc: BaseException | None) -> bool:
    """Whether an error says the database cannot be reached now, not that a query is wrong:
    no connection (or one cut), a server shutting down, or SQLite's file locked by a writer."""
    from django import db

    if isinstance(exc, db.InterfaceError):
        return True
    if not isinstance(exc, db.OperationalError):
        return False
    cause = exc.__cause__
    code = getattr(cause, "sqlstate", None)
    if code is not None:
        return code.startswith(UNREACHABLE)
    if type(cause).__module__.startswith("psycopg"):
        return True  # refused or cut before the server could answer with a code
    return "database is locked" in str(exc) or "unable to open database" in str(exc)


def server_error(request: HttpRequest) -> HttpResponse:
    """The site's 500 handler. A database that cannot be reached (stopped, restarting, out of
    connections) is not the user's error nor a bug: 503, a page that says so and what to do,
    drawn without touching the database, and Retry-After for programs. Everything else,
    a wrong query included, is Django's plain 500."""
    import sys

    from django.http import JsonResponse
    from django.template.loader import render_to_string
    from django.views import defaults

    if not database_unreachable(sys.exc_info()[1]):
        return defaults.server_error(request)
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": str(DATABASE_DOWN)}, status=503)
    else:
        response = HttpResponse(render_to_string("web/database_unavailable.html"), status=503)
    response["Retry-After"] = "30"
    return response
