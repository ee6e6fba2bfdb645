"""Reads of the tracing app, scoped like everything else; public reads expose no secrets."""

from __future__ import annotations

from django.core import signing
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import STATION_ROLES, Role, User
from homeward.accounts.selectors import scope_queryset, scoped_get, station_filter
from homeward.cases.models import Stay
from homeward.tracing.models import (
    AlertDelivery,
    Candidate,
    MissingReport,
    Notice,
    Reunion,
    Subscription,
    Tip,
)


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


def subscriptions_of(user: User) -> QuerySet[Subscription]:
    """A portal user's own alert subscriptions, live ones first."""
    return (
        Subscription.objects.filter(user=user)
        .select_related("division")
        .order_by("-active", "-created_at")
    )


def subscription_for_token(token: str) -> Subscription | None:
    """The subscription an unsubscribe link names, if the link is genuine (no expiry:
    an old alert's link must still work)."""
    from homeward.tracing.services.alerts import UNSUBSCRIBE_SALT

    try:
        public_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Subscription.objects.filter(public_id=public_id).first()


def alert_outbox(*, status: str | None = None) -> QuerySet[AlertDelivery]:
    """The alert outbox, for staff who watch deliveries (failed rows stay visible)."""
    qs = AlertDelivery.objects.select_related("subscription", "notice", "report")
    return qs.filter(status=status) if status else qs


def people_with_similar_face(photo_bytes: bytes, *, limit: int = 5, max_distance: float = 0.5):
    """Earlier people whose recorded face is near this photo's face: [(person, distance)].

    For the intake desk's "seen before?" check; 0.5 lies between the same-person
    and different-people distances measured for the face model (see its README).
    """
    from homeward.cases.models import Person
    from homeward.matching.face.photo import PhotoError
    from homeward.matching.face.pipeline import analyse_photo
    from homeward.tracing.found_faces import nearest_found

    try:
        query = analyse_photo(photo_bytes).embedding
    except PhotoError:
        return []
    if query is None:
        return []
    hits = [h for h in nearest_found(query, limit=2 * limit) if h.distance <= max_distance]
    people = Person.objects.select_related("merged_into").in_bulk([int(h.record_id) for h in hits])
    out, seen = [], set()
    for hit in hits:  # nearest first; a merged record answers as the one it became
        person = people.get(int(hit.record_id))
        if person is None:
            continue
        person = person.merged_into or person
        if person.pk not in seen:
            seen.add(person.pk)
            out.append((person, hit.distance))
    return out[:limit]


def photos_side_by_side(candidate) -> tuple[list, list]:
    """The found person's photos and the report's photos for the candidate page, each with
    its face check in words (`quality`, `accepted`); each report photo with the years
    between it and the person's newest photo (`years_apart`), as faces age."""
    from homeward.cases.photos import quality_words

    def check(photo) -> None:
        face = getattr(photo, "face", None)
        photo.accepted = face.accepted if face is not None else None
        photo.quality = quality_words(photo.accepted, face.reasons if face is not None else [])

    person_photos = list(candidate.person.photos.select_related("face"))
    report_photos = list(candidate.report.photos.select_related("face"))
    for photo in person_photos:
        check(photo)
    newest = max((p.taken_on.year for p in person_photos if p.taken_on), default=None)
    for photo in report_photos:
        check(photo)
        apart = newest - photo.taken_year if newest and photo.taken_year else None
        photo.years_apart = apart if apart is not None and apart >= 0 else None
    return person_photos, report_photos


def family_report(user: User, public_id, *, request: HttpRequest | None = None) -> MissingReport:
    """One of the family's own reports (any other is a 404), its read on the audit trail."""
    report = (
        family_reports(user)
        .select_related("station", "home_division", "lost_division")
        .filter(public_id=public_id)
        .first()
    )
    if report is None:
        raise Http404
    audit_record(
        actor=user, action="view", obj=report, station_id=report.station_id, request=request
    )
    return report


def report_timeline(report: MissingReport) -> list[tuple]:
    """(when, what, the family's words) for each step of a report, oldest first."""
    steps = [(report.created_at, _("Report filed"), "")]
    if report.verified_at:
        steps.append((report.verified_at, _("Verified by the station: searched from now on"), ""))
    steps += [(u.at, u.get_kind_display(), u.text) for u in report.updates.all()]
    return sorted(steps, key=lambda step: step[0])


def report_contact_station(report: MissingReport):
    """The station a family talks to: the one handling the report, else (while it waits for
    verification) the active station nearest by division to where the person was lost, or
    to their home."""
    from homeward.stations.models import Station

    if report.station_id:
        return report.station
    for division in (report.lost_division, report.home_division):
        if division is None:
            continue
        for length in (6, 4, 2):
            station = (
                Station.objects.filter(
                    is_active=True, division__code__startswith=division.code[:length]
                )
                .order_by("level", "name")
                .first()
            )
            if station is not None:
                return station
    return None
