"""Figures computed from the records, for a period and an area (never hand-kept counters).

Every figure takes the user, the `Scope` and the `Period`; the user's own
scoping (`accounts.selectors.scope_queryset`) is applied under the area, so
a figure can never count a record the user could not list. Most figures are
one aggregate query each (conditional counts over one scan).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from homeward.accounts.models import User
from homeward.accounts.selectors import scope_queryset
from homeward.cases.models import (
    CONDITIONS,
    BedAssignment,
    Exit,
    OutsourcedCare,
    Person,
    Settlement,
    Stay,
)
from homeward.reports.scope import Period, Scope
from homeward.stations.models import Bed
from homeward.tracing.models import Candidate, Notice, Reunion

SOURCES = tuple(Stay.BroughtBy.values)
SEXES = ("M", "F", "U")
AGE_BANDS = ("minor", "18_44", "45_59", "60_plus", "unknown")
LONG_STAY_DAYS = (10, 30, 90)
# Dispatch outcomes that mean nobody was helped on the street.
NO_CONTACT = ("not_found", "false_report")


# Stays are counted as COUNT(*) (or of `admitted_at`, never null, where filtered), not of
# their id: the covering indexes of reports migrations 0002-0003 leave the id out, and a
# count that names it makes PostgreSQL read the table instead of the index.


def _in(user: User, scope: Scope, qs: QuerySet, station_field: str = "station") -> QuerySet:
    return scope_queryset(user, qs, station_field).filter(scope.q(station_field))


def _period_q(field_name: str, period: Period) -> Q:
    return Q(**{f"{field_name}__gte": period.since, f"{field_name}__lt": period.until})


def _date_q(field_name: str, period: Period) -> Q:
    return Q(**{f"{field_name}__gte": period.start, f"{field_name}__lt": period.end})


# -- intake: person-times and who they were ------------------------------------------------


@dataclass
class Intake:
    """Person-times helped (救助人次) in the period and who they were."""

    person_times: int = 0
    people: int = 0
    minors: int = 0
    left_behind: int = 0
    in_plight: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    by_sex: dict[str, int] = field(default_factory=dict)
    by_age: dict[str, int] = field(default_factory=dict)
    by_condition: dict[str, int] = field(default_factory=dict)
    monthly: list[int] = field(default_factory=list)


def intake(user: User, scope: Scope, period: Period, *, detail: bool = True) -> Intake:
    """Every stay admitted in the period is one person-time; people are counted once.

    A person merged into another counts as that other. Age bands: minors as
    decided at intake; adults by the year of admission minus the year of birth
    (or of the youngest estimate when no birth date is known). Without `detail`, only
    person-times, people and minors are counted (last year's headline).

    One grouped query over the stays' covering index (reports migration 0003): each stay
    falls in a cell by month, source, the flags, its person's sex, conditions (as bits)
    and birth date between the age cut-offs of the years the period touches; every
    figure is a sum of cells. The person's facts are those copied onto the stay.
    """
    stays = _in(user, scope, Stay.objects.all()).filter(_period_q("admitted_at", period))
    if not detail:
        # Last year's headline: from the stays alone, without reading their people.
        row = stays.aggregate(n=Count("*"), minors=Count("admitted_at", filter=Q(is_minor=True)))
        people = _distinct_people(stays) if row["n"] else 0
        return Intake(person_times=row["n"], people=people, minors=row["minors"])
    months = period.months()
    years = range(period.start.year, (period.end - timedelta(days=1)).year + 1)
    # Born after the end of year Y-45: under 45 in year Y; after Y-60: under 60.
    born_cuts = sorted({date(y - k, 12, 31) for y in years for k in (45, 60)})
    cells = list(
        stays.annotate(
            month=_cut_index("admitted_at", [m.since for m in months[1:]], lookup="lt"),
            born=_cut_index("person_born", born_cuts, null=-1),
        )
        .values_list(
            "month",
            "brought_by",
            "is_minor",
            "left_behind_child",
            "child_in_plight",
            "person_sex",
            "person_conditions",
            "born",
        )
        .annotate(n=Count("*"))
        .order_by()
    )

    def total(keep=lambda c: True) -> int:
        return sum(c[-1] for c in cells if keep(c))

    def band(cell) -> str:
        """The age band of a cell's stays in the year of their admission."""
        month, minor, born = cell[0], cell[2], cell[7]
        if minor:
            return "minor"
        if born == -1:  # no birth date known
            return "unknown"
        year = months[month].start.year
        # Born after born_cuts[born - 1], at or before born_cuts[born]; every cut of the
        # year is among them, so the whole interval lies in one band of that year.
        if born == len(born_cuts):
            return "18_44"
        if born_cuts[born] <= date(year - 60, 12, 31):
            return "60_plus"
        if born_cuts[born] <= date(year - 45, 12, 31):
            return "45_59"
        return "18_44"

    codes = list(CONDITIONS)
    n = total()
    return Intake(
        person_times=n,
        people=_distinct_people(stays) if n else 0,
        minors=total(lambda c: c[2]),
        left_behind=total(lambda c: c[3]),
        in_plight=total(lambda c: c[4]),
        by_source={s: total(lambda c, s=s: c[1] == s) for s in SOURCES},
        by_sex={s: total(lambda c, s=s: c[5] == s) for s in SEXES},
        by_age={b: total(lambda c, b=b: band(c) == b) for b in AGE_BANDS},
        by_condition={code: total(lambda c, k=k: c[6] >> k & 1) for k, code in enumerate(codes)},
        monthly=[total(lambda c, i=i: c[0] == i) for i in range(len(months))],
    )


def _distinct_people(stays: QuerySet) -> int:
    """The people of `stays`, each counted once, a person merged into another counted as
    that other; without joining every stay to its person: the distinct persons of the
    stays, corrected for the few persons merged into another."""
    n = stays.aggregate(n=Count("person_id", distinct=True))["n"]
    merged_ids = Person.objects.filter(merged_into__isnull=False).values("pk")
    merged = dict(
        Person.objects.filter(
            pk__in=stays.filter(person_id__in=merged_ids).values("person_id")
        ).values_list("pk", "merged_into_id")
    )
    if not merged:
        return n
    targets = set(merged.values())
    counted = set(
        stays.filter(person_id__in=targets)
        .exclude(person_id__in=merged_ids)
        .values_list("person_id", flat=True)
        .distinct()
    )
    # The stays' unmerged persons, and the persons merged ones count as.
    return n - len(merged) + len(targets - counted)


# -- street outreach (dispatch) ------------------------------------------------------------


@dataclass
class Outreach:
    """Reports of people in distress received, and street outreach (街面劝导救助) done."""

    reports: int = 0
    street_contacts: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)


