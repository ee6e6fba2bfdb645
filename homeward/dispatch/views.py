"""Command-center pages: thin, every write goes through services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_list
from homeward.accounts.models import Role
from homeward.common.forms import form_errors
from homeward.dispatch import selectors, services
from homeward.dispatch.forms import (
    DispatchForm,
    OutcomeForm,
    PartyForm,
    PublicReportForm,
    ReportForm,
)
from homeward.dispatch.models import Channel, Incident
from homeward.dispatch.services.common import DISPATCHERS


def _map_config() -> dict:
    return {"tiles": settings.MAP_TILE_URL}


@login_required
def command_center(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dispatch/command_center.html",
        {
            "board": selectors.board(request.user),
            "map_config": _map_config(),
            "can_report": request.user.role in DISPATCHERS,
            "nav_section": "dispatch",
        },
    )


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The lists by status (htmx polls this fragment)."""
    return render(request, "dispatch/_board.html", {"board": selectors.board(request.user)})


@login_required
def map_data(request: HttpRequest) -> JsonResponse:
    places = request.GET.get("places") == "1"
    return JsonResponse(selectors.map_features(request.user, places=places))


@login_required
def incident_new(request: HttpRequest) -> HttpResponse:
    """The hotline desk: one keyboard-only form, then straight to dispatch."""
    station = request.user.station
    if station is None or request.user.role not in DISPATCHERS | {Role.STREET_TEAM}:
        raise PermissionDenied
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_open(
                station=station, report=form.report(), by=request.user
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if incident.merged_into_id:
                messages.info(
                    request,
                    _("Another open report nearby is about the same person; merged into #%(id)s.")
                    % {"id": incident.merged_into_id},
                )
                return redirect("dispatch:incident", pk=incident.merged_into_id)
            if incident.placement == "none":
                messages.warning(
                    request,
                    _(
                        "The address could not be placed: ask the caller for a landmark or the "
                        "district. The incident is not on the map."
                    ),
                )
            return redirect("dispatch:incident", pk=incident.pk)
    return render(request, "dispatch/incident_new.html", {"form": form, "nav_section": "dispatch"})


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(request.user, pk, request=request)
    user = request.user
    ranked = selectors.teams_by_distance(incident) if incident.status in Incident.OPEN else []
    proposed = ranked[0][0] if ranked else None
    if incident.team is not None and incident.status == Incident.Status.DISPATCHED:
        ranked = [(incident.team, None), *[(t, c) for t, c in ranked if t.pk != incident.team_id]]
    forms = {
        "dispatch": DispatchForm(prefix="dispatch", teams=ranked, proposed=proposed),
        "outcome": OutcomeForm(prefix="outcome"),
        "party": PartyForm(prefix="party"),
    }
    action = request.POST.get("action")
    if request.method == "POST":
        try:
            if action == "on_scene":
                services.incident_on_scene(incident=incident, by=user)
                return redirect("dispatch:incident", pk=pk)
            if action in forms:
                kwargs = {"teams": ranked} if action == "dispatch" else {}
                form = type(forms[action])(request.POST, prefix=action, **kwargs)
                forms[action] = form
                if form.is_valid():
                    _apply(action, form.cleaned_data, incident, user)
                    messages.success(request, _("Saved."))
                    return redirect("dispatch:incident", pk=pk)
        except ValidationError as exc:
            if action in forms:
                form_errors(forms[action], exc)
            else:
                messages.error(request, " ".join(exc.messages))
    return render(
        request,
        "dispatch/incident_detail.html",
        {
            "incident": incident,
            "timeline": selectors.timeline(incident),
            "parties": incident.parties.all(),
            "supplies": incident.supplies.all(),
            "duplicates": incident.duplicates.all(),
            "proposed": proposed,
            "forms": forms,
            "overdue": incident.is_overdue(),
            "map_config": _map_config(),
            "nav_section": "dispatch",
        },
    )


def _apply(action: str, d: dict, incident: Incident, user) -> None:
    if action == "dispatch":
        services.incident_dispatch(incident=incident, team=d["team"], by=user)
    elif action == "outcome":
        services.incident_resolve(
            incident=incident,
            outcome=d["outcome"],
            note=d["note"],
            by=user,
            station=d["station"],
            supplies=d["supplies"],
        )
    else:
        services.party_add(
            incident=incident,
            department=d["department"],
            unit=d["unit"],
            contact=d["contact"],
            role=d["role"],
            by=user,
        )


@login_required
def team_page(request: HttpRequest) -> HttpResponse:
    """A team member's phone page: their assignments, one tap to report progress.

    Each call has its own on-scene button and outcome form (prefixed by the
    incident's id); a resent tap finds the step done and says so, never twice.
    """
    assignments = list(selectors.team_assignments(request.user))
    forms = {i.pk: OutcomeForm(prefix=f"outcome-{i.pk}") for i in assignments}
    teams = list(selectors.teams_of(request.user))
    if request.method == "POST" and request.POST.get("action") == "position":
        _team_position(request, teams)
        return redirect("dispatch:team")
    if request.method == "POST":
        incident = selectors.team_assignment_get(request.user, request.POST.get("incident", ""))
        action = request.POST.get("action")
        try:
            if action == "on_scene":
                services.incident_on_scene(incident=incident, by=request.user)
                messages.success(request, _("Marked on scene."))
                return redirect("dispatch:team")
            if action == "outcome":
                form = OutcomeForm(request.POST, prefix=f"outcome-{incident.pk}")
                forms[incident.pk] = form
                if form.is_valid():
                    _apply("outcome", form.cleaned_data, incident, request.user)
                    messages.success(
                        request, _("Outcome recorded for #%(id)s.") % {"id": incident.pk}
                    )
                    return redirect("dispatch:team")
        except ValidationError as exc:
            if action == "outcome" and incident in assignments:
                form_errors(forms[incident.pk], exc)
            else:  # a resent tap on a call already moved on: say so, change nothing
                messages.error(request, " ".join(exc.messages))
    return render(
        request,
        "dispatch/team.html",
        {
            "assignments": [(i, forms[i.pk]) for i in assignments],
            "teams": teams,
            "nav_section": "dispatch",
        },
    )


def _team_position(request: HttpRequest, teams) -> None:
    """ "Use my location" on the team page: the phone's point becomes the team's position,
    so the dispatcher proposes the nearest team."""
    try:
        latitude = float(request.POST.get("latitude", ""))
        longitude = float(request.POST.get("longitude", ""))
    except ValueError:
        messages.error(request, _("Your location could not be read."))
        return
    try:
        for team in teams:
            services.team_position_update(
                team=team, position=services.Position(latitude, longitude), by=request.user
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return
    if teams:
        messages.success(request, _("Your team's position is updated."))


@login_required
def drafts(request: HttpRequest) -> HttpResponse:
    """Intake drafts left by teams, waiting at the station's desk."""
    audit_list(request, "dispatch.intakedraft")
    return render(
        request,
        "dispatch/drafts.html",
        {"drafts": selectors.drafts_open(request.user), "nav_section": "cases"},
    )


def public_report(request: HttpRequest) -> HttpResponse:
    """The portal's report form: anyone, no account; the nearest station receives it."""
    form = PublicReportForm(
        request.POST if request.method == "POST" else None, request.FILES or None
    )
    if request.method == "POST" and form.is_valid():
        report = form.report(channel=Channel.PUBLIC)
        station = selectors.station_for_report(report)
        if station is None and report.latitude is None and report.division is None:
            form.add_error(
                "division",
                _(
                    "We could not tell where this is: name the district or county, or use your "
                    "location."
                ),
            )
        elif station is None:
            form.add_error("address", _("No station serves this place yet; call 110."))
        else:
            try:
                incident = services.incident_open(
                    station=station, report=report, by=None, photo=form.cleaned_data["photo"]
                )
            except ValidationError as exc:
                form_errors(form, exc)
            else:
                return render(
                    request, "dispatch/public_thanks.html", {"incident": incident}, status=201
                )
    return render(
        request, "dispatch/public_report.html", {"form": form, "map_config": _map_config()}
    )
