"""What every cases service needs: who may write, and how numbers are made."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from homeward.accounts.models import Role, User
from homeward.stations.models import Station

CASE_WRITERS = frozenset({Role.INTAKE, Role.CASEWORKER, Role.TRACING_OFFICER, Role.STATION_HEAD})


def require_case_writer(user: User | None, station: Station) -> None:
    """Only the staff of the station itself write its cases (supervisors never write)."""
    if user is None:
        return  # system jobs and imports act with no user
    if user.is_superuser:
        return
    if user.role not in CASE_WRITERS or user.station_id != station.pk:
        raise PermissionDenied(_("Only this station's staff can change its cases."))
