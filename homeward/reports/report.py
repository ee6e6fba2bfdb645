"""The yearly statistical report: every figure of `selectors` for one area and period,
the headline against the same period a year before, and the rows one level down.

The dashboard, the Excel, PDF and CSV exports and the API all read this one shape.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from homeward.accounts.models import User
from homeward.cases.models import CONDITIONS, Exit, Sex, Stay
from homeward.reports import selectors as s
from homeward.reports.drilldown import Row, breakdown
from homeward.reports.scope import Period, Scope
from homeward.tracing.models import Candidate, Reunion

AGE_LABELS = {
    "minor": _("Under 18"),
    "18_44": _("18 to 44"),
    "45_59": _("45 to 59"),
    "60_plus": _("60 and over"),
    "unknown": _("Age unknown"),
}
LENGTH_LABELS = {
    "under_10": _("Under 10 days"),
    "10_29": _("10 to 29 days"),
    "30_89": _("30 to 89 days"),
    "90_plus": _("90 days and more"),
}


@dataclass
class Headline:
    key: str
    label: str | Promise
    value: float | int | None
    last_year: float | int | None
    percent: bool = False

    @property
    def change(self) -> float | None:
        """Change against last year in percent; None when there is nothing to compare."""
        if self.value is None or not self.last_year:
            return None
        return (self.value - self.last_year) / self.last_year * 100


@dataclass
class Report:
    scope: Scope
    period: Period
    made_at: datetime
    intake: s.Intake
    outreach: s.Outreach
    reunions: s.Reunions
    exits: dict[str, int]
    settlements: s.Settlements
    retention: s.Retention
    outsourced: s.Outsourced
    bed_use: s.BedUse
    notices: s.Notices
    alerts: int | None
    campaigns: s.Campaigns
    headline: list[Headline] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    def sections(self) -> list[tuple[str | Promise, list[tuple[str | Promise, object]]]]:
        """The report as titled lists of (label, value): the layout of every export."""
        i, r, st = self.intake, self.reunions, self.settlements
        src = dict(Stay.BroughtBy.choices)
        sex = dict(Sex.choices)
        exit_kinds = dict(Exit.Kind.choices)
        channels = dict(Reunion.Channel.choices)
        ruled_out = dict(Candidate.RejectKind.choices)
        return [
            (
                _("Person-times helped"),
                [
                    (_("Person-times helped"), i.person_times),
                    (_("People helped"), i.people),
                    (_("Minors"), i.minors),
                    (_("Left-behind children"), i.left_behind),
                    (_("Children in plight"), i.in_plight),
                ],
            ),
            (_("By who brought them"), [(src[k], v) for k, v in i.by_source.items()]),
            (_("By sex"), [(sex[k], v) for k, v in i.by_sex.items()]),
            (_("By age"), [(AGE_LABELS[k], v) for k, v in i.by_age.items()]),
            (_("By condition"), [(CONDITIONS[k], v) for k, v in i.by_condition.items()]),
            (
                _("Street outreach"),
                [
                    (_("Reports of people in distress"), self.outreach.reports),
                    (_("Street contacts"), self.outreach.street_contacts),
                    *self._outcomes(),
                ],
            ),
            (
                _("Family reunions"),
                [
                    (_("Reunions"), r.total),
                    *[(channels[k], v) for k, v in r.by_channel.items()],
                    (_("Median days from intake to reunion"), r.median_days),
                ],
            ),
            (
                _("Candidates ruled out, by why"),
                [(ruled_out[k], v) for k, v in r.ruled_out.items()],
            ),
            (_("Stays ended"), [(exit_kinds[k], v) for k, v in self.exits.items()]),
            (
                _("Placement and household registration"),
                [
                    (_("Placed"), st.placed),
                    (_("Household registration applied"), st.hukou_applied),
                    (_("Household registered (落户)"), st.hukou_registered),
                    (_("Enrolled in assistance"), st.any_assistance),
                    (_("Minimum living security"), st.dibao),
                    (_("Medical assistance"), st.medical_assistance),
                    (_("Temporary assistance"), st.temporary_assistance),
                ],
            ),
            (
                _("In the station at the end of the period"),
                [
                    (_("In the station"), self.retention.in_station),
                    (_("Over 10 days"), self.retention.over[10]),
                    (_("Over 30 days"), self.retention.over[30]),
                    (_("Over 90 days"), self.retention.over[90]),
                    (_("In outsourced care"), self.outsourced.at_end),
                    (_("Outsourced care begun"), self.outsourced.started),
                    (_("Beds in service"), self.bed_use.beds),
                    (_("Beds used"), self.bed_use.used),
                    (_("Bed-use rate"), _percent(self.bed_use.rate)),
                ],
            ),
            (
                _("Tracing notices and alerts"),
                [
                    (_("Notices published"), self.notices.published),
                    (_("Notices refreshed"), self.notices.refreshed),
                    (_("Notices withdrawn"), self.notices.withdrawn),
                    (_("Notices online at the end"), self.notices.live_at_end),
                    (_("Alerts sent"), self.alerts),
                ],
            ),
            (
                _("Special campaigns"),
                [
                    (_("Campaigns"), self.campaigns.campaigns),
                    (_("People reached on patrol"), self.campaigns.people_reached),
                    (_("Persuaded into shelter"), self.campaigns.persuaded),
                    (_("Supplies handed out"), self.campaigns.supplies),
                ],
            ),
        ]

    def _outcomes(self):
        from homeward.dispatch.models import Outcome

        names = dict(Outcome.choices)
        return [(names[k], v) for k, v in self.outreach.by_outcome.items()]


def _percent(rate: float | None) -> str | None:
    return None if rate is None else f"{rate * 100:.1f}%"


def _headline_parts(user: User, scope: Scope, period: Period, now: datetime) -> dict:
    """The queries of `headline`, each a call without arguments (see `_run`)."""
    return {
        "intake": lambda: s.intake(user, scope, period, detail=False),
        "outreach": lambda: s.outreach(user, scope, period),
        "reunions": lambda: s.reunions(user, scope, period),
        "settlements": lambda: s.settlements(user, scope, period),
        "notices": lambda: s.notices(user, scope, period, now),
        "retention": lambda: s.retention(user, scope, period, now, trend=False),
        "bed_use": lambda: s.bed_use(user, scope, period, now),
    }


def _headline_of(parts: dict) -> dict:
    return {
        "person_times": parts["intake"].person_times,
        "people": parts["intake"].people,
        "minors": parts["intake"].minors,
        "street_contacts": parts["outreach"].street_contacts,
        "reunions": parts["reunions"].total,
        "hukou_registered": parts["settlements"].hukou_registered,
        "notices": parts["notices"].published,
        "over_90": parts["retention"].over[90],
        "bed_use": parts["bed_use"].rate,
    }


def _parallel() -> int:
    """How many figures to compute at once: several only on PostgreSQL (SQLite has one
    writer and little to gain) and outside a transaction, whose rows other connections
    could not see."""
    workers = int(settings.REPORTS_PARALLEL)
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(workers, 1)


def _run(calls: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Every call's result. On PostgreSQL the calls run on a few threads, each with its
    own connection (closed when its call is done), so the database works on the figures
    side by side; the active time zone goes with them."""
    workers = _parallel()
    if workers == 1:
        return {name: call() for name, call in calls.items()}
    zone = timezone.get_current_timezone()

    def run(call: Callable[[], Any]) -> Any:
        try:
            with timezone.override(zone):
                return call()
        finally:
            connections.close_all()  # this thread's connections only

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="report") as pool:
        futures = {name: pool.submit(run, call) for name, call in calls.items()}
        return {name: future.result() for name, future in futures.items()}