def outreach(user: User, scope: Scope, period: Period) -> Outreach:
    """Incidents received in the period (duplicates merged away not counted).

    A street contact is a resolved incident whose team reached the person:
    every outcome but "not found" and "false report".
    """
    from homeward.dispatch.models import Channel, Incident, Outcome

    qs = (
        _in(user, scope, Incident.objects.all())
        .filter(_period_q("received_at", period))
        .exclude(status=Incident.Status.MERGED)
    )
    aggs = {
        "n": Count("id"),
        "contacts": Count("id", filter=~Q(outcome="") & ~Q(outcome__in=NO_CONTACT)),
    }
    aggs |= {f"ch_{c}": Count("id", filter=Q(channel=c)) for c in Channel.values}
    aggs |= {f"out_{o}": Count("id", filter=Q(outcome=o)) for o in Outcome.values}
    row = qs.aggregate(**aggs)
    return Outreach(
        reports=row["n"],
        street_contacts=row["contacts"],
        by_channel={c: row[f"ch_{c}"] for c in Channel.values},
        by_outcome={o: row[f"out_{o}"] for o in Outcome.values},
    )


# -- reunions and exits --------------------------------------------------------------------


@dataclass
class Reunions:
    """Reunions completed in the period (寻亲成功), by how the family was found."""

    total: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    median_days: float | None = None
    # Candidates ruled out in the period, by why: where the matcher misleads the officers.
    ruled_out: dict[str, int] = field(default_factory=dict)


