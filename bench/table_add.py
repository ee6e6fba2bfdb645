"""A new or changed report in the bulk matcher's table: `ReportTable.add` (only that report
encoded) against building the table anew, at N reports.

    python bench/table_add.py                    # 200,000 reports (attributes and faces)
    python bench/table_add.py --reports 1000000

The world is synthetic (`matching.world`, seed 5), without DNA: a report with a relative's
DNA still makes the table be built anew (the DNA index takes no appends yet). Prints the
build time, the time of the first add (which makes room for as many reports again), the
median time of `--repeat` adds of one new report and of one changed report (each on a copy
of the newest table, as the web app does while other threads match), the
median time of matching one found person before and after, and the command.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time

from homeward.matching.bulk import ReportTable
from homeward.matching.search import parse_records
from homeward.matching.world import WorldConfig, build_world


def median_ms(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    world = build_world(
        WorldConfig(n_missing=args.reports + 100, n_found=50, n_true=20, seed=5, dna=False)
    )
    missing, _ = parse_records(world.missing, "missing")
    base, newcomers = missing[: args.reports], missing[args.reports :]
    print(f"world: {len(missing):,} reports in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    table = ReportTable(base, evidence=("attributes", "face"))
    table.match(world.found[:1], top=10)  # the keyed fields worked out, as in use
    build = time.perf_counter() - started

    found = world.found[1:2]
    before = median_ms(lambda: table.match(found, top=10), args.repeat)
    pending = iter(newcomers)
    # As the web app does: each change on a copy of the newest table (the one before may
    # still be matched in another thread), which then becomes the newest.
    newest = [table]

    def add_one() -> None:
        changed = newest[0].copy()
        changed.add([next(pending)])
        newest[0] = changed

    def change_one() -> None:
        record = copy.deepcopy(base[len(base) // 2])
        record["height_cm"] = (record.get("height_cm") or 160) + 3
        changed = newest[0].copy()
        changed.add([record])
        newest[0] = changed

    first = median_ms(add_one, 1)  # the first append makes room for as many again
    added = median_ms(add_one, args.repeat)
    changed = median_ms(change_one, args.repeat)
    grown = newest[0]
    first_match = median_ms(lambda: grown.match(found, top=10), 1)  # re-sorts names once
    after = median_ms(lambda: grown.match(found, top=10), args.repeat)
    print(f"command: python bench/table_add.py {' '.join(argv)}".rstrip())
    print(f"{args.reports:,} reports, attributes and faces, median of {args.repeat}:")
    print(f"  build the table anew: {build:.1f} s")
    print(f"  the first new report (copy + add, room made for as many again): {first:.0f} ms")
    print(f"  one new report (copy + add): {added:.0f} ms")
    print(f"  one changed report (copy + add): {changed:.0f} ms")
    print(
        f"  one found person matched: {before:.0f} ms before the adds; after them "
        f"{first_match:.0f} ms the first time (names sorted again), then {after:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
