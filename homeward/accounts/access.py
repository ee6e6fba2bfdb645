"""Who may do what: the one declared permission map (role -> section -> read or write).

Every page, API operation and export names its section in ROUTES below; the page
middleware (`AccessMiddleware`) and the API's authentication (`homeward.api`) both ask
`route_allowed` before any view runs, so no page can forget its check. Which *objects* a
user sees inside a section (their stations, their area) is decided by the selectors
(`accounts.selectors`), as before; a finer rule of a service (only tracing officers
confirm a match) still holds on top.

A route that is missing from ROUTES is refused to everyone (and the access-matrix test
fails on it), so a new page is closed until someone says who it is for.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeward.accounts.models import Role, User

READ, WRITE = "read", "write"

# Sections: what kind of record a page shows or changes.
CASES = "cases"  # stays and people: intake, care, exits, intake drafts from teams
TRACING = "tracing"  # missing reports, candidates, reunions
DISPATCH = "dispatch"  # the command center: incidents, teams, the live map
TEAM = "team"  # a street team's own calls and position
CAMPAIGNS = "campaigns"  # weather warnings, campaigns, shelter points
REPORTS = "reports"  # figures, supervision, safety checks
STATIONS = "stations"  # stations, rooms and beds (no person)
AUDIT = "audit"  # the audit trail
JOBS = "jobs"  # failed background jobs
PORTAL = "portal"  # a family's own reports and alerts
# People's requests about their own data (export, erasure) and the retention table
PRIVACY = "privacy"
SECTIONS = (
    CASES, TRACING, DISPATCH, TEAM, CAMPAIGNS, REPORTS, STATIONS, AUDIT, JOBS, PORTAL, PRIVACY,
)  # fmt: skip

# Not sections: who may pass without one.
PUBLIC = "public"  # anyone, signed in or not
STAFF = "staff"  # any signed-in member of staff (the dashboard, regions lookups)
SIGNED_IN = "signed_in"  # anyone signed in, staff or family (own account)

_DESK = {CASES: WRITE, TRACING: WRITE, STATIONS: READ}
_ADMIN = {
    CASES: READ,
    TRACING: READ,
    DISPATCH: READ,
    CAMPAIGNS: WRITE,
    REPORTS: WRITE,
    STATIONS: WRITE,
    AUDIT: READ,
    JOBS: READ,
    PRIVACY: READ,
}

ACCESS: dict[str, dict[str, str]] = {
    Role.INTAKE: _DESK,
    Role.CASEWORKER: _DESK,
    # The tracing officer hands a family its data; only the station head erases.
    Role.TRACING_OFFICER: {**_DESK, PRIVACY: READ},
    Role.STATION_HEAD: {
        **_DESK,
        PRIVACY: WRITE,
        DISPATCH: WRITE,
        TEAM: WRITE,
        CAMPAIGNS: WRITE,
        REPORTS: WRITE,
        AUDIT: READ,
        JOBS: READ,
    },
    Role.DISPATCHER: {DISPATCH: WRITE, TEAM: WRITE, CAMPAIGNS: WRITE, STATIONS: READ},
    # The street team sees its own calls (and drafts it leaves for the desk), no records.
    Role.STREET_TEAM: {TEAM: WRITE, STATIONS: READ},
    Role.COUNTY_ADMIN: _ADMIN,
    Role.CITY_ADMIN: _ADMIN,
    Role.PROVINCE_ADMIN: _ADMIN,
    Role.NATIONAL_ADMIN: _ADMIN,
    # The supervisor reads figures and the audit trail, never a person's record.
    Role.SUPERVISOR: {REPORTS: READ, AUDIT: READ, STATIONS: READ},
    Role.FAMILY: {PORTAL: WRITE},
    # A partner system signs in only for its alert subscriptions (webhooks).
    Role.PARTNER: {},
}


def can(user: User, section: str, level: str = READ) -> bool:
    """Whether `user`'s role grants `level` on `section` (a superuser: everything)."""
    if not user.is_authenticated or not user.is_active:
        return section == PUBLIC
    if section in (PUBLIC, SIGNED_IN):
        return True
    if user.is_superuser:
        return True
    if section == STAFF:
        return user.role not in (Role.FAMILY, Role.PARTNER)
    granted = ACCESS.get(user.role, {}).get(section)
    return granted == WRITE or (granted == READ and level == READ)


@dataclass(frozen=True)
class Rule:
    """A route's section; `write` says whether it changes records: None means by method
    (GET and HEAD read, the rest write), True or False whatever the method."""

    section: str
    write: bool | None = None
    public_read: bool = False  # anyone may read it (the shelter points' page); writing is not

    def level(self, method: str) -> str:
        if self.write is None:
            return READ if method in ("GET", "HEAD", "OPTIONS") else WRITE
        return WRITE if self.write else READ


_R = Rule