def reunions(user: User, scope: Scope, period: Period) -> Reunions:
    """Median days: from the stay's intake to the reunion's completion."""
    qs = _in(user, scope, Reunion.objects.all(), "stay__station").filter(
        _period_q("completed_at", period)
    )
    counts = dict(qs.values_list("channel").annotate(n=Count("id")).order_by())
    total = sum(counts.values())
    # The median from the one or two middle spans, sorted by the database (not every
    # reunion's dates brought into Python).
    spans = qs.annotate(span=F("completed_at") - F("stay__admitted_at")).order_by("span")
    middle = (
        spans.values_list("span", flat=True)[(total - 1) // 2 : total // 2 + 1] if total else []
    )
    days = [span / timedelta(days=1) for span in middle]
    rejected = _in(user, scope, Candidate.objects.filter(status=Candidate.Status.REJECTED))
    kinds = dict(
        rejected.filter(_period_q("reviewed_at", period))
        .values_list("reject_kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    ruled_out = {k: kinds.get(k, 0) for k in Candidate.RejectKind.values}
    ruled_out[Candidate.RejectKind.OTHER] += kinds.get("", 0)  # ruled out before kinds
    return Reunions(
        total=total,
        by_channel={c: counts.get(c, 0) for c in Reunion.Channel.values},
        median_days=round(statistics.median(days), 1) if days else None,
        ruled_out=ruled_out,
    )


def exits(user: User, scope: Scope, period: Period) -> dict[str, int]:
    """Stays ended in the period, by how (returned home, handed to family, transferred...)."""
    qs = _in(user, scope, Exit.objects.all(), "stay__station").filter(_period_q("at", period))
    counts = dict(qs.values_list("kind").annotate(n=Count("id")).order_by())
    return {k: counts.get(k, 0) for k in Exit.Kind.values}


@dataclass
class Settlements:
    """Long-stay residents placed, registered (落户) and enrolled in assistance in the period."""

    placed: int = 0
    hukou_applied: int = 0
    hukou_registered: int = 0
    dibao: int = 0
    medical_assistance: int = 0
    temporary_assistance: int = 0
    any_assistance: int = 0


def settlements(user: User, scope: Scope, period: Period) -> Settlements:
    qs = _in(user, scope, Settlement.objects.all())
    row = qs.aggregate(
        placed=Count("id", filter=_date_q("placed_on", period)),
        hukou_applied=Count("id", filter=_date_q("hukou_applied_on", period)),
        hukou_registered=Count("id", filter=_date_q("hukou_registered_on", period)),
        dibao=Count("id", filter=_date_q("dibao_on", period)),
        medical_assistance=Count("id", filter=_date_q("medical_assistance_on", period)),
        temporary_assistance=Count("id", filter=_date_q("temporary_assistance_on", period)),
        any_assistance=Count(
            "id",
            filter=_date_q("dibao_on", period)
            | _date_q("medical_assistance_on", period)
            | _date_q("temporary_assistance_on", period),
        ),
    )
    return Settlements(**row)


# -- who is in the station: long stays, outsourced care, beds ---------------------------------


def _present_q(at: datetime) -> Q:
    return Q(admitted_at__lt=at) & (Q(exited_at__isnull=True) | Q(exited_at__gt=at))


@dataclass
class Retention:
    """Who is in the station at the end of the period, by length of stay (长期滞留)."""

    at: datetime
    in_station: int = 0
    over: dict[int, int] = field(default_factory=dict)
    by_length: dict[str, int] = field(default_factory=dict)
    trend_over_30: list[int] = field(default_factory=list)
    trend_over_90: list[int] = field(default_factory=list)


def retention(
    user: User, scope: Scope, period: Period, now: datetime | None = None, *, trend: bool = True
) -> Retention:
    """Stays present at the period's end (or now), over 10, 30 and 90 days; and the trend
    of those over 30 and 90 days at the end of every month of the period (up to now).

    One grouped query: each stay is put in a cell by how many admission cut-offs
    (a moment minus 10, 30 or 90 days) come before its intake and how many month
    ends come before its exit; every figure is then a sum of cells, so the number
    of figures does not add to the work done per stay.
    """
    now = now or timezone.now()
    at = period.last_moment(now)
    ends = [m.last_moment(now) for m in period.months() if m.since < now] if trend else []
    wanted = [(at, d) for d in LONG_STAY_DAYS] + [(end, d) for end in ends for d in (30, 90)]
    admitted_cuts = sorted({end - timedelta(days=d) for end, d in wanted})
    exit_cuts = sorted({at, *ends})
    # Only stays present at some moment counted below are read: admitted before the
    # period's end (every cut-off is earlier) and not gone before the first month end.
    qs = _in(user, scope, Stay.objects.filter(admitted_at__lt=at)).filter(
        Q(exited_at__isnull=True) | Q(exited_at__gt=exit_cuts[0])
    )
    cells = (
        qs.annotate(
            a=_cut_index("admitted_at", admitted_cuts),
            e=_cut_index("exited_at", exit_cuts, null_last=True),
        )
        .values_list("a", "e")
        .annotate(n=Count("*"))
        .order_by()
    )
    cells = [(a, e, n) for a, e, n in cells]

    def present(end: datetime, days: int | None = None) -> int:
        """Stays not gone by `end` (a month end), admitted `days` or more before it."""
        ia = len(admitted_cuts) if days is None else admitted_cuts.index(end - timedelta(days=days))
        ie = exit_cuts.index(end)
        return sum(n for a, e, n in cells if a <= ia and e > ie)

    n = present(at)
    over = {d: present(at, d) for d in LONG_STAY_DAYS}
    return Retention(
        at=at,
        in_station=n,
        over=over,
        by_length={
            "under_10": n - over[10],
            "10_29": over[10] - over[30],
            "30_89": over[30] - over[90],
            "90_plus": over[90],
        },
        trend_over_30=[present(end, 30) for end in ends],
        trend_over_90=[present(end, 90) for end in ends],
    )


def _cut_index(
    field_name: str,
    cuts: list,
    *,
    lookup: str = "lte",
    null_last: bool = False,
    null: int | None = None,
) -> Case:
    """The first k for which the field's value is at or before (`lookup="lt"`: before)
    the sorted `cuts[k]`, or len(cuts): with "lte", the value is at or before `cuts[k]`
    exactly when the index is k or less. Null counts as after all with `null_last`, as
    `null` when given."""
    if null_last:
        null = len(cuts)
    whens = (
        [When(Q(**{f"{field_name}__isnull": True}), then=Value(null))] if null is not None else []
    )
    whens += [When(Q(**{f"{field_name}__{lookup}": c}), then=Value(k)) for k, c in enumerate(cuts)]
    return Case(*whens, default=Value(len(cuts)), output_field=IntegerField())


@dataclass
class Outsourced:
    """Care bought from outside institutions (托养); the target is zero (零托养)."""

    at_end: int = 0
    started: int = 0


def outsourced(user: User, scope: Scope, period: Period, now: datetime | None = None) -> Outsourced:
    day = timezone.localtime(period.last_moment(now)).date()
    qs = _in(user, scope, OutsourcedCare.objects.all(), "stay__station")
    row = qs.aggregate(
        at_end=Count("id", filter=Q(since__lte=day) & (Q(until__isnull=True) | Q(until__gt=day))),
        started=Count("id", filter=_date_q("since", period)),
    )
    return Outsourced(**row)


@dataclass
class BedUse:
    """Bed-use rate (床位使用率) on the last day of the period."""

    beds: int = 0
    used: int = 0

    @property
    def rate(self) -> float | None:
        return None if self.beds == 0 else self.used / self.beds


def bed_use(user: User, scope: Scope, period: Period, now: datetime | None = None) -> BedUse:
    """Beds used at any time on the period's last day over beds in service, as
    `cases.selectors.bed_use_rate` counts one station, summed over the area."""
    day = timezone.localtime(period.last_moment(now) - timedelta(microseconds=1)).date()
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, datetime.min.time(), zone)
    end = start + timedelta(days=1)
    beds = (
        _in(user, scope, Bed.objects.all(), "room__station")
        .exclude(state=Bed.State.OUT_OF_SERVICE)
        .count()
    )
    used = (
        _in(user, scope, BedAssignment.objects.all(), "bed__room__station")
        .filter(Q(since__lt=end) & (Q(until__isnull=True) | Q(until__gt=start)))
        .values("bed")
        .distinct()
        .count()
    )
    return BedUse(beds=beds, used=used)


# -- tracing notices, alerts, campaigns ---------------------------------------------------------


@dataclass
class Notices:
    """Tracing notices (寻亲公告) published, refreshed and withdrawn in the period."""

    published: int = 0
    refreshed: int = 0
    withdrawn: int = 0
    live_at_end: int = 0


def notices(user: User, scope: Scope, period: Period, now: datetime | None = None) -> Notices:
    """`refreshed` counts notices whose latest refresh fell in the period (only the
    latest refresh is recorded)."""
    at = period.last_moment(now)
    qs = _in(user, scope, Notice.objects.all(), "stay__station")
    row = qs.aggregate(
        published=Count("id", filter=_period_q("published_at", period)),
        refreshed=Count("id", filter=_period_q("refreshed_at", period)),
        withdrawn=Count("id", filter=_period_q("withdrawn_at", period)),
        live_at_end=Count(
            "id",
            filter=Q(published_at__lt=at)
            & (Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=at)),
        ),
    )
    return Notices(**row)


def alerts_sent(user: User, scope: Scope, period: Period) -> int:
    """Geo-targeted alerts delivered to portal subscribers in the period, about the
    area's notices and the missing reports its stations handle.

    """
    from homeward.accounts.selectors import station_filter
    from homeward.tracing.models import AlertDelivery

    parts = []
    for path in ("notice__stay__station", "report__station"):
        mine = station_filter(user, path)
        parts.append(
            scope.q(path) & (Q() if mine is None else mine) & Q(**{f"{path}__isnull": False})
        )
    return (
        AlertDelivery.objects.filter(status="sent")
        .filter(_period_q("sent_at", period))
        .filter(parts[0] | parts[1])
        .count()
    )


@dataclass
class Campaigns:
    """Winter-warmth and summer-cool campaigns (专项救助行动) in the area and period."""

    campaigns: int = 0
    people_reached: int = 0
    persuaded: int = 0
    supplies: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def campaigns(user: User, scope: Scope, period: Period) -> Campaigns:
    """Campaigns running at some time in the period over a part of the area; patrol
    contacts in the area; supplies handed out by the area's stations."""
    from homeward.campaigns.models import Campaign, Outreach
    from homeward.campaigns.selectors import ancestor_codes
    from homeward.dispatch.models import SupplyHandout

    running = Campaign.objects.filter(starts_at__lt=period.until, ends_at__gte=period.since)
    prefix = scope.prefix
    if prefix:
        code = (scope.station.division if scope.station else scope.division).code
        running = running.filter(
            Q(divisions__code__startswith=prefix) | Q(divisions__code__in=ancestor_codes(code))
        ).distinct()
    by_kind = dict(
        Campaign.objects.filter(pk__in=running.values("pk"))
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    contacts = Outreach.objects.filter(_period_q("at", period))
    if prefix:
        contacts = contacts.filter(division__code__startswith=prefix)
    reached = contacts.aggregate(
        reached=Coalesce(Sum("people_reached"), 0), persuaded=Coalesce(Sum("persuaded"), 0)
    )
    supplies = (
        _in(user, scope, SupplyHandout.objects.all())
        .filter(_period_q("at", period))
        .aggregate(n=Coalesce(Sum("quantity"), 0))["n"]
    )
    return Campaigns(
        campaigns=sum(by_kind.values()),
        people_reached=reached["reached"],
        persuaded=reached["persuaded"],
        supplies=supplies,
        by_kind=by_kind,
    )


# -- supervision ---------------------------------------------------------------------------------


def open_days_visible(user: User) -> QuerySet:
    from homeward.reports.models import OpenDay

    return scope_queryset(user, OpenDay.objects.select_related("station"))


def complaints_visible(user: User) -> QuerySet:
    from homeward.reports.models import Complaint

    return scope_queryset(user, Complaint.objects.select_related("station", "handled_by"))
