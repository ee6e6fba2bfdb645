"""The intake desk's "seen before?" face search over N found people's faces: the search
as it was (every vector read through the ORM on each request) against the face index kept
per process and caught up from the database (`homeward/tracing/found_faces.py`).

    python bench/found_faces.py                        # 100,000 faces, SQLite in a temp dir
    python bench/found_faces.py --faces 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/homeward_bench   # PostgreSQL

The PostgreSQL database is dropped and created again. Prints the median of `--repeat`
searches for each path, the first search of a process (which reads every vector once), and
a search right after one new intake face (appended), with the command that made them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

import numpy as np


def setup(database_url: str) -> None:
    if database_url:
        import psycopg

        base, name = database_url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ["HOMEWARD_VAR_DIR"] = tempfile.mkdtemp(prefix="homeward-bench-")
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeward.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def unit_vectors(rng: np.random.Generator, n: int) -> np.ndarray:
    vectors = rng.normal(size=(n, 128)).astype("<f4")
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def populate(n: int, seed: int) -> np.ndarray:
    from homeward.cases.models import Person
    from homeward.tracing.models import FaceVector

    rng = np.random.default_rng(seed)
    vectors = unit_vectors(rng, n)
    step = 20_000
    for start in range(0, n, step):
        people = Person.objects.bulk_create(
            [Person(name=f"B{k}", sex="M") for k in range(start, min(n, start + step))]
        )
        FaceVector.objects.bulk_create(
            FaceVector(
                kind=FaceVector.Kind.FOUND,
                person=person,
                model="bench",
                vector=vectors[start + k].tobytes(),
                accepted=True,
            )
            for k, person in enumerate(people)
        )
    return vectors


def every_vector_search(query: np.ndarray, limit: int = 5) -> list[int]:
    """The search as it was before the index: every vector through the ORM, each time."""
    from homeward.tracing.models import FaceVector

    rows = list(
        FaceVector.objects.filter(kind=FaceVector.Kind.FOUND, vector__isnull=False).values_list(
            "person_id", "vector"
        )
    )
    matrix = np.stack([np.frombuffer(bytes(v), dtype="<f4") for _, v in rows])
    distances = np.linalg.norm(matrix - query, axis=1)
    return [rows[k][0] for k in np.argsort(distances)[:limit]]


def timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    setup(args.database_url)
    from homeward.tracing import found_faces
    from homeward.tracing.models import FaceVector

    started = time.perf_counter()
    vectors = populate(args.faces, args.seed)
    print(f"{args.faces:,} found faces stored in {time.perf_counter() - started:.1f} s")
    query = vectors[args.faces // 2] + 0.01
    old, old_top = timed(lambda: every_vector_search(query), args.repeat)
    first, _ = timed(lambda: found_faces.nearest_found(query, limit=5), 1)
    warm, hits = timed(lambda: found_faces.nearest_found(query, limit=5), args.repeat)
    assert [int(h.record_id) for h in hits] == old_top, "the index and the plain search differ"
    person = FaceVector.objects.first().person
    FaceVector.objects.create(
        kind=FaceVector.Kind.FOUND, person=person, vector=query.astype("<f4").tobytes()
    )
    appended, _ = timed(lambda: found_faces.nearest_found(query, limit=5), 1)
    assert found_faces.full_reads() == 1
    database = "PostgreSQL" if args.database_url else "SQLite"
    command = "python bench/found_faces.py " + " ".join(argv)
    print(f"command: {command.strip()}")
    print(f"{database}, {args.faces:,} faces, median of {args.repeat}:")
    print(f"  every vector through the ORM (before): {old * 1000:.0f} ms")
    print(f"  face index, first search of a process: {first * 1000:.0f} ms")
    print(f"  face index, caught up (nothing new): {warm * 1000:.1f} ms")
    print(f"  face index, one new face appended: {appended * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
