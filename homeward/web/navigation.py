"""The staff site's main navigation: one entry per domain in ARCHITECTURE.md."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from homeward.accounts.models import Role, User

ADMINS = frozenset({Role.COUNTY_ADMIN, Role.CITY_ADMIN, Role.PROVINCE_ADMIN, Role.NATIONAL_ADMIN})
STATION_DESK = frozenset({Role.INTAKE, Role.CASEWORKER, Role.TRACING_OFFICER, Role.STATION_HEAD})


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    roles: frozenset[str] | None = None  # None: every staff role
    perm: str | None = None

    @property
    def href(self) -> str:
        if self.url_name == "section":
            return reverse("section", args=[self.key])
        return reverse(self.url_name)

    def visible_to(self, user: User) -> bool:
        if user.is_superuser:
            return True
        if user.role == Role.FAMILY:
            return False
        if self.perm and not user.has_perm(self.perm):
            return False
        return self.roles is None or user.role in self.roles


NAVIGATION = [
    NavItem("dashboard", _("Dashboard"), "dashboard"),
    NavItem("cases", _("Intake and care"), "cases:stay-list", STATION_DESK | ADMINS),
    NavItem("tracing", _("Family tracing"), "tracing:home", STATION_DESK | ADMINS),
    NavItem(
        "dispatch",
        _("Rescue command"),
        "dispatch:center",
        frozenset({Role.DISPATCHER, Role.STREET_TEAM, Role.STATION_HEAD}) | ADMINS,
    ),
    NavItem(
        "campaigns",
        _("Campaigns"),
        "campaigns:list",
        frozenset({Role.DISPATCHER, Role.STATION_HEAD}) | ADMINS,
    ),
    NavItem(
        "reports",
        _("Figures"),
        "reports:dashboard",
        frozenset({Role.STATION_HEAD, Role.SUPERVISOR}) | ADMINS,
    ),
    NavItem("stations", _("Stations and beds"), "station-list"),
    NavItem("audit", _("Audit trail"), "audit-list", perm="accounts.view_audit"),
    NavItem("jobs", _("Failed jobs"), "job-failures", frozenset({Role.STATION_HEAD}) | ADMINS),
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
