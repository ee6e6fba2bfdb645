from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from homeward.web.navigation import navigation_for

# Which navigation entry a page belongs to, by URL name.
URL_SECTIONS = {
    "dashboard": "dashboard",
    "station-list": "stations",
    "station-detail": "stations",
    "audit-list": "audit",
    "job-failures": "jobs",
}


def _drafts_waiting(user):
    from homeward.dispatch.selectors import drafts_open

    return lambda: drafts_open(user).count()


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    current = ""
    if match is not None:
        current = match.kwargs.get("key", "") if match.url_name == "section" else ""
        current = current or URL_SECTIONS.get(match.url_name or "", "")
        for namespace in ("cases", "tracing", "dispatch", "campaigns"):
            if not current and namespace in match.namespaces:
                current = namespace
    items = navigation_for(user) if user is not None else []
    return {
        "nav_items": items,
        # Intake drafts that street teams left at the desk, counted only when a page asks.
        "drafts_waiting": _drafts_waiting(user) if any(i.key == "cases" for i in items) else 0,
        "nav_section": current,
        "site_title": settings.SITE_TITLE,
    }
