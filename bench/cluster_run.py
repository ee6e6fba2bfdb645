"""The all-against-all run on a Dask cluster against the same run in one process.

    python bench/cluster_run.py                          # 100,000 reports, 4,000 found, 2 workers
    python bench/cluster_run.py --reports 200000 --found 8000 --workers 2

Writes a seeded synthetic world (`matching.world`, seed 17) as HWX files, starts a local
Dask cluster of `--workers` worker processes (one thread each), and runs `homeward match`
twice with the shipped model: in this process, then with `--cluster`. The reports' DNA
index is built before either (`--dna-index`), so both runs open it. Prints each run's time, the
time the second took to send the table to the workers, whether the two files are the same
byte for byte, each worker's peak memory, and the command.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from homeward.cli import main as homeward_main
from homeward.matching.evidence import DnaEvidence
from homeward.matching.search import parse_records
from homeward.matching.world import WorldConfig, build_world, write_world


def _peak_rss() -> int:
    """This process's peak resident memory, KiB (Linux)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--found", type=int, default=4_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    from distributed import Client, LocalCluster

    folder = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    started = time.perf_counter()
    world = build_world(WorldConfig(args.reports, args.found, args.found // 3, seed=17))
    paths = write_world(world, folder)
    print(
        f"world: {args.reports:,} reports, {args.found:,} found people, "
        f"{time.perf_counter() - started:.0f} s"
    )
    common = ["match", "--found", str(paths["found"]), "--missing", str(paths["missing"])]
    common += ["--shipped", "--quiet", "--dna-index", str(folder / "dna")]
    started = time.perf_counter()
    missing, _bad = parse_records(world.missing, "missing")
    DnaEvidence([], missing, index_dir=folder / "dna")
    print(f"the reports' DNA index built: {time.perf_counter() - started:.0f} s")

    started = time.perf_counter()
    assert homeward_main([*common, "--out", str(folder / "here.jsonl")]) == 0
    here = time.perf_counter() - started

    with LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        started = time.perf_counter()
        out = folder / "there.jsonl"
        assert (
            homeward_main([*common, "--out", str(out), "--cluster", cluster.scheduler_address]) == 0
        )
        there = time.perf_counter() - started
        with Client(cluster) as client:
            memory = client.run(_peak_rss)
    same = (folder / "here.jsonl").read_bytes() == out.read_bytes()
    print(f"command: python bench/cluster_run.py {' '.join(argv)}".rstrip())
    print(f"cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.2f}")
    print(f"one process: {here:.0f} s")
    print(f"cluster of {args.workers} workers (the table sent to each once): {there:.0f} s")
    print(f"same candidates, byte for byte: {same}")
    print("worker peak memory: " + ", ".join(f"{m / 2**10:,.0f} MiB" for m in memory.values()))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
