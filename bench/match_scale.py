"""Matching at scale: one found person against 1,000,000 missing reports (time per query)
and the nightly all-against-all of 50,000 found people x 1,000,000 reports (total time).

    .venv/bin/python bench/match_scale.py prepare      # build and cache the world (once)
    .venv/bin/python bench/match_scale.py query        # one found person at a time
    .venv/bin/python bench/match_scale.py all --fraction 0.01   # measured part, extrapolated
    .venv/bin/python bench/match_scale.py both                  # query and all, one load
    .venv/bin/python bench/match_scale.py cli --workers 2       # the whole run, `homeward match`

`prepare` builds the seeded synthetic world (`homeward.matching.world`, 1,000,000 reports,
50,000 found people of whom 20,000 have a true report), times one query through the
reference path (`search.match_records`: Splink on DuckDB, all evidence; `--no-reference`
skips it, about 6 minutes), and
caches the parsed, encoded reports (`bulk.ReportTable`) under --cache; the reports' DNA
index is built on the first `query` or `all` and kept there too. `query` and `all` use the
bulk path (`homeward.matching.bulk`: the path of `homeward match` and the web app), which
gives the same candidates and posteriors as `match_records` (tests/matching/test_bulk.py).
`all --fraction F` runs a random share F of the batches the whole run would make and
multiplies the time per found person out. Every figure is printed with its command and
the load average of the machine beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np

CACHE = Path("/tmp/homeward-match-scale")
N_MISSING, N_FOUND, N_TRUE, SEED = 1_000_000, 50_000, 20_000, 7


def load_avg() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(args: argparse.Namespace) -> None:
    from homeward.matching.bulk import ReportTable
    from homeward.matching.search import match_records, parse_records
    from homeward.matching.world import WorldConfig, build_world

    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    print(f"{load_avg()} at start")
    t0 = time.perf_counter()
    world = build_world(WorldConfig(args.missing, args.found, args.true, args.seed))
    print(
        f"world: {len(world.missing):,} reports, {len(world.found):,} found people, "
        f"{len(world.truth):,} true pairs (seed {args.seed}): {time.perf_counter() - t0:.1f} s"
    )
    with (cache / "found.jsonl").open("w", encoding="utf-8") as handle:
        for rec in world.found:
            handle.write(json.dumps(rec, ensure_ascii=False) + "\n")
    (cache / "truth.json").write_text(json.dumps(world.truth))
    with (cache / "dna.jsonl").open("w", encoding="utf-8") as handle:
        for j, rec in enumerate(world.missing):
            if rec.get("relatives"):
                handle.write(json.dumps({"row": j, "relatives": rec["relatives"]}) + "\n")
    if args.reference:
        t1 = time.perf_counter()
        ref = match_records(world.found[:1], world.missing, top=10)
        print(
            f"reference path (search.match_records, all evidence), one found person against "
            f"{len(world.missing):,} reports: {time.perf_counter() - t1:.1f} s "
            f"({ref.stats['pairs']:,} blocked pairs); {load_avg()}"
        )
    t2 = time.perf_counter()
    missing, bad = parse_records(world.missing, "missing")
    del world
    t3 = time.perf_counter()
    table = ReportTable(missing, evidence=("attributes", "face"))
    print(
        f"parse {t3 - t2:.1f} s; encode the reports (attributes, face) "
        f"{time.perf_counter() - t3:.1f} s; peak RSS {rss_mib():,.0f} MiB"
    )
    with (cache / "table.pkl").open("wb") as handle:
        pickle.dump(table, handle, protocol=pickle.HIGHEST_PROTOCOL)
    print(f"cached under {cache}; {load_avg()}")


def load(cache: Path, dna: bool) -> tuple[object, list[dict], dict[str, str]]:
    from homeward.matching.bulk import _Dna

    t0 = time.perf_counter()
    with (cache / "table.pkl").open("rb") as handle:
        table = pickle.load(handle)
    found = [json.loads(line) for line in (cache / "found.jsonl").open(encoding="utf-8")]
    truth = json.loads((cache / "truth.json").read_text())
    t1 = time.perf_counter()
    table.keyed()
    took = time.perf_counter() - t1
    msg = f"load cached reports {t1 - t0:.1f} s; distinct field values {took:.1f} s"
    t1 = time.perf_counter()
    if dna:
        stubs: list[dict] = [{"relatives": []} for _ in range(len(table))]
        for line in (cache / "dna.jsonl").open(encoding="utf-8"):
            rec = json.loads(line)
            stubs[rec["row"]]["relatives"] = rec["relatives"]
        kept = cache / "dna-index"
        reused = kept.is_dir() and any(kept.iterdir())
        table.dna = _Dna(stubs, kept)  # built once, then opened from disk
        table.evidence = ("attributes", "face", "dna")
        took = time.perf_counter() - t1
        how = "opened from disk" if reused else "built and kept on disk"
        msg += f"; DNA index of {len(table.dna.family_row):,} families {how} {took:.1f} s"
    print(msg)
    return table, found, truth


def query(args: argparse.Namespace, loaded: tuple | None = None) -> None:
    table, found, _ = loaded or load(Path(args.cache), not args.no_dna)
    rng = np.random.default_rng(args.seed)
    picks = rng.choice(len(found), args.queries, replace=False)
    times, pairs, with_dna = [], [], 0
    print(f"{load_avg()} before the queries")
    table.match([found[int(picks[0])]], top=10)  # warm up (imports, first DNA segment rows)
    for i in picks:
        t0 = time.perf_counter()
        out = table.match([found[int(i)]], top=10)
        times.append(time.perf_counter() - t0)
        pairs.append(out["pairs"])
        with_dna += bool(found[int(i)].get("dna"))
    t = np.array(times) * 1000
    print(
        f"one found person against {len(table):,} reports ({table.evidence}), "
        f"{args.queries} queries ({with_dna} with DNA), blocked reports per query median "
        f"{int(np.median(pairs)):,}: median {np.median(t):.0f} ms, best {t.min():.0f} ms, "
        f"worst {t.max():.0f} ms; {load_avg()}; peak RSS {rss_mib():,.0f} MiB"
    )


_TABLE = None


def _work(chunk: list[dict]) -> dict:
    return _TABLE.match(chunk, top=10)


def run_all(args: argparse.Namespace, loaded: tuple | None = None) -> None:
    table, found, truth = loaded or load(Path(args.cache), not args.no_dna)
    from homeward.matching.attributes.records import feature_row
    from homeward.matching.bulk import _batches
    from homeward.matching.bulk_columns import Vocab, encode
    from homeward.matching.search import parse_records

    # The measured part is a random share of the batches the whole run would make (found
    # people of one sex and near birth years, 64 a batch), each batch whole: the part
    # does the work per found person that the whole run does.
    parsed, _ = parse_records(found, "found")
    batches = _batches(encode([feature_row(r) for r in parsed], Vocab()), 64)
    rng = np.random.default_rng(args.seed)
    k = max(1, int(round(args.fraction * len(batches))))
    chosen = [batches[int(b)] for b in np.sort(rng.choice(len(batches), k, replace=False))]
    part = [found[int(i)] for batch in chosen for i in batch]
    n = len(part)
    print(f"{load_avg()} before the run")
    last = [time.perf_counter()]

    def progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 30:
            last[0] = time.perf_counter()
            print(f"  {done}/{total}", flush=True)

    t0 = time.perf_counter()
    if args.workers > 1:
        import multiprocessing

        global _TABLE
        _TABLE = table  # forked workers share the encoded reports copy-on-write
        chunks = [
            [found[int(i)] for batch in chosen[w :: args.workers] for i in batch]
            for w in range(args.workers)
        ]
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            outs = pool.map(_work, chunks)
        out = {
            "candidates": [c for o in outs for c in o["candidates"]],
            "pairs": sum(o["pairs"] for o in outs),
        }
    else:
        out = table.match(part, top=10, progress=progress)
    took = time.perf_counter() - t0
    hits = {(c["found"], c["missing"]) for c in out["candidates"]}
    true_here = [(f["id"], truth[f["id"]]) for f in part if f["id"] in truth]
    recall = sum(p in hits for p in true_here) / max(len(true_here), 1)
    full = took / n * len(found)
    print(
        f"measured: {n:,} of {len(found):,} found people ({k:,} of {len(batches):,} "
        f"batches, random, seed {args.seed}) against "
        f"{len(table):,} reports ({table.evidence}): {took:.1f} s, {took / n * 1000:.0f} ms "
        f"per found person, {out['pairs']:,} blocked pairs; recall@10 of their "
        f"{len(true_here):,} true reports {recall:.4f}; {load_avg()}; peak RSS {rss_mib():,.0f} MiB"
    )
    print(
        f"extrapolated: {len(found):,} x {len(table):,} = {full:,.0f} s ({full / 60:.1f} min) "
        f"in {args.workers} process(es) (measured time per found person x {len(found):,})"
    )


def run_cli(args: argparse.Namespace) -> None:
    """The whole nightly run as a user runs it: `homeward match` on HWX files, every found
    person against every report, `--workers` processes, the DNA index kept in the cache."""
    import subprocess

    from homeward.matching.world import WorldConfig, build_world

    cache = Path(args.cache)
    missing = cache / "missing.jsonl"
    if not missing.is_file():  # the same seeded world as `prepare`
        t0 = time.perf_counter()
        world = build_world(WorldConfig(args.missing, args.found, args.true, args.seed))
        part = missing.with_suffix(".part")
        with part.open("w", encoding="utf-8") as handle:
            for rec in world.missing:
                handle.write(json.dumps(rec, ensure_ascii=False) + "\n")
        part.rename(missing)
        del world
        print(f"wrote {missing} in {time.perf_counter() - t0:.1f} s", flush=True)
    out = cache / "candidates.jsonl"
    command = ["match", "--found", str(cache / "found.jsonl"), "--missing", str(missing)]
    command += ["--top", "10", "--out", str(out), "--workers", str(args.workers)]
    command += ["--dna-index", str(cache / "dna-index")]
    print(f"{load_avg()} before the run\n$ homeward {' '.join(command)}", flush=True)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "homeward.cli", *command], check=True)
    took = time.perf_counter() - t0
    truth = json.loads((cache / "truth.json").read_text())
    hits = set()
    with out.open(encoding="utf-8") as handle:
        for line in handle:
            cand = json.loads(line)
            if truth.get(cand["found"]) == cand["missing"]:
                hits.add(cand["found"])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"whole run: {args.found:,} x {args.missing:,} in {took:,.0f} s ({took / 60:.1f} min) "
        f"with {args.workers} worker(s), everything included (reading, encoding, DNA index, "
        f"writing); recall@10 {len(hits) / len(truth):.4f} of {len(truth):,} true reports; "
        f"{load_avg()}; peak RSS of one process {peak:,.0f} MiB"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=("prepare", "query", "all", "both", "cli"))
    parser.add_argument("--cache", default=str(CACHE))
    parser.add_argument("--missing", type=int, default=N_MISSING)
    parser.add_argument("--found", type=int, default=N_FOUND)
    parser.add_argument("--true", type=int, default=N_TRUE)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--queries", type=int, default=15)
    parser.add_argument("--fraction", type=float, default=0.01)
    parser.add_argument("--no-dna", action="store_true")
    parser.add_argument("--workers", type=int, default=1, help="processes for `all`")
    parser.add_argument("--no-reference", dest="reference", action="store_false")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    print("command: .venv/bin/python bench/match_scale.py " + " ".join(argv), flush=True)
    if args.step == "both":  # one load (the DNA index takes minutes) for both figures
        loaded = load(Path(args.cache), not args.no_dna)
        query(args, loaded)
        run_all(args, loaded)
    else:
        steps = {"prepare": prepare, "query": query, "all": run_all, "cli": run_cli}
        steps[args.step](args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
