"""DNA kinship search benchmark: scan time, build time and memory at 1,000,000 families,
and the power of the scan (rank of the true family, TPR at LR >= 10,000, unrelated
families above that threshold) from simulated families.

    python bench/dna_search.py                       # 1,000,000 families, 200 queries
    python bench/dna_search.py --families 20000 --queries 20   # a quick run

Every figure is printed with the command that made it.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from homeward.matching.dna import scan
from homeward.matching.dna.index import DnaIndex
from homeward.matching.dna.loci import CODIS_20
from homeward.matching.dna.search import scan_found_person, search_found_person
from homeward.matching.dna.simulate import Population

THRESHOLD = 4.0  # log10 of the Chinese CPI >= 10,000 reporting rule


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dir_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def build(root: Path, kind: str, n: int, pop: Population, rng: np.random.Generator):
    """Simulated database of `kind`; returns (index, genotypes of stored relatives, seconds)."""
    t0 = time.perf_counter()
    index = DnaIndex.create(root / kind, loci=CODIS_20)
    if kind == "parents":
        fathers, mothers = pop.founders(rng, n), pop.founders(rng, n)
        index.add_codes(kind, [f"f{i}" for i in range(n)], pop.codes(fathers), pop.codes(mothers))
        geno = (fathers, mothers)
    else:
        geno = pop.founders(rng, n)
        index.add_codes(kind, [f"f{i}" for i in range(n)], pop.codes(geno))
    return index, geno, time.perf_counter() - t0


def true_queries(kind, geno, q, pop, rng, index, mutation):
    """(found-person profiles, index of their true family) for `q` planted relatives."""
    n = (geno[0] if kind == "parents" else geno).shape[1]
    truth = rng.choice(n, q, replace=False)
    if kind == "father":
        children = pop.child(rng, geno[:, truth], pop.founders(rng, q), mutation)
    elif kind == "parents":
        children = pop.child(rng, geno[0][:, truth], geno[1][:, truth], mutation)
    else:  # full sibling: plant the sibling of each query over a random stored person
        fa, mo = pop.founders(rng, q), pop.founders(rng, q)
        sibs, children = pop.child(rng, fa, mo, mutation), pop.child(rng, fa, mo, mutation)
        seg = index.meta["segments"][0]
        codes = np.load(index.path / seg["name"] / "codes.npy", mmap_mode="r+")
        codes[:, truth] = pop.codes(sibs)
        codes.flush()
    return [pop.profile(children, j) for j in range(q)], truth


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--families", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200, help="simulated queries per relation")
    ap.add_argument("--timing-queries", type=int, default=30)
    ap.add_argument("--bulk", type=int, default=32, help="queries per bulk (vectorised) scan")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    command = "python bench/dna_search.py " + " ".join(argv)
    rng = np.random.default_rng(args.seed)
    root = Path(tempfile.mkdtemp(prefix="dna-bench-"))
    print(f"# command: {command}")
    print(
        f"# {args.families:,} families per database, {len(CODIS_20)} loci (CODIS 20), "
        f"NIST 1036 'all' frequencies, theta 0, stepwise mutation (2e-3 male, 5e-4 female)"
    )
    try:
        for kind, label in (
            ("father", "single-parent"),
            ("parents", "two-parent"),
            ("full_sibling", "full-sibling"),
        ):
            index = DnaIndex.create(root / "probe", loci=CODIS_20)
            pop = Population.from_table(index.table, CODIS_20)
            shutil.rmtree(root / "probe")
            index, geno, seconds = build(root, kind, args.families, pop, rng)
            mutation = index.mutation
            profiles, truth = true_queries(kind, geno, args.queries, pop, rng, index, mutation)
            seg = index.meta["segments"][0]
            codes = np.load(index.path / seg["name"] / "codes.npy", mmap_mode="r")
            print(f"\n## {label} families ({kind})")
            print(
                f"build (simulate + encode + write): {seconds:.1f} s; on disk "
                f"{dir_mib(index.path):.0f} MiB; peak RSS so far {rss_mib():.0f} MiB"
            )
            # Timing: tables + gather + top-100, one query at a time.
            times, tab_times = [], []
            scan_found_person(index, profiles[0])  # warm caches (per-locus matrices)
            for prof in profiles[: args.timing_queries]:
                t0 = time.perf_counter()
                tables = index.query_tables(prof, kind)
                t1 = time.perf_counter()
                scores = scan.gather_sum(codes, tables, args.threads)
                scan.top_k(scores, 100)
                times.append(time.perf_counter() - t0)
                tab_times.append(t1 - t0)
            print(
                f"one query, scan + top-100: median {1000 * statistics.median(times):.1f} ms, "
                f"best {1000 * min(times):.1f} ms (query tables "
                f"{1000 * statistics.median(tab_times):.1f} ms of it; {args.threads} threads)"
            )
            t0 = time.perf_counter()
            search_found_person(index, profiles[0], top=10)
            print(
                f"one query end to end (scan + exact pedigree rescoring of top 10): "
                f"{1000 * (time.perf_counter() - t0):.0f} ms"
            )
            if kind != "parents":
                bulk = profiles[: args.bulk]
                per_locus = [
                    np.stack([index.query_tables(p, kind)[i] for p in bulk])
                    for i in range(len(CODIS_20))
                ]
                t0 = time.perf_counter()
                scan.gather_sum_many(codes, per_locus)
                dt = time.perf_counter() - t0
                print(
                    f"bulk scan of {len(bulk)} queries at once: {1000 * dt / len(bulk):.1f} ms "
                    f"per query"
                )
            # Power.
            ranks, tp, false_hits = [], 0, []
            for prof, t in zip(profiles, truth, strict=True):
                scores = scan.gather_sum(codes, index.query_tables(prof, kind), args.threads)
                true_score = scores[t]
                ranks.append(int(np.sum(scores > true_score)) + 1)
                tp += true_score >= THRESHOLD
                false_hits.append(int(np.sum(scores >= THRESHOLD)) - int(true_score >= THRESHOLD))
            ranks_arr = np.array(ranks)
            print(
                f"simulation, {args.queries} queries: true family ranked #1 in "
                f"{np.mean(ranks_arr == 1):.1%}, in top 10 in {np.mean(ranks_arr <= 10):.1%}, "
                f"median rank {np.median(ranks_arr):.0f}, worst {ranks_arr.max()}"
            )
            print(
                f"TPR at LR >= 10,000: {tp / args.queries:.1%}; unrelated families at "
                f"LR >= 10,000 per query: mean {np.mean(false_hits):.2f}, max {max(false_hits)}"
            )
            del geno, codes
            shutil.rmtree(index.path)
        print(f"\npeak RSS {rss_mib():.0f} MiB")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main(sys.argv[1:]))
