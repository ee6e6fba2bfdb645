"""Matching quality on a synthetic world: recall@1, recall@10, precision at the review
threshold (posterior >= 0.5), mean reciprocal rank, for each kind of evidence alone and all
together; wall time and peak memory.

    .venv/bin/python bench/match_quality.py [--missing 20000 --found 5000 --true 2000 --seed 0]

The attribute model is the shipped one (trained on another seed's world). Every pair that
passes blocking is scored once, by the bulk matcher (the path of `homeward match` and the
web app; `--splink` takes `search.score_pairs`, the reference it is tested against); each
evidence column then ranks on its own, its posterior the bare product with the prior (the
fusion's calibration is fitted for all the evidence together, which gets it).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import warnings

import numpy as np

from homeward.matching import fusion
from homeward.matching.attributes.model import AttributeModel
from homeward.matching.bulk import ReportTable
from homeward.matching.calibrate import reliability
from homeward.matching.search import parse_records, rank_pairs, score_pairs
from homeward.matching.world import WorldConfig, build_world


def metrics(pairs: dict, truth: np.ndarray, n_true: int) -> dict[str, float]:
    chosen = rank_pairs(pairs, 10)
    fi = pairs["found"][chosen]
    starts = np.searchsorted(fi, fi, side="left")
    rank = np.arange(len(chosen)) - starts + 1
    hit = truth[chosen]
    review = pairs["posterior"] >= 0.5
    return {
        "recall@1": float(((rank == 1) & hit).sum() / n_true),
        "recall@10": float(hit.sum() / n_true),
        "precision@0.5": float(truth[review].mean()) if review.any() else float("nan"),
        "recall@0.5": float(truth[review].sum() / n_true),
        "MRR": float((1.0 / rank[hit]).sum() / n_true),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--missing", type=int, default=20_000)
    parser.add_argument("--found", type=int, default=5_000)
    parser.add_argument("--true", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--splink", action="store_true", help="score with Splink (reference)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    print("command: .venv/bin/python bench/match_quality.py " + " ".join(argv))
    t0 = time.perf_counter()
    world = build_world(WorldConfig(args.missing, args.found, args.true, args.seed))
    t_world = time.perf_counter() - t0
    found, _ = parse_records(world.found, "found")
    missing, _ = parse_records(world.missing, "missing")
    t1 = time.perf_counter()
    if args.splink:
        pairs = score_pairs(found, missing, model=AttributeModel.load())
    else:
        pairs = ReportTable(missing).match(world.found, keep_pairs=True)["all"]
    t_match = time.perf_counter() - t1
    fid = np.array([r["id"] for r in found])
    mid = np.array([r["id"] for r in missing])
    truth = np.array([world.truth.get(f) for f in fid[pairs["found"]]]) == mid[pairs["missing"]]
    n_true = len(world.truth)
    print(
        f"world: {len(missing)} reports, {len(found)} found, {n_true} true pairs (seed "
        f"{args.seed}); {len(truth)} pairs passed blocking; blocking recall "
        f"{truth.sum() / n_true:.4f}"
    )
    print(
        "| evidence | recall@1 | recall@10 | precision at posterior >= 0.5 | recall at 0.5 | MRR |"
    )
    print("|---|---|---|---|---|---|")
    for name, parts in (
        ("attributes", ("attributes",)),
        ("face", ("face",)),
        ("dna", ("dna",)),
        ("all together", fusion.PARTS),
    ):
        view = dict(pairs)
        view["total"] = fusion.total_log10_lr(*[pairs[p] for p in parts])
        together = name == "all together"
        calibration = None if together else fusion.IDENTITY
        view["posterior"] = fusion.posterior(pairs["prior"], view["total"], calibration)
        m = metrics(view, truth, n_true)
        print(
            f"| {name} | {m['recall@1']:.4f} | {m['recall@10']:.4f} | {m['precision@0.5']:.4f}"
            f" | {m['recall@0.5']:.4f} | {m['MRR']:.4f} |"
        )
    print("\nreliability (all together): posterior band | pairs | share true")
    both = fusion.posterior(pairs["prior"], pairs["total"])
    for lo, hi, n, share, _mean in reliability(both, truth):
        print(f"{lo:.2f}-{hi:.2f} | {n} | {share:.3f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"wall: world {t_world:.1f} s, matching (all evidence) {t_match:.1f} s; "
        f"peak RSS {peak:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
