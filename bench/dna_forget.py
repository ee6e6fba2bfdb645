"""An erasure in the DNA indexes kept on disk (`matching.dna_forget`): blanking one family,
and a hundred at once (the retention job's night), in a table's kept index of N reports.

    python bench/dna_forget.py                    # 100,000 reports (about half with DNA)
    python bench/dna_forget.py --reports 500000

The world is synthetic (`matching.world`, seed 5, with DNA). Prints the time to build the
table, the median time of `--repeat` erasures of one family each and of one erasure of a
hundred families, the rows blanked, and the command.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from homeward.matching.bulk import ReportTable
from homeward.matching.bulk_columns import has_dna
from homeward.matching.dna_forget import forget
from homeward.matching.search import parse_records
from homeward.matching.world import WorldConfig, build_world


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    world = build_world(
        WorldConfig(n_missing=args.reports, n_found=50, n_true=20, seed=5, dna=True)
    )
    missing, _ = parse_records(world.missing, "missing")
    families = [r["id"] for r in missing if has_dna(r)]
    folder = tempfile.TemporaryDirectory(prefix="bench-dna-forget-")
    root = Path(folder.name)
    started = time.perf_counter()
    read = time.time()
    ReportTable(missing, evidence=("dna",), dna_index=root, read_at=read)
    build = time.perf_counter() - started

    ones, blanked = [], 0
    for k in range(args.repeat):
        started = time.perf_counter()
        blanked += forget(root, [families[k]], at=read + 1)
        ones.append(time.perf_counter() - started)
    hundred = families[args.repeat : args.repeat + 100]
    started = time.perf_counter()
    blanked += forget(root, hundred, at=read + 1)
    at_once = time.perf_counter() - started

    print(f"{len(missing):,} reports, {len(families):,} families with DNA; built in {build:.1f} s")
    print(f"one family erased: {statistics.median(ones) * 1000:.1f} ms (median of {args.repeat})")
    print(f"100 families erased at once: {at_once * 1000:.1f} ms")
    print(f"rows blanked: {blanked} of {args.repeat + len(hundred)} families")
    print("command: python bench/dna_forget.py " + " ".join(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
