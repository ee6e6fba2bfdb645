"""The access matrix: every page and API operation, tried by every role, against an object
in the role's scope and one outside it, answers as `access_matrix.tsv` says.

The table is kept in the repository and read by people: a change of who may see what
shows up as a changed line in review. A route missing from the table, or a row of the
table whose route is gone, fails the test. Apart from the table, the answers must agree
with the permission map (accounts/access.py): what the map refuses is a 403 (a 401 or
the sign-in page when anonymous), and no one but the national level reads an object of
another area.

To rewrite the table after a deliberate change:
    HOMEWARD_WRITE_ACCESS_MATRIX=1 .venv/bin/pytest tests/security/test_access_matrix.py
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from homeward.accounts.access import PUBLIC, route_allowed, route_rule
from homeward.accounts.models import Role
from homeward.campaigns.models import Campaign
from homeward.campaigns.services import WarningData, warning_record
from homeward.cases.models import PersonPhoto
from homeward.cases.services import ExitData, stay_exit
from homeward.dispatch.services import Report, incident_open, team_create
from homeward.regions.models import Division
from homeward.reports.models import Complaint
from homeward.stations.models import SafetyCheck
from homeward.tracing.models import Candidate, Notice, ReportPhoto, Reunion
from homeward.tracing.services import notices_sync
from tests.cases.conftest import admit
from tests.conftest import make_station, make_user
from tests.tracing.conftest import staff_report

TABLE = Path(__file__).with_name("access_matrix.tsv")

# Every role, scoped so that Suzhou's objects are in scope and Guangzhou's are not.
USERS = [
    ("anonymous", None, None, None),
    ("intake", Role.INTAKE, "sz", None),
    ("caseworker", Role.CASEWORKER, "sz", None),
    ("tracing", Role.TRACING_OFFICER, "sz", None),
    ("head", Role.STATION_HEAD, "sz", None),
    ("dispatcher", Role.DISPATCHER, "sz", None),
    ("street", Role.STREET_TEAM, "sz", None),
    ("county", Role.COUNTY_ADMIN, None, "320508"),
    ("city", Role.CITY_ADMIN, None, "320500"),
    ("province", Role.PROVINCE_ADMIN, None, "320000"),
    ("national", Role.NATIONAL_ADMIN, None, None),
    ("supervisor", Role.SUPERVISOR, None, "320000"),
    ("family", Role.FAMILY, None, None),
    ("partner", Role.PARTNER, None, None),
]
NAMES = [name for name, *_rest in USERS]


@dataclass
class Side:
    station: object
    stay: object
    transfer: object
    report: object
    candidate: object
    reunion: object
    incident: object
    team: object
    campaign: object
    complaint: object
    check: object
    notice: object
    report_photo: object
    person_photo: object
    handed_over: object


def _side(station, code: str, tag: str, hazard: str) -> Side:
    desk = make_user(f"{tag}.desk", Role.INTAKE, station=station)
    tracer = make_user(f"{tag}.tracer", Role.TRACING_OFFICER, station=station)
    dispatcher = make_user(f"{tag}.dispatcher", Role.DISPATCHER, station=station)
    division = Division.objects.get(code=code)
    stay = admit(station, desk, name="")
    # A person on their way here from a neighbouring station: the transfer to receive.
    away = make_station(f"{tag}邻站", code)
    away_desk = make_user(f"{tag}.away", Role.INTAKE, station=away)
    moving = admit(away, away_desk, name="转站人")
    transfer = stay_exit(
        stay=moving, data=ExitData(kind="transferred", to_station=station), by=away_desk
    )
    report = staff_report(tracer, name=f"{tag}报告")
    # A stay of this station that ended in a hand-over (its hand-over sheet).
    gone = admit(station, desk, name="已送医")
    stay_exit(stay=gone, data=ExitData(kind="hospital", hospital="市立医院"), by=desk)
    person_photo = PersonPhoto.objects.create(
        person=stay.person, image=ContentFile(_jpeg(), name="face.jpg")
    )
    report_photo = ReportPhoto.objects.create(
        report=report, image=ContentFile(_jpeg(), name="r.jpg"), taken_year=2020
    )
    candidate = Candidate.objects.create(
        person=stay.person, report=report, station=station, posterior=0.5, log10_total=1
    )
    met = admit(station, desk, name="团聚人")
    reunion = Reunion.objects.create(
        candidate=Candidate.objects.create(
            person=met.person,
            report=staff_report(tracer, name=f"{tag}寻人"),
            station=station,
            status="confirmed",
            posterior=0.99,
            log10_total=6,
        ),
        stay=met,
        channel="face",
        confirmed_by=tracer,
    )
    incident = incident_open(
        station=station,
        report=Report(
            channel="hotline",
            description="桥下有人",
            division=division,
            latitude=division.latitude,
            longitude=division.longitude,
        ),
        by=dispatcher,
    )
    team = team_create(station=station, name=f"{tag}一组", base=division.point, by=dispatcher)
    now = timezone.now()
    warning = warning_record(
        data=WarningData(
            hazard=hazard,
            level="red",
            divisions=[division],
            valid_from=now - timedelta(hours=1),
            valid_until=now + timedelta(days=1),
        ),
        by=None,
    )
    complaint = Complaint.objects.create(
        station=station, received_on=date(2026, 1, 5), source="phone", summary="饭菜太凉"
    )
    check = SafetyCheck.objects.create(
        station=station, area="fire", due_on=date(2026, 1, 1), every_days=30
    )
    type(stay).objects.filter(pk=stay.pk).update(admitted_at=now - timedelta(days=3))
    notices_sync()
    return Side(
        station=station,
        stay=stay,
        transfer=transfer,
        report=report,
        candidate=candidate,
        reunion=reunion,
        incident=incident,
        team=team,
        campaign=Campaign.objects.get(warning=warning),
        complaint=complaint,
        check=check,
        notice=Notice.objects.get(stay=stay),
        report_photo=report_photo,
        person_photo=person_photo,
        handed_over=gone,
    )


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 50), (120, 90, 80)).save(out, "JPEG")
    return out.getvalue()


# How each route's parameters are filled from one side of the world.
FILL = {
    "station-detail": lambda w: {"pk": w.station.pk},
    "cases:stay-detail": lambda w: {"pk": w.stay.pk},
    "cases:stay-exit": lambda w: {"pk": w.stay.pk},
    "cases:settlement": lambda w: {"pk": w.stay.pk},
    "cases:registration-form": lambda w: {"pk": w.stay.pk},
    "cases:handover-sheet": lambda w: {"pk": w.handed_over.pk},
    "cases:outsourced": lambda w: {"pk": w.stay.pk},
    "cases:transfer-receive": lambda w: {"pk": w.transfer.pk},
    "cases:person-detail": lambda w: {"pk": w.stay.person_id},
    "cases:person-photo": lambda w: {"pk": w.stay.person_id},
    "cases:person-photo-one": lambda w: {"pk": w.stay.person_id, "photo": w.person_photo.pk},
    "cases:person-photo-add": lambda w: {"pk": w.stay.person_id},
    "cases:person-edit": lambda w: {"pk": w.stay.person_id},
    "tracing:report-photo": lambda w: {"pk": w.report.pk, "photo": w.report_photo.pk},
    "tracing:report-detail": lambda w: {"pk": w.report.pk},
    "tracing:candidate-detail": lambda w: {"pk": w.candidate.pk},
    "tracing:reunion-detail": lambda w: {"pk": w.reunion.pk},
    "tracing:person": lambda w: {"pk": w.stay.person_id},
    "dispatch:incident": lambda w: {"pk": w.incident.pk},
    "campaigns:detail": lambda w: {"pk": w.campaign.pk},
    "reports:complaint-handle": lambda w: {"pk": w.complaint.pk},
    "reports:safety-check": lambda w: {"pk": w.check.pk},
    "portal:notice": lambda w: {"public_id": w.notice.public_id},
    "portal:notice-photo": lambda w: {"public_id": w.notice.public_id},
    "portal:notice-poster": lambda w: {"public_id": w.notice.public_id},
    "portal:my-report": lambda w: {"public_id": w.report.public_id},
    "portal:my-report-data": lambda w: {"public_id": w.report.public_id},
    "portal:my-report-erase": lambda w: {"public_id": w.report.public_id},
    "privacy:report-export": lambda w: {"pk": w.report.pk},
    "privacy:report-erase": lambda w: {"pk": w.report.pk},
    "privacy:person-export": lambda w: {"pk": w.stay.person_id},
    "privacy:person-erase": lambda w: {"pk": w.stay.person_id},
    "api:get_station": lambda w: {"station_id": w.station.pk},
    "api:get_stay": lambda w: {"stay_id": w.stay.pk},
    "api:exit_stay": lambda w: {"stay_id": w.stay.pk},
    "api:get_incident": lambda w: {"incident_id": w.incident.pk},
    "api:team_position": lambda w: {"team_id": w.team.pk},
    "api:get_report": lambda w: {"report_id": w.report.pk},
    "api:get_notice": lambda w: {"public_id": w.notice.public_id},
}
# Parameters that are not objects of one side.
FIXED = {
    "section": {"key": "cases"},
    "reports:export": {"fmt": "csv"},
    "portal:alerts-unsubscribe": {"token": "not-a-token"},
    "api:get": {"code": "320500"},
    "api:children": {"code": "320500"},
}
# Not tried: signing in and out and the language switch change the session itself.
SKIPPED = {"login", "logout", "set_language"}


def routes() -> list[tuple[str, str]]:
    """(name, pattern) of every route but the admin's, in URL order."""
    found = []

    def walk(resolver, namespace=None):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                walk(entry, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                found.append((name, str(entry.pattern)))

    walk(get_resolver())
    return [(name, pattern) for name, pattern in found if name not in SKIPPED]


def _methods(name: str) -> list[str]:
    rule = route_rule(name, "GET")
    methods = ["GET"]
    if rule is not None and rule.write is not False:
        methods.append("POST")
    return methods


def _request(client: Client, name: str, method: str, kwargs: dict) -> int:
    url = reverse(name, kwargs=kwargs)
    api = name.startswith("api:")
    # Each request's writes are undone, so that every cell sees the same world.
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif api:
            response = client.post(url, "{}", content_type="application/json")
        else:
            response = client.post(url, {})
        transaction.set_rollback(True)
    return response.status_code


@pytest.fixture
def world(db, settings):
    settings.WEBHOOK_RESOLVER = "socket.getaddrinfo"
    sz = _side(make_station("苏州矩阵站", "320508"), "320508", "sz", "cold_wave")
    gz = _side(make_station("广州矩阵站", "440103"), "440103", "gz", "heat")
    clients = {}
    for name, role, station, division in USERS:
        client = Client(raise_request_exception=False)
        if role is not None:
            user = make_user(
                f"m.{name}",
                role,
                station=sz.station if station else None,
                division=division,
            )
            if role == Role.NATIONAL_ADMIN:
                user.is_staff = True
                user.save()
            client.force_login(user)
        clients[name] = client
    return {"in": sz, "out": gz}, clients


_MEASURED: list[list[str]] = []


def measure(world) -> list[list[str]]:
    """Every route's answer to every user, in and out of their scope. Each test builds the
    same world, so the answers are measured once per run and read by both tests that
    need all of them (about 50 s each time)."""
    if not _MEASURED:
        _MEASURED.extend(_measure(world))
    return [list(row) for row in _MEASURED]


def _measure(world) -> list[list[str]]:
    sides, clients = world
    rows = []
    for name, _pattern in routes():
        for method in _methods(name):
            if name in FILL:
                scopes = [("in", FILL[name](sides["in"])), ("out", FILL[name](sides["out"]))]
            else:
                scopes = [("-", FIXED.get(name, {}))]
            for scope, kwargs in scopes:
                codes = [str(_request(clients[user], name, method, kwargs)) for user in NAMES]
                rows.append([name, method, scope, *codes])
    return rows


def _read_table() -> list[list[str]]:
    lines = TABLE.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines[1:] if line and not line.startswith("#")]


