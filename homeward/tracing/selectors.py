"""Reads of the tracing app, scoped like everything else; public reads expose no secrets."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from homeward.accounts.audit import audit_record
from homeward.accounts.models import STATION_ROLES, Role, User
from homeward.accounts.selectors import scope_queryset, scoped_get, station_filter
from homeward.cases.models import Stay
from homeward.tracing.models import Candidate, MissingReport, Notice, Reunion, Tip


def reports_visible(user: User) -> QuerySet[MissingReport]:
    """Reports of the user's stations, and reports awaiting verification in their province."""
    qs = MissingReport.objects.select_related("station", "home_division", "lost_division")
    condition = station_filter(user, "station")
    if condition is None:
        return qs
    pending = Q(pk__in=[])
    province = None
    if user.role in STATION_ROLES and user.station_id:
        province = user.station.division_id[:2]
    elif user.division_id:
        province = user.division_id[:2]
    if province:
        pending = Q(status=MissingReport.Status.PENDING) & (
            Q(lost_division__code__startswith=province)
            | Q(home_division__code__startswith=province)
        )
    return qs.filter(condition | pending)


def report_get(user: User, pk: int, *, request: HttpRequest | None = None) -> MissingReport:
    report = reports_visible(user).filter(pk=pk).first()
    if report is None:
        raise Http404
    audit_record(
        actor=user, action="view", obj=report, request=request, station_id=report.station_id
    )
    return report


def candidates_visible(user: User) -> QuerySet[Candidate]:
    return scope_queryset(user, Candidate.objects.select_related("person", "report", "station"))


def review_queue(user: User) -> QuerySet[Candidate]:
    return (
        candidates_visible(user)
        .filter(status__in=[Candidate.Status.OPEN, Candidate.Status.INQUIRY])
        .order_by("-posterior")
    )


def exclusions(user: User) -> QuerySet[Candidate]:
    return (
        candidates_visible(user).filter(status=Candidate.Status.REJECTED).order_by("-reviewed_at")
    )


def candidate_get(user: User, pk: int, *, request: HttpRequest | None = None) -> Candidate:
    return scoped_get(
        user,
        Candidate.objects.select_related("person", "report", "station"),
        request=request,
        pk=pk,
    )


def reunions_visible(user: User) -> QuerySet[Reunion]:
    return scope_queryset(
        user,
        Reunion.objects.select_related("candidate__report", "stay__person", "confirmed_by"),
        "stay__station",
    )


def reunion_get(user: User, pk: int, *, request: HttpRequest | None = None) -> Reunion:
    return scoped_get(
        user,
        Reunion.objects.select_related("candidate__report", "stay__person"),
        request=request,
        station_field="stay__station",
        pk=pk,
    )


def public_notices() -> QuerySet[Notice]:
    """Notices the public may see: published, not withdrawn, the person still in a station."""
    return Notice.objects.filter(
        published_at__isnull=False,
        published_at__lte=timezone.now(),
        withdrawn_at__isnull=True,
        stay__status=Stay.Status.IN_STATION,
    ).select_related("found_division", "dialect_division")


def tips_visible(user: User) -> QuerySet[Tip]:
    """Tips from the public about the notices of the user's stations."""
    return scope_queryset(
        user, Tip.objects.select_related("notice__stay__person"), "notice__stay__station"
    ).order_by("handled_at", "-created_at")


def family_reports(user: User) -> QuerySet[MissingReport]:
    if user.role != Role.FAMILY:
        return MissingReport.objects.none()
    return MissingReport.objects.filter(filed_by=user).order_by("-created_at")
