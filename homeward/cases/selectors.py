"""Reads of people and stays, with station scoping applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import AuditEvent, User
from homeward.accounts.selectors import scope_queryset, scoped_get, station_filter
from homeward.cases.models import BedAssignment, Exit, Person, Settlement, Stay
from homeward.common.crypto import keyed_hash
from homeward.common.text import half_width
from homeward.stations.models import Bed, Station


def stays_visible(user: User) -> QuerySet[Stay]:
    return scope_queryset(user, Stay.objects.select_related("person", "station", "found_division"))


def stay_get(user: User, pk: int, *, request: HttpRequest | None = None) -> Stay:
    """One stay the user may see (404 otherwise); the read is audited."""
    return scoped_get(
        user,
        Stay.objects.select_related("person", "station", "found_division", "person__home_division"),
        request=request,
        pk=pk,
    )


def people_visible(user: User) -> QuerySet[Person]:
    """People with a stay at a station the user covers, or on their way there by transfer."""
    condition = station_filter(user, "stays__station")
    if condition is None:
        return Person.objects.all()
    incoming = station_filter(user, "stays__exit__to_station")
    return Person.objects.filter(condition | incoming).distinct()


def settlement_of(person: Person) -> Settlement | None:
    """The person's placement and registration record, if a save has made one (the caller
    read the person through a scoped, audited selector)."""
    return Settlement.objects.filter(person=person).first()


def beds_suitable(stay: Stay) -> QuerySet[Bed]:
    """The free beds this person may take: minors apart from adults, and a room of their
    sex (as `services.care._check_bed_fits` will insist)."""
    from homeward.stations.models import Room

    beds = Bed.objects.filter(room__station=stay.station, state=Bed.State.FREE).select_related(
        "room"
    )
    if stay.is_minor:
        beds = beds.filter(room__kind=Room.Kind.MINORS)
    else:
        beds = beds.exclude(room__kind=Room.Kind.MINORS)
    sex = stay.person.sex
    if sex == "M":
        beds = beds.exclude(room__kind=Room.Kind.WOMEN)
    elif sex == "F":
        beds = beds.exclude(room__kind=Room.Kind.MEN)
    return beds.order_by("room__name", "label")


def person_get(user: User, pk: int, *, request: HttpRequest | None = None) -> Person:
    person = people_visible(user).filter(pk=pk).first()
    if person is None:
        raise Http404
    audit_record(actor=user, action="view", obj=person, request=request)
    return person


def person_records(person: Person) -> list[Person]:
    """The person and every record merged into them (the history keeps both)."""
    root = person.merged_into or person
    return [root, *Person.objects.filter(merged_into=root).order_by("pk")]


@dataclass
class StayFilter:
    q: str = ""
    sex: str = ""
    brought_by: str = ""
    minors: bool = False
    condition: str = ""
    min_days: int | None = None
    # No photo meeting the recognition standard (none, or each one's face check failed):
    # the desk retakes it. The face check is tracing's, reached by its relation name.
    no_usable_photo: bool = False


def stays_in_station(user: User, f: StayFilter | None = None, now: datetime | None = None):
    qs = stays_visible(user).filter(status=Stay.Status.IN_STATION)
    return _apply(qs, f or StayFilter(), now).order_by("admitted_at")


def stays_arrived(user: User, since: datetime, until: datetime) -> QuerySet[Stay]:
    return (
        stays_visible(user)
        .filter(admitted_at__gte=since, admitted_at__lt=until)
        .order_by("-admitted_at")
    )


def stays_departed(user: User, since: datetime, until: datetime) -> QuerySet[Stay]:
    return (
        stays_visible(user)
        .filter(exited_at__gte=since, exited_at__lt=until)
        .select_related("exit")
        .order_by("-exited_at")
    )


def _apply(qs: QuerySet[Stay], f: StayFilter, now: datetime | None) -> QuerySet[Stay]:
    if f.q:
        qs = qs.filter(
            Q(person__name__icontains=f.q)
            | Q(name_at_intake__icontains=f.q)
            | Q(number__icontains=f.q)
            | Q(person__id_number_digest=keyed_hash(half_width(f.q).strip().upper()))
        )
    if f.sex:
        qs = qs.filter(person__sex=f.sex)
    if f.brought_by:
        qs = qs.filter(brought_by=f.brought_by)
    if f.minors:
        qs = qs.filter(is_minor=True)
    if f.condition:
        # JSON containment is not portable across SQLite and PostgreSQL; the
        # quoted code inside the JSON text is.
        qs = qs.filter(person__conditions__icontains=f'"{f.condition}"')
    if f.no_usable_photo:
        qs = qs.exclude(person__photos__face__accepted=True)
    if f.min_days is not None:
        qs = qs.filter(admitted_at__lte=(now or timezone.now()) - timedelta(days=f.min_days))
    return qs


def night_arrivals(user: User, day: date) -> QuerySet[Stay]:
    """Who arrived during the night before `day` (18:00 to 08:00, 夜间接收)."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(day - timedelta(days=1), time(18, 0), zone)
    end = datetime.combine(day, time(8, 0), zone)
    return stays_arrived(user, start, end)