# Every route by its URL name (namespace:name). Pages first, then the API's operations.
ROUTES: dict[str, Rule] = {
    # The shell
    "dashboard": _R(SIGNED_IN),  # a family is sent on to the portal
    "login": _R(PUBLIC),
    "logout": _R(PUBLIC),
    "set_language": _R(PUBLIC),
    "section": _R(STAFF),
    "account-tokens": _R(STAFF),
    "station-list": _R(STATIONS),
    "station-detail": _R(STATIONS),
    "audit-list": _R(AUDIT),
    "job-failures": _R(JOBS),
    # Personal information: the retention table, exports and erasures on request
    "privacy:home": _R(PRIVACY, write=False),
    "privacy:report-export": _R(PRIVACY, write=False),
    "privacy:report-erase": _R(PRIVACY, write=True),  # even its form: only who may erase
    "privacy:person-export": _R(PRIVACY, write=False),
    "privacy:person-erase": _R(PRIVACY, write=True),
    # Intake and care
    "cases:stay-list": _R(CASES),
    "cases:intake": _R(CASES),
    "cases:earlier": _R(CASES, write=False),  # a lookup, sent by POST for the photo
    "cases:night": _R(CASES),
    "cases:stay-detail": _R(CASES),
    "cases:stay-exit": _R(CASES),
    "cases:settlement": _R(CASES),
    "cases:outsourced": _R(CASES),
    "cases:transfer-receive": _R(CASES),
    "cases:person-detail": _R(CASES),
    "cases:person-photo": _R(CASES, write=False),
    "cases:registration-form": _R(CASES, write=False),
    "cases:handover-sheet": _R(CASES, write=False),
    "cases:person-photo-one": _R(CASES, write=False),
    "cases:person-photo-add": _R(CASES),
    "cases:person-edit": _R(CASES),
    "dispatch:drafts": _R(CASES),  # what teams saw, waiting at the intake desk
    # Family tracing
    "tracing:home": _R(TRACING),
    "tracing:report-new": _R(TRACING),
    "tracing:report-detail": _R(TRACING),
    "tracing:report-photo": _R(TRACING, write=False),
    "tracing:candidate-detail": _R(TRACING),
    "tracing:reunion-detail": _R(TRACING),
    "tracing:person": _R(TRACING),
    # Rescue command
    "dispatch:center": _R(DISPATCH),
    "dispatch:board": _R(DISPATCH),
    "dispatch:map-data": _R(DISPATCH),
    "dispatch:new": _R(DISPATCH),
    "dispatch:incident": _R(DISPATCH),
    "dispatch:team": _R(TEAM),
    "dispatch:public-report": _R(PUBLIC),
    # Campaigns
    "campaigns:list": _R(CAMPAIGNS),
    "campaigns:detail": _R(CAMPAIGNS),
    "campaigns:shelters": _R(CAMPAIGNS, public_read=True),
    # Figures and supervision
    "reports:dashboard": _R(REPORTS),
    "reports:export": _R(REPORTS, write=False),
    "reports:supervision": _R(REPORTS),
    "reports:complaint-handle": _R(REPORTS),
    "reports:safety": _R(REPORTS),
    "reports:safety-check": _R(REPORTS),
    "reports:overdue": _R(REPORTS),
    # The public portal
    "portal:notices": _R(PUBLIC),
    "portal:notice": _R(PUBLIC),  # a tip from anyone
    "portal:notice-photo": _R(PUBLIC),
    "portal:notice-poster": _R(PUBLIC),
    "portal:signup": _R(PUBLIC),
    "portal:verify": _R(PUBLIC),  # after sign-up, before signing in; checks its own session
    "portal:reset": _R(PUBLIC),  # a forgotten password: a code to the phone
    "portal:reset-code": _R(PUBLIC),  # checks its own session, like verify
    "portal:phone": _R(PORTAL),
    "portal:report": _R(PORTAL),
    "portal:me": _R(PORTAL),
    "portal:my-report": _R(PORTAL),
    "portal:my-report-data": _R(PORTAL, write=False),
    "portal:my-report-erase": _R(PORTAL),
    "portal:alerts": _R(SIGNED_IN),
    "portal:alerts-unsubscribe": _R(PUBLIC),  # the signed link in every alert
    # The API
    "api:api-root": _R(PUBLIC),
    "api:openapi-json": _R(PUBLIC),
    "api:openapi-view": _R(PUBLIC),
    "api:me": _R(SIGNED_IN),
    "api:search": _R(PUBLIC),  # divisions are public data: the portal's forms suggest them
    "api:parse": _R(PUBLIC),
    "api:get": _R(STAFF),
    "api:children": _R(STAFF),
    "api:list_stations": _R(STATIONS),
    "api:get_station": _R(STATIONS),
    "api:list_stays": _R(CASES),
    "api:get_stay": _R(CASES),
    "api:intake": _R(CASES),
    "api:exit_stay": _R(CASES),
    "api:webhook": _R(PUBLIC),  # partners sign each request (dispatch.services.webhooks)
    "api:list_incidents": _R(DISPATCH),
    "api:get_incident": _R(DISPATCH),
    "api:team_position": _R(TEAM),
    "api:post_warning": _R(CAMPAIGNS),
    "api:list_shelters": _R(PUBLIC),  # open shelter points, as on the portal
    "api:list_reports": _R(TRACING),
    "api:file_report": _R(TRACING),
    "api:get_report": _R(TRACING),
    "api:review_queue": _R(TRACING),
    "api:list_notices": _R(PUBLIC),
    "api:get_notice": _R(PUBLIC),
    "api:figures": _R(REPORTS),
}

# Namespaces that check access themselves: Django's admin lets in staff accounts only.
DELEGATED = frozenset({"admin"})


def route_rule(route: str, method: str, path: str = "") -> Rule | None:
    """The rule of a resolved route; None for a route nobody declared.

    Two API operations share one URL with another method (GET lists, POST files): their
    names are the operation names, so they are told apart by method here.
    """
    if route == "api:list_reports" and method == "POST":
        return ROUTES["api:file_report"]
    return ROUTES.get(route)


def route_allowed(user: User, route: str, method: str) -> bool:
    """Whether `user` may call `route` with `method`; refused for an undeclared route."""
    rule = route_rule(route, method)
    if rule is None:
        return False
    level = rule.level(method)
    return (rule.public_read and level == READ) or can(user, rule.section, level)


def route_section(route: str, method: str) -> tuple[str, str] | None:
    """(section, level) of a route and method, for tokens' scopes."""
    rule = route_rule(route, method)
    return None if rule is None else (rule.section, rule.level(method))
