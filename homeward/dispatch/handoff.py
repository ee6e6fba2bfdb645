"""The hand-off from a street team to the intake desk: `?draft=<id>` on the intake page.

cases.views.intake calls these two functions and nothing else of dispatch, so the
intake desk works the same with or without a draft.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from homeward.dispatch import selectors, services
from homeward.dispatch.models import IntakeDraft


def _draft(request: HttpRequest) -> IntakeDraft | None:
    raw = request.GET.get("draft", "")
    if not raw.isdigit():
        return None
    draft = selectors.draft_get(request.user, int(raw), request=request)
    return draft if draft.state == IntakeDraft.State.OPEN else None


def draft_initial(request: HttpRequest) -> dict:
    """Initial values of the intake form from the draft named in the address (404 outside scope)."""
    draft = _draft(request)
    if draft is None:
        return {}
    incident = draft.incident
    return {
        "brought_by": "street_team" if draft.team_id else "hotline",
        "referring_unit": str(draft.team or incident.get_channel_display()),
        "found_at": timezone.localtime(draft.found_at).strftime("%Y-%m-%dT%H:%M"),
        "found_address": draft.found_address,
        "found_division": draft.found_division_id or "",
        "found_latitude": draft.found_latitude,
        "found_longitude": draft.found_longitude,
        "health_on_arrival": draft.notes,
    }


def draft_admitted(request: HttpRequest, stay) -> None:
    """After the desk registered the person, the draft points at the new stay."""
    draft = _draft(request)
    if draft is not None:
        services.intake_draft_admitted(draft=draft, stay=stay, by=request.user)
