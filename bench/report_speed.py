"""Time to compute the national yearly report (every figure, last year's headline, the
drill-down to provinces) over a synthetic year of stays.

    python bench/report_speed.py                      # 100,000 stays, SQLite in a temp dir
    python bench/report_speed.py --stays 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/homeward_bench   # PostgreSQL

The PostgreSQL database is dropped and created again, unless `--reuse` keeps the data
of an earlier run with the same `--stays` (SQLite: `--reuse-dir` names its folder);
`--repeat 0` only makes the data. Goals: under 1 s on SQLite at 100,000 stays, under
2 s on PostgreSQL at 1,000,000. Every figure is printed with
the command that made it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Shanghai")
PROVINCE_CITIES = ["320500", "330100", "131000", "371600", "440100", "420100", "510100", "610100"]


def setup(args) -> None:
    if args.database_url:
        import psycopg

        base, name = args.database_url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not (args.reuse and exists):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = args.database_url
    else:
        kept = args.reuse_dir if args.reuse else ""
        os.environ["HOMEWARD_VAR_DIR"] = kept or tempfile.mkdtemp(prefix="homeward-bench-")
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def populate(n: int, seed: int) -> None:
    """`n` stays over two years at 64 stations in 8 provinces, with exits, reunions,
    settlements, notices and beds in the proportions of a real year."""
    from homeward.accounts.models import Role, User
    from homeward.cases.models import BedAssignment, Exit, Person, Settlement, Stay
    from homeward.regions.models import Division
    from homeward.stations.models import Bed, Room, Station
    from homeward.tracing.models import Candidate, MissingReport, Notice, Reunion

    rng = random.Random(seed)
    counties = []
    for city in PROVINCE_CITIES:
        counties += list(Division.objects.filter(parent_id=city).order_by("code")[:8])
    stations = Station.objects.bulk_create(
        Station(
            name=f"bench-{d.code}",
            level="county",
            division=d,
            address=d.name,
            latitude=d.latitude,
            longitude=d.longitude,
            phone_24h="0",
            bed_capacity=60,
        )
        for d in counties
    )
    rooms = Room.objects.bulk_create(Room(station=s, name="1", kind="men") for s in stations)
    Bed.objects.bulk_create(Bed(room=r, label=str(i)) for r in rooms for i in range(60))
    beds = {s.pk: list(Bed.objects.filter(room__station=s)) for s in stations}
    officer = User.objects.create(username="bench", role=Role.NATIONAL_ADMIN)
    start = datetime(2023, 1, 1, tzinfo=ZONE)
    span = (datetime(2025, 1, 1, tzinfo=ZONE) - start).total_seconds()
    people = Person.objects.bulk_create(
        (
            Person(
                sex=rng.choice("MMMFU"),
                birth_date=datetime(rng.randint(1940, 2015), 1, 1).date(),
                conditions=rng.choice([[], [], ["dementia"], ["mental_illness"]]),
            )
            for _ in range(n)
        ),
        batch_size=5000,
    )
    stays, exits = [], []
    for i, p in enumerate(people):
        admitted = start + timedelta(seconds=rng.random() * span)
        days = rng.choice([1, 2, 3, 5, 8, 12, 40, 120]) if rng.random() > 0.01 else None
        exited = admitted + timedelta(days=days) if days else None
        if exited and exited > datetime(2025, 1, 1, tzinfo=ZONE):
            exited = None
        stays.append(
            Stay(
                person=p,
                station=rng.choice(stations),
                number=f"B{i:08d}",
                admitted_at=admitted,
                brought_by=rng.choice(Stay.BroughtBy.values),
                is_minor=p.birth_date.year > 2006,
                **p.report_facts(),  # as Stay.save copies them (bulk_create does not)
                status="exited" if exited else "in_station",
                exited_at=exited,
            )
        )
    Stay.objects.bulk_create(stays, batch_size=5000)
    for s in stays:
        if s.exited_at:
            kind = rng.choice(["returned_home"] * 6 + ["handed_to_family", "transferred", "placed"])
            exits.append(Exit(stay=s, kind=kind, at=s.exited_at))
    Exit.objects.bulk_create(exits, batch_size=5000)
    handed = [e.stay for e in exits if e.kind == "handed_to_family"]
    reports = MissingReport.objects.bulk_create(
        (
            MissingReport(
                channel="staff", name="x", contact_name="x", contact_relation="x", contact_phone="1"
            )
            for _ in handed
        ),
        batch_size=5000,
    )
    candidates = Candidate.objects.bulk_create(
        (
            Candidate(person=s.person, report=r, station=s.station, posterior=0.9, log10_total=3)
            for s, r in zip(handed, reports, strict=True)
        ),
        batch_size=5000,
    )
    Reunion.objects.bulk_create(
        (
            Reunion(
                candidate=c,
                stay=s,
                channel=rng.choice(Reunion.Channel.values),
                confirmed_by=officer,
                completed_at=s.exited_at,
            )
            for s, c in zip(handed, candidates, strict=True)
        ),
        batch_size=5000,
    )
    placed = [e.stay for e in exits if e.kind == "placed"]
    Settlement.objects.bulk_create(
        (
            Settlement(
                person=s.person,
                station=s.station,
                placed_on=s.exited_at.date(),
                hukou_registered_on=(s.exited_at + timedelta(days=60)).date(),
            )
            for s in placed
        ),
        batch_size=5000,
    )
    long = [s for s in stays if not s.exited_at or (s.exited_at - s.admitted_at).days > 30]
    Notice.objects.bulk_create(
        (
            Notice(
                stay=s,
                due_at=s.admitted_at + timedelta(days=1),
                published_at=s.admitted_at + timedelta(days=1),
                sex="M",
                station_name="x",
                station_phone="0",
            )
            for s in long
        ),
        batch_size=5000,
    )
    present = [s for s in stays if s.exited_at is None]
    used: dict[int, int] = {}
    assignments = []
    for s in present:
        k = used.get(s.station_id, 0)
        if k < 60:
            assignments.append(
                BedAssignment(stay=s, bed=beds[s.station_id][k], since=s.admitted_at)
            )
            used[s.station_id] = k + 1
    BedAssignment.objects.bulk_create(assignments, batch_size=5000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stays", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data of an earlier run if it is there"
    )
    parser.add_argument("--reuse-dir", default="", help="SQLite: the folder of an earlier run")
    args = parser.parse_args()
    command = "python bench/report_speed.py " + " ".join(sys.argv[1:])
    setup(args)
    from django.db import connection

    from homeward.cases.models import Stay

    t0 = time.perf_counter()
    made = "kept from an earlier run"
    have = Stay.objects.count() if args.reuse else 0
    if have and have != args.stays:
        print(f"the kept database has {have:,} stays, not {args.stays:,}", file=sys.stderr)
        return 2
    if not have:
        populate(args.stays, args.seed)
        made = f"made in {time.perf_counter() - t0:.1f} s"
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            # As autovacuum leaves a table: statistics, and the visibility map that lets
            # the covering indexes answer without reading the table.
            c.execute("VACUUM ANALYZE")
    print(f"$ {command}")
    where = "" if connection.vendor != "sqlite" else f" in {os.environ['HOMEWARD_VAR_DIR']}"
    print(f"database: {connection.vendor}{where}; {args.stays:,} stays {made}")
    if args.repeat == 0:
        return 0

    from homeward.accounts.models import User
    from homeward.reports import drilldown
    from homeward.reports import selectors as s
    from homeward.reports.report import build
    from homeward.reports.scope import Period, nation

    user = User.objects.get(username="bench")
    scope, period = nation(), Period.year(2024)
    now = datetime(2025, 3, 1, tzinfo=ZONE)
    build(user, scope, period, now=now)  # warm the caches once
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        report = build(user, scope, period, now=now)
        times.append(time.perf_counter() - t)
    print(
        f"national yearly report (all figures, last year's headline, provinces): "
        f"median {statistics.median(times):.3f} s, best {min(times):.3f} s "
        f"over {args.repeat} runs; person-times {report.intake.person_times:,}, "
        f"reunions {report.reunions.total:,}"
    )
    figures = {
        "intake": lambda: s.intake(user, scope, period),
        "outreach": lambda: s.outreach(user, scope, period),
        "reunions": lambda: s.reunions(user, scope, period),
        "exits": lambda: s.exits(user, scope, period),
        "settlements": lambda: s.settlements(user, scope, period),
        "retention": lambda: s.retention(user, scope, period, now),
        "outsourced": lambda: s.outsourced(user, scope, period, now),
        "bed_use": lambda: s.bed_use(user, scope, period, now),
        "notices": lambda: s.notices(user, scope, period, now),
        "alerts_sent": lambda: s.alerts_sent(user, scope, period),
        "campaigns": lambda: s.campaigns(user, scope, period),
        "breakdown": lambda: drilldown.breakdown(user, scope, period, now),
    }
    for name, fn in figures.items():
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t)
        print(f"  {name:<12} {statistics.median(runs) * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
