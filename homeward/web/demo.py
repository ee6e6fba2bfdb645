"""Demo data for the embedded product: stations in five provinces and a user for every role.

Loading is idempotent: run it as often as you like, it only adds what is missing.
The addresses and telephone numbers are made up for the demo.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from homeward.accounts.models import Role, User
from homeward.accounts.services import user_create
from homeward.regions.models import Division
from homeward.stations.models import Room, Station
from homeward.stations.services import room_create, station_create

DEMO_PASSWORD = "homeward-demo"


@dataclass(frozen=True)
class DemoStation:
    key: str
    name: str
    level: str
    division: str
    address: str
    point: tuple[float, float]
    phone: str
    capacity: int


STATIONS = [
    DemoStation(
        "suzhou",
        "苏州市救助管理站",
        "city",
        "320508",
        "苏州市姑苏区示例路1号",
        (31.3117, 120.6176),
        "0512-6500-0000",
        120,
    ),
    DemoStation(
        "kunshan",
        "昆山市救助管理站",
        "county",
        "320583",
        "昆山市玉山镇示例路8号",
        (31.3856, 120.9808),
        "0512-5700-0000",
        40,
    ),
    DemoStation(
        "hangzhou",
        "杭州市救助管理站",
        "city",
        "330105",
        "杭州市拱墅区示例路2号",
        (30.3197, 120.1419),
        "0571-8800-0000",
        150,
    ),
    DemoStation(
        "langfang",
        "廊坊市救助管理站",
        "city",
        "131003",
        "廊坊市广阳区示例路3号",
        (39.5238, 116.7130),
        "0316-2100-0000",
        80,
    ),
    DemoStation(
        "binzhou",
        "滨州市救助管理站",
        "city",
        "371602",
        "滨州市滨城区示例路4号",
        (37.3845, 118.0202),
        "0543-3100-0000",
        60,
    ),
    DemoStation(
        "guangzhou",
        "广州市救助管理站",
        "city",
        "440111",
        "广州市白云区示例路5号",
        (23.1579, 113.2733),
        "020-8600-0000",
        300,
    ),
]

# (room name, kind, beds) for every demo station; minors are kept apart.
ROOMS = [
    ("101", Room.Kind.MEN, 6),
    ("102", Room.Kind.MEN, 6),
    ("201", Room.Kind.WOMEN, 6),
    ("301", Room.Kind.MINORS, 4),
    ("401", Room.Kind.MEDICAL, 2),
]


DEMO_FAMILY_PHONE = "13800138000"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    station: str | None = None
    division: str | None = None
    name: str = ""
    phone: str = ""


USERS = [
    DemoUser("suzhou.intake", Role.INTAKE, "suzhou", name="苏州 接收登记员"),
    DemoUser("suzhou.caseworker", Role.CASEWORKER, "suzhou", name="苏州 个案社工"),
    DemoUser("suzhou.tracing", Role.TRACING_OFFICER, "suzhou", name="苏州 寻亲专员"),
    DemoUser("suzhou.head", Role.STATION_HEAD, "suzhou", name="苏州 站长"),
    DemoUser("suzhou.dispatcher", Role.DISPATCHER, "suzhou", name="苏州 指挥调度员"),
    DemoUser("suzhou.street", Role.STREET_TEAM, "suzhou", name="苏州 街面救助队员"),
    DemoUser("kunshan.head", Role.STATION_HEAD, "kunshan", name="昆山 站长"),
    DemoUser("hangzhou.head", Role.STATION_HEAD, "hangzhou", name="杭州 站长"),
    DemoUser("langfang.head", Role.STATION_HEAD, "langfang", name="廊坊 站长"),
    DemoUser("binzhou.head", Role.STATION_HEAD, "binzhou", name="滨州 站长"),
    DemoUser("guangzhou.head", Role.STATION_HEAD, "guangzhou", name="广州 站长"),
    DemoUser("kunshan.admin", Role.COUNTY_ADMIN, division="320583", name="昆山市民政局"),
    DemoUser("suzhou.admin", Role.CITY_ADMIN, division="320500", name="苏州市民政局"),
    DemoUser("jiangsu.admin", Role.PROVINCE_ADMIN, division="320000", name="江苏省民政厅"),
    DemoUser("national.admin", Role.NATIONAL_ADMIN, name="民政部"),
    DemoUser("jiangsu.supervisor", Role.SUPERVISOR, division="320000", name="江苏 第三方监督员"),
    # A family account whose number is verified, so the demo files and follows a report;
    # its codes go to the outbox under var/ (common.senders.FileSender).
    DemoUser("family.demo", Role.FAMILY, name="寻亲家属", phone=DEMO_FAMILY_PHONE),
    DemoUser("partner.demo", Role.PARTNER, name="市民政局预警平台"),
]


@transaction.atomic
def demo_refusal() -> str | None:
    """Why the demo must not go into this database, or None.

    Every demo account has the published password and the demo national administrator is
    a superuser: they belong in the embedded demo database only, never in a database that
    holds a station's real records.
    """
    if connection.vendor != "sqlite":
        return (
            f"This is a {connection.vendor} database, not the embedded demo: the demo's "
            "accounts share a published password."
        )
    demo_users = {spec.username for spec in USERS}
    demo_stations = {spec.name for spec in STATIONS}
    if (
        User.objects.exclude(username__in=demo_users).exists()
        or Station.objects.exclude(name__in=demo_stations).exists()
    ):
        return "This database holds records that are not the demo's."
    return None


def demo_load() -> dict[str, int]:
    """Create whatever of the demo set is missing; returns counts of what was added."""
    added = {"stations": 0, "users": 0, "stays": 0}
    stations: dict[str, Station] = {}
    for spec in STATIONS:
        station = Station.objects.filter(name=spec.name).first()
        if station is None:
            station = station_create(
                name=spec.name,
                level=spec.level,
                division=Division.objects.get(code=spec.division),
                address=spec.address,
                latitude=spec.point[0],
                longitude=spec.point[1],
                phone_24h=spec.phone,
                bed_capacity=spec.capacity,
            )
            for name, kind, beds in ROOMS:
                room_create(station=station, name=name, kind=kind, beds=beds)
            added["stations"] += 1
        stations[spec.key] = station
    for spec in USERS:
        if User.objects.filter(username=spec.username).exists():
            if spec.phone:  # a demo loaded before its family had a number
                User.objects.filter(username=spec.username, phone="").update(
                    phone=spec.phone, phone_verified=True
                )
            continue
        user = user_create(
            username=spec.username,
            password=DEMO_PASSWORD,
            role=spec.role,
            station=stations[spec.station] if spec.station else None,
            division=Division.objects.get(code=spec.division) if spec.division else None,
            display_name=spec.name,
            phone=spec.phone,
        )
        if spec.phone:
            User.objects.filter(pk=user.pk).update(phone_verified=True)
        if spec.role == Role.NATIONAL_ADMIN:
            # The demo's national administrator also runs the Django admin.
            User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
        added["users"] += 1
    from homeward.cases.demo import cases_demo_load

    added["stays"] = cases_demo_load()
    from homeward.campaigns.demo import campaigns_demo_load
    from homeward.dispatch.demo import dispatch_demo_load

    dispatch_demo_load()
    campaigns_demo_load()
    from homeward.tracing.demo import tracing_demo_load

    tracing_demo_load()
    return added


def demo_logins() -> list[tuple[str, str]]:
    """(user name, what the account is) for the start-up banner."""
    return [(u.username, f"{Role(u.role).label} {u.name}") for u in USERS]