def incoming_transfers(user: User) -> QuerySet[Exit]:
    """Transfers to the user's stations that nobody has received yet."""
    qs = Exit.objects.filter(
        kind=Exit.Kind.TRANSFERRED, to_station__isnull=False, received_stay__isnull=True
    ).select_related("stay__person", "stay__station", "to_station")
    condition = station_filter(user, "to_station")
    return qs if condition is None else qs.filter(condition)


def bed_occupants(user: User, station: Station) -> dict[int, Stay]:
    """{bed id: the stay in it} for the station's bed map, when `user` may read the
    station's cases (else empty: the map then shows only free and occupied)."""
    from homeward.accounts import access

    if not access.can(user, access.CASES, access.READ):
        return {}
    visible = stays_visible(user).filter(station=station)
    rows = BedAssignment.objects.filter(
        until__isnull=True, bed__room__station=station, stay__in=visible
    ).select_related("stay__person")
    return {a.bed_id: a.stay for a in rows}


def care_note_for_record(person: Person, pk: int | None, *, sensitive: bool):
    """A care note of this person's stays (any merged record's too) that the reader may
    see, whose facts the desk is about to put into the record; else None."""
    from homeward.cases.models import CareNote

    if pk is None:
        return None
    note = CareNote.objects.filter(pk=pk, stay__person__in=person_records(person)).first()
    if note is None or (note.kind in CareNote.SENSITIVE and not sensitive):
        return None
    return note


def current_bed(stay: Stay) -> Bed | None:
    assignment = stay.bed_assignments.filter(until__isnull=True).select_related("bed__room").first()
    return assignment.bed if assignment else None


def bed_use_rate(station: Station, day: date) -> float | None:
    """Bed-use rate (床位使用率) of one day.

    Beds occupied at any time that day over beds in service.
    """
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, zone)
    end = start + timedelta(days=1)
    beds = Bed.objects.filter(room__station=station).exclude(state=Bed.State.OUT_OF_SERVICE).count()
    if beds == 0:
        return None
    used = (
        BedAssignment.objects.filter(bed__room__station=station, since__lt=end)
        .filter(Q(until__isnull=True) | Q(until__gt=start))
        .values("bed")
        .distinct()
        .count()
    )
    return used / beds


@dataclass
class TimelineEvent:
    at: datetime
    kind: str
    text: str
    stay: Stay
    by: str = ""  # who recorded it (their display name, else user name)
    note: int | None = None  # a care note the reader may see: its facts can go into the record


def person_timeline(person: Person, *, sensitive: bool) -> list[TimelineEvent]:
    """Everything that happened to a person, all stays and merged records, oldest first.

    `sensitive` is whether the reader may see health entries (medical,
    hospital, psychological); without it those lines say only that care was given.
    """
    from homeward.cases.models import CareNote

    events: list[TimelineEvent] = []
    stays = Stay.objects.filter(person__in=person_records(person)).select_related(
        "station",
        "admitted_by",
        "exit",
        "exit__to_station",
        "exit__destination_division",
        "exit__recorded_by",
    )
    for stay in stays:
        events.append(
            TimelineEvent(
                stay.admitted_at,
                "intake",
                _("Admitted at %(station)s (%(by)s)")
                % {"station": stay.station.name, "by": stay.get_brought_by_display()},
                stay,
                _who(stay.admitted_by),
            )
        )
        for a in stay.bed_assignments.select_related("bed__room"):
            events.append(
                TimelineEvent(
                    a.since,
                    "bed",
                    _("Bed %(room)s-%(bed)s") % {"room": a.bed.room.name, "bed": a.bed.label},
                    stay,
                )
            )
        for note in stay.care_notes.select_related("by"):
            hidden = note.kind in CareNote.SENSITIVE and not sensitive
            text = _("Care given") if hidden else f"{note.get_kind_display()}: {note.text}"
            events.append(
                TimelineEvent(
                    note.at, "care", text, stay, _who(note.by), None if hidden else note.pk
                )
            )
        for incident in stay.incidents.select_related("by"):
            events.append(
                TimelineEvent(
                    incident.at,
                    "incident",
                    f"{incident.get_kind_display()}: {incident.description}",
                    stay,
                    _who(incident.by),
                )
            )
        exit_ = getattr(stay, "exit", None)
        if exit_ is not None:
            detail = exit_.get_kind_display()
            if exit_.destination_division:
                detail += f" → {exit_.destination_division.name}"
            if exit_.to_station:
                detail += f" → {exit_.to_station.name}"
            events.append(TimelineEvent(exit_.at, "exit", detail, stay, _who(exit_.recorded_by)))
    events.sort(key=lambda e: (e.at, e.kind != "intake"))
    return events


