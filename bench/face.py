"""Face engine timings: photo -> embedding per photo, and one search over N stored embeddings.

    python bench/face.py                 # photos + search over 1,000,000 x 128
    python bench/face.py --n 100000      # smaller search
    python bench/face.py --skip-search   # photos only

Photos: the vendored test photos plus the fetched ones when present
(python scripts/fetch_test_faces.py). Stored embeddings for the search are synthetic (normal
vectors scaled to dlib's typical norm of 1.5); exact search costs the same on any values.
Single process; dlib runs on one core, numpy's BLAS on all.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from homeward.matching.face import FaceIndex, default_model, load_photo  # noqa: E402
from homeward.matching.face.quality import check_photo  # noqa: E402

FACES = ROOT / "tests" / "matching" / "face"


def median_ms(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench_photos(repeat: int) -> None:
    model = default_model()
    paths = sorted((FACES / "images").glob("*.jpg")) + sorted((FACES / ".cache").glob("*.jpg"))
    print(
        f"{'photo':<18} {'size':>10} {'decode':>8} {'detect':>8} {'align':>8} {'embed':>8} "
        f"{'total':>8}  (ms, median of {repeat})"
    )
    totals = []
    for path in paths:
        photo = load_photo(path)
        report = check_photo(photo, model)
        face = report.faces[report.chosen or 0].box
        work = [d.box for d in model.detect(photo.working, 0)]
        upsample = 0 if work else 1
        marks = model.landmarks(photo.detail, face)
        chip = model.align(photo.detail, face, marks)
        decode = median_ms(lambda p=path: load_photo(p), repeat)
        detect = median_ms(lambda ph=photo, u=upsample: model.detect(ph.working, u), repeat)
        align = median_ms(
            lambda ph=photo, f=face: model.align(ph.detail, f, model.landmarks(ph.detail, f)),
            repeat,
        )
        embed = median_ms(lambda c=chip: model.embed(c), repeat)
        total = median_ms(
            lambda p=path: model.embed(check_photo(load_photo(p), model).chip), repeat
        )
        totals.append(total)
        size = f"{photo.width}x{photo.height}"
        print(
            f"{path.name:<18} {size:>10} {decode:8.1f} {detect:8.1f} {align:8.1f} "
            f"{embed:8.1f} {total:8.1f}"
        )
    print(
        f"photo -> checked embedding, median over {len(paths)} photos: "
        f"{statistics.median(totals):.0f} ms"
    )


def bench_search(n: int, queries: int, dim: int = 128) -> None:
    rng = np.random.default_rng(7)
    index = FaceIndex("synthetic", dim)
    start = time.perf_counter()
    chunk = 100_000
    for first in range(0, n, chunk):
        count = min(chunk, n - first)
        vectors = rng.normal(size=(count, dim)).astype(np.float32)
        vectors *= 1.5 / np.linalg.norm(vectors, axis=1, keepdims=True)
        records = [f"M-{(first + i) // 2}" for i in range(count)]  # two photos per record
        index.add_many("missing", records, [f"p{first + i}" for i in range(count)], vectors)
    print(
        f"search: {n:,} x {dim} float32 stored ({n * dim * 4 / 2**20:.0f} MiB), "
        f"built in {time.perf_counter() - start:.1f} s"
    )
    stored = index._shard("missing").vectors
    targets = rng.integers(0, n, queries)
    # A query is a noisy copy of a stored photo, about as far as dlib's same-person pairs.
    noisy = stored[targets] + rng.normal(0, 0.035, size=(queries, dim)).astype(np.float32)
    index.search("missing", noisy[0], k=10)  # warm caches and BLAS threads
    one, found = [], 0
    for target, query in zip(targets, noisy, strict=True):
        start = time.perf_counter()
        hits = index.search("missing", query, k=10)
        one.append((time.perf_counter() - start) * 1000)
        found += hits[0].photo_id == f"p{target}"
    five = median_ms(lambda: index.search("missing", noisy[:5], k=10), 10)
    one.sort()
    print(
        f"one query photo, top 10 records: median {statistics.median(one):.1f} ms, "
        f"p95 {one[int(0.95 * (len(one) - 1))]:.1f} ms over {queries} queries; "
        f"right photo first {found}/{queries}"
    )
    print(f"five query photos at once (a report with 5 photos), top 10: median {five:.1f} ms")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="stored embeddings")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5, help="runs per photo timing")
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-photos", action="store_true")
    args = parser.parse_args(argv)
    print(f"command: python bench/face.py {' '.join(argv)}".rstrip())
    print(
        f"machine: {platform.machine()}, {len(os.sched_getaffinity(0))} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    if not args.skip_photos:
        bench_photos(args.repeat)
    if not args.skip_search:
        bench_search(args.n, args.queries)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
