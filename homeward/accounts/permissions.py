"""What each role may see beyond the stations in its scope.

Sensitive details (DNA, health, minors) need their own permission. Roles
grant the defaults below; an administrator can grant more to one user through
Django's ordinary user permissions.
"""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend

from homeward.accounts.models import Role

VIEW_DNA = "accounts.view_dna"
VIEW_HEALTH = "accounts.view_health"
VIEW_MINOR_DETAILS = "accounts.view_minor_details"
VIEW_AUDIT = "accounts.view_audit"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.INTAKE: frozenset({VIEW_HEALTH, VIEW_MINOR_DETAILS}),
    Role.CASEWORKER: frozenset({VIEW_HEALTH, VIEW_MINOR_DETAILS}),
    Role.TRACING_OFFICER: frozenset({VIEW_DNA, VIEW_MINOR_DETAILS}),
    Role.STATION_HEAD: frozenset({VIEW_DNA, VIEW_HEALTH, VIEW_MINOR_DETAILS, VIEW_AUDIT}),
    Role.DISPATCHER: frozenset(),
    Role.STREET_TEAM: frozenset(),
    Role.COUNTY_ADMIN: frozenset({VIEW_AUDIT}),
    Role.CITY_ADMIN: frozenset({VIEW_AUDIT}),
    Role.PROVINCE_ADMIN: frozenset({VIEW_AUDIT}),
    Role.NATIONAL_ADMIN: frozenset({VIEW_AUDIT}),
    # Supervisors read figures and the audit trail, never minors' or health details.
    Role.SUPERVISOR: frozenset({VIEW_AUDIT}),
    Role.FAMILY: frozenset(),
}


class RolePermissionBackend(BaseBackend):
    """Grants the permissions that come with a user's role."""

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        return set(ROLE_PERMISSIONS.get(getattr(user_obj, "role", ""), frozenset()))

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)