def _who(user) -> str:
    if user is None:
        return ""
    return user.display_name or user.get_username()


def _change(name: str, pair: list[str]) -> tuple[str, list[str]]:
    """A changed field in words: its label, and a choice's label for a code."""
    try:
        field = Person._meta.get_field(name)
    except FieldDoesNotExist:  # a field since removed: its stored name is all we have
        return name, pair
    labels = {str(code): str(label) for code, label in (field.choices or [])}
    return str(field.verbose_name), [labels.get(value, value) for value in pair]


def person_changes(person: Person) -> list[dict]:
    """Facts of `person` changed after the record was made: which, from what to what, when,
    by whom and at which station (from the audit trail, newest first)."""
    events = AuditEvent.objects.filter(
        object_type="cases.person", object_id=str(person.pk), action=AuditEvent.Action.UPDATE
    ).order_by("-at")
    return [
        {
            "at": event.at,
            "by": event.actor_name,
            "where": event.detail.get("at_intake", ""),
            "source": event.detail.get("source", ""),
            "changes": [_change(name, pair) for name, pair in event.detail["changes"].items()],
        }
        for event in events
        if event.detail.get("changes")
    ]


@dataclass
class EarlierRecord:
    person: Person
    why: str
    last_stay: Stay | None
    # What the desk sends back to link the stay to this person (`earlier_offer`).
    token: str = ""


# A clerk may link a stay only to a person the earlier-records lookup offered them, and
# only for an hour: the form sends back this signed offer, never a bare person id.
EARLIER_SALT = "cases.earlier-record"
EARLIER_MAX_AGE_S = 3600


def earlier_offer(
    user: User, records: list[EarlierRecord], *, request: HttpRequest | None = None
) -> list[EarlierRecord]:
    """Sign each record for `user` and note on the audit trail whom the lookup showed."""
    for record in records:
        record.token = signing.dumps(
            {"person": record.person.pk, "user": user.pk}, salt=EARLIER_SALT, compress=True
        )
        audit_record(
            actor=user,
            action=AuditEvent.Action.LIST,
            obj=record.person,
            request=request,
            detail={"lookup": "earlier records", "why": str(record.why)},
        )
    return records


def earlier_accepted(user: User, token: str) -> Person | None:
    """The person of an offer `user` received within the hour, or None."""
    try:
        offer = signing.loads(token, salt=EARLIER_SALT, max_age=EARLIER_MAX_AGE_S)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(offer, dict) or offer.get("user") != user.pk:
        return None
    return Person.objects.filter(pk=offer.get("person"), merged_into__isnull=True).first()


def earlier_records(
    *,
    id_number: str = "",
    name: str = "",
    sex: str = "",
    age: tuple[int, int] | None = None,
    today: date | None = None,
    limit: int = 10,
    faces: list[tuple[Person, float]] | None = None,
) -> list[EarlierRecord]:
    """People seen before, in any station, who may be the person at the desk.

    Returning people come back to other stations too, so this looks across
    stations; the desk sees only a summary, and linking is the clerk's choice.
    """
    today = today or timezone.localdate()
    found: dict[int, EarlierRecord] = {}
    base = Person.objects.filter(merged_into__isnull=True)
    if id_number:
        digest = keyed_hash(half_width(id_number).strip().upper())
        for p in base.filter(id_number_digest=digest)[:limit]:
            found[p.pk] = EarlierRecord(p, _("same ID number"), None)
    if name.strip():
        qs = base.filter(Q(name=name.strip()) | Q(aliases__icontains=f'"{name.strip()}"'))
        if sex in ("M", "F"):
            qs = qs.filter(sex__in=[sex, "U"])
        for p in qs[: limit * 3]:
            if p.pk in found:
                continue
            if age is not None:
                known = p.age_on(today)
                if known is not None and (known[1] < age[0] - 5 or known[0] > age[1] + 5):
                    continue
            found[p.pk] = EarlierRecord(p, _("same name"), None)
    for person, distance in faces or []:
        if person.pk not in found:
            found[person.pk] = EarlierRecord(
                person, _("similar face (distance %(d).2f)") % {"d": distance}, None
            )
    records = list(found.values())[:limit]
    for record in records:
        record.last_stay = (
            record.person.stays.select_related("station").order_by("-admitted_at").first()
        )
    return records
