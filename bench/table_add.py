"""A new or changed report in the bulk matcher's table: `ReportTable.add` (only that report
encoded) against building the table anew, at N reports.

    python bench/table_add.py                    # 200,000 reports (attributes and faces)
    python bench/table_add.py --reports 1000000
    python bench/table_add.py --reports 100000 --dna   # half the families gave DNA

The world is synthetic (`matching.world`, seed 5), without DNA unless `--dna`; with it the
table holds the families' DNA index too, and one more figure is printed: a new report with
a relative's DNA (appended to the table's own DNA segments, `matching.bulk_dna`). Prints the
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
import tempfile
import time
from pathlib import Path

from homeward.matching.bulk import ReportTable
from homeward.matching.bulk_columns import has_dna
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
    parser.add_argument("--dna", action="store_true", help="families' DNA in the table")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    world = build_world(
        WorldConfig(n_missing=args.reports + 100, n_found=50, n_true=20, seed=5, dna=args.dna)
    )
    missing, _ = parse_records(world.missing, "missing")
    base, newcomers = missing[: args.reports], missing[args.reports :]
    print(f"world: {len(missing):,} reports in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    evidence = ("attributes", "face", "dna") if args.dna else ("attributes", "face")
    folder = tempfile.TemporaryDirectory(prefix="bench-dna-")
    table = ReportTable(base, evidence=evidence, dna_index=Path(folder.name))
    table.match(world.found[:1], top=10)  # the keyed fields worked out, as in use
    build = time.perf_counter() - started

    found = world.found[1:2]
    before = median_ms(lambda: table.match(found, top=10), args.repeat)
    with_dna = [r for r in newcomers if has_dna(r)]
    pending = iter([r for r in newcomers if not has_dna(r)])
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
    families = iter(with_dna)

    def add_family() -> None:
        changed = newest[0].copy()
        changed.add([next(families)])
        newest[0] = changed

    family = median_ms(add_family, min(args.repeat, len(with_dna))) if args.dna else None
    grown = newest[0]
    first_match = median_ms(lambda: grown.match(found, top=10), 1)  # re-sorts names once
    after = median_ms(lambda: grown.match(found, top=10), args.repeat)
    print(f"command: python bench/table_add.py {' '.join(argv)}".rstrip())
    print(f"{args.reports:,} reports, {', '.join(evidence)}, median of {args.repeat}:")
    print(f"  build the table anew: {build:.1f} s")
    print(f"  the first new report (copy + add, room made for as many again): {first:.0f} ms")
    print(f"  one new report (copy + add): {added:.0f} ms")
    print(f"  one changed report (copy + add): {changed:.0f} ms")
    if family is not None:
        print(f"  one new report with a relative's DNA (copy + add): {family:.0f} ms")
    print(
        f"  one found person matched: {before:.0f} ms before the adds; after them "
        f"{first_match:.0f} ms the first time (names sorted again), then {after:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