@pytest.mark.django_db
def test_every_route_answers_every_role_as_the_table_says(world):
    rows = measure(world)
    if os.environ.get("HOMEWARD_WRITE_ACCESS_MATRIX"):
        header = "\t".join(["route", "method", "scope", *NAMES])
        TABLE.write_text(
            header + "\n" + "\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8"
        )
    measured = {tuple(r[:3]): r[3:] for r in rows}
    table = {tuple(r[:3]): r[3:] for r in _read_table()}
    missing = sorted(set(measured) - set(table))
    gone = sorted(set(table) - set(measured))
    assert missing == [], f"routes missing from {TABLE.name}: {missing}"
    assert gone == [], f"rows of {TABLE.name} whose route is gone: {gone}"
    differ = {
        key: {
            user: (table[key][i], got)
            for i, (user, got) in enumerate(zip(NAMES, codes, strict=True))
            if table[key][i] != got
        }
        for key, codes in measured.items()
        if codes != table[key]
    }
    assert differ == {}, json.dumps({" ".join(k): v for k, v in differ.items()}, indent=1)


@pytest.mark.django_db
def test_the_answers_follow_the_permission_map(world):
    sides, clients = world
    users = {name: clients[name].session.get("_auth_user_id") for name in NAMES}
    from homeward.accounts.models import User

    problems = []
    for name, method, scope, *codes in measure(world):
        rule = route_rule(name, method)
        assert rule is not None, f"{name} is not in accounts/access.py ROUTES"
        for user_name, code in zip(NAMES, codes, strict=True):
            user = User.objects.get(pk=users[user_name]) if users[user_name] else None
            from django.contrib.auth.models import AnonymousUser

            allowed = route_allowed(user or AnonymousUser(), name, method)
            code = int(code)
            if code == 405:  # the route has no such method: refused before anything
                continue
            if not allowed:
                refused = (302, 401) if user is None else (403,)
                if code not in refused:
                    problems.append(f"{method} {name} ({scope}) by {user_name}: {code}")
            elif (
                scope == "out"
                and rule.section != PUBLIC
                and not rule.public_read
                and user_name != "national"
                and code in (200, 201)
            ):
                problems.append(f"{method} {name} ({scope}) by {user_name}: {code} out of scope")
    assert problems == []


@pytest.mark.django_db
def test_the_supervisor_never_reads_a_persons_record(world):
    sides, clients = world
    person_routes = [n for n, _p in routes() if n.split(":")[0] in ("cases", "tracing")]
    person_routes += ["api:list_stays", "api:get_stay", "api:list_reports", "api:get_report"]
    for name in person_routes:
        kwargs = FILL[name](sides["in"]) if name in FILL else FIXED.get(name, {})
        assert _request(clients["supervisor"], name, "GET", kwargs) == 403, name
