"""One report's family against many found people's DNA: all at once
(`DnaColumns.scores_of_family`, what a new report's search uses) against each person's own
scan (`scores_at`, what it used before), on a seeded synthetic world; the two must agree to
the last bit.

    python bench/dna_family.py                      # 2,000 reports, 3,000 found people
    python bench/dna_family.py --reports 5000 --found 10000 --families 8
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2_000)
    parser.add_argument("--found", type=int, default=3_000)
    parser.add_argument("--families", type=int, default=6, help="reports with DNA to time")
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args(argv)

    from homeward.matching.bulk import ReportTable
    from homeward.matching.search import parse_records
    from homeward.matching.world import WorldConfig, build_world

    world = build_world(
        WorldConfig(
            n_missing=args.reports, n_found=args.found, n_true=args.found // 6, seed=args.seed
        )
    )
    missing, _ = parse_records(world.missing, "missing")
    found, _ = parse_records(world.found, "found")
    with tempfile.TemporaryDirectory() as folder:
        table = ReportTable(missing, dna_index=Path(folder) / "dna")
        rows = np.flatnonzero(table.dna.has_family)[: args.families]
        print(f"found people with DNA: {sum(1 for r in found if r.get('dna')):,}")
        for row in rows:
            kind = table.dna.parts[table.dna.seg_of[row]][1]["kind"]
            started = time.perf_counter()
            together = table.dna.scores_of_family(found, int(row))
            middle = time.perf_counter()
            one_by_one = [table.dna.scores_at(r, np.array([row]))[0] for r in found]
            ended = time.perf_counter()
            if not np.array_equal(together, np.array(one_by_one), equal_nan=True):
                print(f"report row {row}: the two ways disagree")
                return 1
            print(
                f"{kind}: all at once {1000 * (middle - started):,.0f} ms, "
                f"person by person {1000 * (ended - middle):,.0f} ms"
            )
    print(f"command: python bench/dna_family.py {' '.join(argv)}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
