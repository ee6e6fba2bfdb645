"""The web app's search path under a steady flow: from a saved report or intake to its
candidates in the review queue, through the real job consumer.

    python bench/app_search.py                                   # 20,000 reports, 2,000 people
    python bench/app_search.py --reports 100000 --people 10000 --minutes 5 \\
        --database-url postgres://postgres@127.0.0.1:5432/homeward_bench

The database (default: a temporary SQLite file; a PostgreSQL database named by
`--database-url` is dropped and made anew) gets the demo's stations and users, then
`--reports` verified reports and `--people` people in a station, written in bulk from a
seeded synthetic world (`matching.world`: names, ages, places, marks, photos' embeddings,
relatives' DNA), and the nightly re-link is run once (it keeps each person's pool,
`services.pools`). Then the real job consumer (`homeward run_huey`, its own process, on the
embedded queue or `--redis-url`) is started and, for `--minutes`, one save a second (every
`1 / --rate` s) goes through the services the web app uses: a new report filed by the
station's tracing officer (`report_file`), then an intake at the desk (`intake_admit`), by
turns. Each is the other side of a person already in the database, so each should bring a
candidate: the time from the save to its first candidate row is what is measured. A save
whose candidate has not come 10 minutes after the flow ends counts as lost.

Prints the fill and the consumer's first build of its table, then the command, the last
line: `p50 X s, p99 Y s`, and before it the peak memory of each process.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BATCH = 5_000
LATE = 600  # default seconds after the flow ends that a candidate may still come


def _environment(args: argparse.Namespace, var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="homeward.settings",
        HOMEWARD_VAR_DIR=str(var),
        DATABASE_URL=args.database_url or f"sqlite:///{var / 'bench.sqlite3'}",
        HUEY_WORKERS=str(args.job_workers),
    )
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    return env


def _fresh_postgres(url: str) -> None:
    """Drop and make the benchmark's PostgreSQL database."""
    import psycopg
    from psycopg import sql

    head, name = url.rsplit("/", 1)
    with psycopg.connect(f"{head}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _fill(world, reports: int, people: int) -> dict:
    """Stations, users, and the world's first `reports` reports and `people` found people,
    in bulk (no signals: the consumer's first job builds its table from the rows)."""
    from django.core.management import call_command
    from django.utils import timezone

    from homeward.accounts.models import User
    from homeward.cases.hwx import intake_from_found
    from homeward.cases.models import Person, Stay
    from homeward.cases.services.intake import _person_learnt
    from homeward.tracing.hwx import report_from_missing
    from homeward.tracing.models import FaceVector, FoundDna, MissingReport, Relative, ReportPhoto
    from homeward.tracing.services.reports import report_build

    call_command("migrate", verbosity=0)
    call_command("load_demo", "--yes-demo", verbosity=0)
    tracer = User.objects.get(username="suzhou.tracing")
    desk = User.objects.get(username="suzhou.intake")
    station = tracer.station
    now = timezone.now()

    for start in range(0, reports, BATCH):
        records = world.missing[start : min(start + BATCH, reports)]
        built, relatives, faces = [], [], []
        for record in records:
            data, kin = report_from_missing(_whole(record), contact="基准", phone="13700000000")
            built.append(
                report_build(
                    data,
                    channel=MissingReport.Channel.STAFF,
                    filed_by=tracer,
                    station=station,
                    status=MissingReport.Status.VERIFIED,
                    verified_by=tracer,
                    verified_at=now,
                    source_ref=f"bench:{record['id']}",
                )
            )
            relatives.append(kin)
            faces.append(record.get("face_embeddings") or [])
        MissingReport.objects.bulk_create(built)
        Relative.objects.bulk_create(
            Relative(
                report=report,
                relation=relation,
                dna_status="entered",
                profile=dna,
                consent="search",
            )
            for report, kin in zip(built, relatives, strict=True)
            for relation, dna in kin
            if dna
        )
        photos = [
            (ReportPhoto(report=report, image="bench/none.jpg"), vector)
            for report, vectors in zip(built, faces, strict=True)
            for vector in vectors
        ]
        ReportPhoto.objects.bulk_create([photo for photo, _ in photos])
        FaceVector.objects.bulk_create(
            FaceVector(
                kind=FaceVector.Kind.MISSING,
                report_photo=photo,
                vector=_vector(vector),
                accepted=True,
                model="bench",
            )
            for photo, vector in photos
        )

    today = timezone.localdate()
    year = today.year - 1  # stay numbers of last year: this year's intakes number from 1
    for start in range(0, people, BATCH):
        records = world.found[start : min(start + BATCH, people)]
        persons, stays = [], []
        for k, record in enumerate(records):
            data = intake_from_found(_whole(record))
            person, _before = _person_learnt(None, data, today)
            persons.append(person)
            stays.append((data, start + k))
        Person.objects.bulk_create(persons)
        Stay.objects.bulk_create(
            Stay(
                person=person,
                station=station,
                number=f"{station.pk:03d}-{year}-{number + 1:07d}",
                admitted_at=now,
                admitted_by=desk,
                brought_by=data.brought_by,
                name_at_intake=data.name,
                age_estimate_min=data.age_estimate_min,
                age_estimate_max=data.age_estimate_max,
                found_at=data.found_at,
                found_precision=data.found_precision,
                found_division=data.found_division,
            )
            for person, (data, number) in zip(persons, stays, strict=True)
        )
        FaceVector.objects.bulk_create(
            FaceVector(
                kind=FaceVector.Kind.FOUND,
                person=person,
                vector=_vector(vector),
                accepted=True,
                model="bench",
            )
            for person, record in zip(persons, records, strict=True)
            for vector in record.get("face_embeddings") or []
        )
        FoundDna.objects.bulk_create(
            FoundDna(person=person, status=FoundDna.Status.ENTERED, profile=record["dna"])
            for person, record in zip(persons, records, strict=True)
            if record.get("dna")
        )
    return {"tracer": tracer, "desk": desk, "station": station}


def _whole(record: dict) -> dict:
    """The world's record as the station's forms take it: heights in whole cm, and only
    the division codes our table of divisions holds (the world draws some it lacks)."""
    from homeward.regions.models import Division

    out = dict(record)
    if out.get("height_cm") is not None:
        out["height_cm"] = round(out["height_cm"])
    for field in ("home_division", "lost_division", "found_division", "dialect_division"):
        code = out.get(field)
        if code and code not in _KNOWN.setdefault("codes", _codes(Division)):
            del out[field]
    return out


_KNOWN: dict = {}


def _codes(division) -> set[str]:  # noqa: ANN001
    return set(division.objects.values_list("code", flat=True))


def _vector(values) -> bytes:
    import numpy as np

    return np.asarray(values, "<f4").tobytes()


class Watch:
    """Saves waiting for their first candidate, polled from the database."""

    def __init__(self) -> None:
        self.waiting: dict[tuple[str, int], float] = {}
        self.took: list[float] = []
        self.kinds: dict[str, list[int]] = {"report": [0, 0], "person": [0, 0]}  # saved, seen
        self.lock = threading.Lock()

    def saved(self, kind: str, pk: int, at: float) -> None:
        with self.lock:
            self.waiting[kind, pk] = at
            self.kinds[kind][0] += 1

    def poll(self) -> None:
        from django.db import connection

        from homeward.tracing.models import Candidate

        with self.lock:
            waiting = dict(self.waiting)
        if not waiting:
            return
        reports = [pk for kind, pk in waiting if kind == "report"]
        people = [pk for kind, pk in waiting if kind == "person"]
        seen = {
            ("report", pk)
            for pk in Candidate.objects.filter(report_id__in=reports).values_list(
                "report_id", flat=True
            )
        }
        seen |= {
            ("person", pk)
            for pk in Candidate.objects.filter(person_id__in=people).values_list(
                "person_id", flat=True
            )
        }
        connection.close()
        now = time.monotonic()
        with self.lock:
            for key in seen:
                at = self.waiting.pop(key, None)
                if at is not None:
                    self.took.append(now - at)
                    self.kinds[key[0]][1] += 1


def _flow(args, world, who, watch: Watch) -> int:
    """One save every 1 / rate seconds for `minutes`: a report for a person in a station,
    then an intake of a person whose report is verified, by turns."""
    from homeward.cases.hwx import intake_from_found
    from homeward.cases.services.intake import intake_admit
    from homeward.tracing.hwx import report_from_missing
    from homeward.tracing.services.reports import report_file

    in_db = {r["id"] for r in world.missing[: args.reports]}
    found_in_db = {f["id"] for f in world.found[: args.people]}
    by_id = {r["id"]: r for r in world.missing}
    pairs = [(f, by_id[world.truth[f["id"]]]) for f in world.found if f["id"] in world.truth]
    # A report filed for a person already in a station (when their report is in already,
    # it is a second one, as families do file twice); an intake of a person whose report is
    # in. Each is taken once, in a shuffled order.
    # The report is filed without photos or DNA (those come later), so the person must
    # have said a name for the names and the rest to be enough evidence.
    filed_for = [(f, m) for f, m in pairs if f["id"] in found_in_db and f.get("name")]
    arriving = [(f, m) for f, m in pairs if f["id"] not in found_in_db and m["id"] in in_db]
    rng = random.Random(5)
    rng.shuffle(filed_for)
    rng.shuffle(arriving)
    print(f"the flow can file {len(filed_for):,} reports and admit {len(arriving):,} people")
    saves = 0
    end = time.monotonic() + args.minutes * 60
    step = 1 / args.rate
    next_at = time.monotonic()
    while time.monotonic() < end:
        time.sleep(max(0.0, next_at - time.monotonic()))
        next_at += step
        if saves % 2 == 0 and filed_for or not arriving:
            if not filed_for:
                break
            _found, missing = filed_for.pop()
            data, _kin = report_from_missing(_whole(missing), contact="家属", phone="13700000001")
            report = report_file(data=data, by=who["tracer"])
            watch.saved("report", report.pk, time.monotonic())
        else:
            found, _missing = arriving.pop()
            stay = intake_admit(
                station=who["station"], data=intake_from_found(_whole(found)), by=who["desk"]
            )
            watch.saved("person", stay.person_id, time.monotonic())
        saves += 1
    return saves


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--minutes", type=float, default=2)
    parser.add_argument("--rate", type=float, default=1.0, help="saves per second")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--late", type=float, default=LATE, help="seconds to wait at the end")
    args = parser.parse_args(argv)

    var = Path(tempfile.mkdtemp(prefix="bench-app-"))
    env = _environment(args, var)
    os.environ.update(env)
    if args.database_url.startswith("postgres"):
        _fresh_postgres(args.database_url)
    import django

    django.setup()
    import psutil
    from huey.contrib.djhuey import HUEY

    from homeward.matching.world import WorldConfig, build_world

    HUEY.immediate = False
    started = time.perf_counter()
    # Half the found people are in the database; the true pairs of the other half arrive.
    world = build_world(
        WorldConfig(
            n_missing=args.reports + args.people // 2,
            n_found=args.people + args.people // 2,
            n_true=args.people // 2,
            seed=args.seed,
        )
    )
    print(f"world: {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    who = _fill(world, args.reports, args.people)
    took = time.perf_counter() - started
    print(f"filled: {args.reports:,} reports, {args.people:,} people in {took:.0f} s")
    sys.stdout.flush()

    consumer = subprocess.Popen(
        [sys.executable, "-m", "homeward.cli", "run_huey", "--workers", str(args.job_workers)],
        cwd=ROOT,
        env=env,
        stdout=open(var / "consumer.log", "w"),  # noqa: SIM115 (closed with the process)
        stderr=subprocess.STDOUT,
    )
    watched = psutil.Process(consumer.pid)
    peak = {"consumer": 0, "this process": 0}
    watch = Watch()
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            with contextlib.suppress(psutil.Error):  # it may be ending
                peak["consumer"] = max(peak["consumer"], watched.memory_info().rss)
            peak["this process"] = max(peak["this process"], psutil.Process().memory_info().rss)
            watch.poll()
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        # The nightly re-link, as every night: each person's pool is kept, which a new
        # report's search folds its pairs into.
        from homeward.tracing.services import relink_all

        started = time.perf_counter()
        relink_all()
        print(f"the nightly re-link (every person's pool): {time.perf_counter() - started:.0f} s")
        # The consumer's first job builds its table of every report: timed on its own.
        from homeward.cases.models import Person
        from homeward.tracing.tasks import search_for_person_job

        started = time.perf_counter()
        first = Person.objects.order_by("pk").first()
        result = search_for_person_job(first.pk)
        result.get(blocking=True, timeout=3600)
        print(f"first job (the consumer builds its table): {time.perf_counter() - started:.0f} s")
        saves = _flow(args, world, who, watch)
        deadline = time.monotonic() + args.late
        while watch.waiting and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        stop.set()
        sampler.join()
        consumer.terminate()
        consumer.wait(timeout=30)
    took = watch.took
    print(f"command: python bench/app_search.py {' '.join(argv)}".rstrip())
    print(
        f"{args.reports:,} reports, {args.people:,} people in a station, "
        f"{'PostgreSQL' if args.database_url.startswith('postgres') else 'SQLite'}, "
        f"{args.job_workers} job workers; {saves} saves in {args.minutes:g} min, "
        f"{len(took)} with candidates, {len(watch.waiting)} without after {args.late:g} s"
    )
    (reports, seen_r), (intakes, seen_i) = watch.kinds["report"], watch.kinds["person"]
    print(f"with a candidate: {seen_r} of {reports} reports, {seen_i} of {intakes} intakes")
    print("peak memory: " + ", ".join(f"{k} {v / 2**20:,.0f} MiB" for k, v in peak.items()))
    if not took:
        print("p50 - s, p99 - s (no save got a candidate)")
        return 1
    print(f"p50 {_percentile(took, 0.5):.2f} s, p99 {_percentile(took, 0.99):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
