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
    return {
        "nav_items": navigation_for(user) if user is not None else [],
        "nav_section": current,
        "site_title": settings.SITE_TITLE,
    }
