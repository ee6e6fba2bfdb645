"""The staff site's main navigation: one entry per domain in ARCHITECTURE.md."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from homeward.accounts import access
from homeward.accounts.access import READ, can
from homeward.accounts.models import User


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    section: str  # who sees it: whoever may read this section (accounts/access.py)
    unless: str | None = None  # ...but not who reads this one (it leads there already)

    @property
    def href(self) -> str:
        if self.url_name == "section":
            return reverse("section", args=[self.key])
        return reverse(self.url_name)

    def visible_to(self, user: User) -> bool:
        if self.unless and can(user, self.unless, READ):
            return False
        return can(user, self.section, READ)


NAVIGATION = [
    NavItem("dashboard", _("Dashboard"), "dashboard", access.STAFF),
    NavItem("cases", _("Intake and care"), "cases:stay-list", access.CASES),
    NavItem("tracing", _("Family tracing"), "tracing:home", access.TRACING),
    NavItem("dispatch", _("Rescue command"), "dispatch:center", access.DISPATCH),
    NavItem("team", _("My calls"), "dispatch:team", access.TEAM, unless=access.DISPATCH),
    NavItem("campaigns", _("Campaigns"), "campaigns:list", access.CAMPAIGNS),
    NavItem("reports", _("Figures"), "reports:dashboard", access.REPORTS),
    NavItem("stations", _("Stations and beds"), "station-list", access.STATIONS),
    NavItem("audit", _("Audit trail"), "audit-list", access.AUDIT),
    NavItem("jobs", _("Failed jobs"), "job-failures", access.JOBS),
]


def navigation_for(user: User) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [item for item in NAVIGATION if item.visible_to(user)]


def section(key: str) -> NavItem | None:
    return next(
        (item for item in NAVIGATION if item.key == key and item.url_name == "section"), None
    )


def nav_item(key: str) -> NavItem:
    return next(item for item in NAVIGATION if item.key == key)


def require_section(request, key: str) -> None:
    """Refuse a page of a domain the user's role does not work in (403)."""
    from django.core.exceptions import PermissionDenied

    if not nav_item(key).visible_to(request.user):
        raise PermissionDenied