HEADLINE_LABELS = {
    "person_times": _("Person-times helped"),
    "people": _("People helped"),
    "minors": _("Minors"),
    "street_contacts": _("Street contacts"),
    "reunions": _("Reunions"),
    "hukou_registered": _("Household registered (落户)"),
    "notices": _("Notices published"),
    "over_90": _("In the station over 90 days"),
    "bed_use": _("Bed-use rate"),
}


def build(
    user: User,
    scope: Scope,
    period: Period,
    *,
    now: datetime | None = None,
    compare: bool = True,
    rows: bool = True,
) -> Report:
    """Every figure of the report. `compare` adds last year's headline; `rows` the drill-down."""
    now = now or timezone.now()
    # The slowest first, so that the threads finish together.
    calls: dict[str, Callable[[], Any]] = {
        "intake": lambda: s.intake(user, scope, period),
    }
    if rows:
        calls["rows"] = lambda: breakdown(user, scope, period, now)
    calls |= {
        "retention": lambda: s.retention(user, scope, period, now),
        "reunions": lambda: s.reunions(user, scope, period),
        "exits": lambda: s.exits(user, scope, period),
        "outreach": lambda: s.outreach(user, scope, period),
        "settlements": lambda: s.settlements(user, scope, period),
        "outsourced": lambda: s.outsourced(user, scope, period, now),
        "bed_use": lambda: s.bed_use(user, scope, period, now),
        "notices": lambda: s.notices(user, scope, period, now),
        "alerts": lambda: s.alerts_sent(user, scope, period),
        "campaigns": lambda: s.campaigns(user, scope, period),
    }
    before = _headline_parts(user, scope, period.year_before(), now) if compare else {}
    calls |= {f"before_{name}": call for name, call in before.items()}
    done = _run(calls)
    report = Report(
        scope=scope,
        period=period,
        made_at=now,
        **{name: done[name] for name in REPORT_FIGURES},
    )
    current = _headline_of(done)
    last_year = _headline_of({name: done[f"before_{name}"] for name in before}) if before else {}
    report.headline = [
        Headline(k, HEADLINE_LABELS[k], v, last_year.get(k), percent=(k == "bed_use"))
        for k, v in current.items()
    ]
    report.rows = done.get("rows", [])
    return report


REPORT_FIGURES = (
    "intake",
    "outreach",
    "reunions",
    "exits",
    "settlements",
    "retention",
    "outsourced",
    "bed_use",
    "notices",
    "alerts",
    "campaigns",
)
