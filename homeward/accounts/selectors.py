"""Station scoping: the one place that decides which records a user may see.

Every list and detail read of a station-owned record, in the UI and the API,
goes through `scope_queryset` or `scoped_get`; an out-of-scope record is
answered exactly like a missing one (404), so its existence is not revealed.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest

from homeward.accounts.audit import audit_record
from homeward.accounts.models import STATION_ROLES, AuditEvent, Role, User

M = TypeVar("M", bound=Model)


def station_filter(user: User, station_field: str = "station") -> Q | None:
    """A Q on `station_field` for the stations `user` covers; None means all stations.

    Returns Q(pk__in=[]) (nothing) for users who cover no station.
    """
    nothing = Q(pk__in=[])
    if not user.is_authenticated or not user.is_active:
        return nothing
    if user.is_superuser or user.role == Role.NATIONAL_ADMIN:
        return None
    if user.role in STATION_ROLES:
        if user.station_id is None:
            return nothing
        return Q(
            **{f"{station_field}_id": user.station_id} if station_field else {"pk": user.station_id}
        )
    if user.role in (Role.COUNTY_ADMIN, Role.CITY_ADMIN, Role.PROVINCE_ADMIN, Role.SUPERVISOR):
        if user.division_id is None:
            # A supervisor without a region sits on the national committee.
            return None if user.role == Role.SUPERVISOR else nothing
        prefix = user.division.prefix
        lookup = (
            f"{station_field}__division__code__startswith"
            if station_field
            else "division__code__startswith"
        )
        return Q(**{lookup: prefix})
    return nothing


def scope_queryset(
    user: User, queryset: QuerySet[M], station_field: str = "station"
) -> QuerySet[M]:
    """`queryset` narrowed to the stations `user` covers.

    `station_field` names the record's foreign key to Station; pass "" when the
    queryset is of stations themselves.
    """
    condition = station_filter(user, station_field)
    return queryset if condition is None else queryset.filter(condition)


def scoped_get(
    user: User,
    queryset: QuerySet[M],
    *,
    request: HttpRequest | None = None,
    station_field: str = "station",
    audit: bool = True,
    **lookup,
) -> M:
    """One record the user may see, or Http404; the read is audited."""
    try:
        obj = scope_queryset(user, queryset, station_field).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    if audit:
        audit_record(actor=user, action=AuditEvent.Action.VIEW, obj=obj, request=request)
    return obj


def users_visible(user: User) -> QuerySet[User]:
    """Staff accounts whose station is in the user's scope (families excluded)."""
    qs = User.objects.select_related("station", "division").exclude(role=Role.FAMILY)
    return scope_queryset(user, qs.filter(station__isnull=False))


def audit_events_visible(user: User) -> QuerySet[AuditEvent]:
    """The audit trail for the stations a user covers, if the user may browse it."""
    if not user.has_perm("accounts.view_audit"):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.select_related("actor", "station")
    condition = station_filter(user)
    if condition is None:
        return qs
    return qs.filter(condition)
