from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from homeward.accounts.models import Role, User
from homeward.stations.models import Station

TRACERS = frozenset({Role.TRACING_OFFICER, Role.STATION_HEAD})
REPORT_TAKERS = frozenset({Role.INTAKE, Role.CASEWORKER, Role.TRACING_OFFICER, Role.STATION_HEAD})


def require_tracer(user: User | None, station: Station | None) -> None:
    """Tracing decisions belong to the station's own tracing team (寻亲工作小组)."""
    if user is None or user.is_superuser:
        return
    if user.role not in TRACERS or station is None or user.station_id != station.pk:
        raise PermissionDenied(_("Only this station's tracing team can do this."))
