"""Matching quality on a synthetic world: recall@1, recall@10, precision at the review
threshold (posterior >= 0.5), mean reciprocal rank, for each kind of evidence alone and all
together; wall time and peak memory.

    .venv/bin/python bench/match_quality.py [--missing 20000 --found 5000 --true 2000 --seed 0]

The attribute model is the shipped one (trained on another seed's world). Every pair that
passes blocking is scored once, by the bulk matcher (the path of `homeward match` and the
web app; `--splink` takes `search.score_pairs`, the reference it is tested against); each
evidence column then ranks on its own, its posterior the bare product with the prior (the
fusion's calibration is fitted for all the evidence together, which gets it).

    .venv/bin/python bench/match_quality.py --sweep 12 --missing 6000 --found 1500 --true 600

draws 12 worlds with other settings (`world.Noise.draw`: name noise, dialect accuracy, where
people are found, years from loss to find, age-estimate error, sex errors, photo and DNA
coverage), fits the attribute model to each without labels, and reports recall@1, recall@10,
precision and coverage at posterior >= 0.5 and the calibration gap, beside the shipped model
and the hand-weighted baseline (bench/baseline.py) on the same worlds, with the worst case.
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


def sweep_config(
    seed: int, n_missing: int, n_found: int, n_true: int
) -> tuple[WorldConfig, dict[str, float]]:
    """The world the sweep draws from `seed`: its settings and its photo and DNA cover."""
    from homeward.matching.world import Noise

    rng = np.random.default_rng(seed)
    cover = {
        name: float(rng.uniform(0.1, 0.9))
        for name in ("photo_missing", "photo_found", "dna_found", "dna_family")
    }
    return WorldConfig(n_missing, n_found, n_true, seed, noise=Noise.draw(rng), **cover), cover


def sweep_world(k: int, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """One world of the sweep, drawn from `args.seed + k`: the engine with the model fitted
    to it (no labels), the engine with the shipped model, and the baseline."""
    from baseline import baseline_scores

    from homeward.matching.attributes.fit import fit_model
    from homeward.matching.attributes.records import feature_row

    config, cover = sweep_config(args.seed + k, args.missing, args.found, args.true)
    world = build_world(config)
    found, _ = parse_records(world.found, "found")
    missing, _ = parse_records(world.missing, "missing")
    fitted, report = fit_model(
        [feature_row(r) for r in found], [feature_row(r) for r in missing], seed=k
    )
    fid = np.array([r["id"] for r in found])
    mid = np.array([r["id"] for r in missing])
    out: dict[str, dict[str, float]] = {}
    for name, model in (("fitted", fitted), ("shipped", AttributeModel.load())):
        table = ReportTable(missing, model=model)
        if name == "fitted":
            face_line = table.fit_face(world.found, seed=k)  # impostor photos from this world
        pairs = table.match(world.found, keep_pairs=True)["all"]
        truth = np.array([world.truth.get(f) for f in fid[pairs["found"]]]) == mid[pairs["missing"]]
        out[name] = metrics(pairs, truth, len(world.truth))
        out[name]["calibration gap"] = calibration_gap(pairs["posterior"], truth)
        out[name]["blocking recall"] = float(truth.sum() / len(world.truth))
        if name == "fitted":
            view = dict(pairs)
            view["total"] = baseline_scores(found, missing, pairs)
            view["strongest"] = view["total"]  # no tie broken by the engine's evidence
            view["posterior"] = np.full(len(truth), np.nan)
            out["baseline"] = metrics(view, truth, len(world.truth))
    out["world"] = {"noise": config.noise, "cover": cover, "fit": report.status, "face": face_line}
    return out


def calibration_gap(posterior: np.ndarray, truth: np.ndarray) -> float:
    """The largest |share true - mean posterior| over the bands at or above 0.5 holding at
    least 30 pairs (0 when none does)."""
    gaps = [
        abs(share - mean)
        for lo, _hi, n, share, mean in reliability(posterior, truth)
        if lo >= 0.5 and n >= 30
    ]
    return float(max(gaps, default=0.0))


GOALS = {"recall@1": 0.92, "recall@10": 0.97, "precision@0.5": 0.95}


def sweep(args: argparse.Namespace) -> int:
    print(
        f"sweep: {args.sweep} worlds of {args.missing} reports, {args.found} found, {args.true}"
        f" true pairs, settings drawn from seeds {args.seed}..{args.seed + args.sweep - 1}"
    )
    head = "| world | fit | blocking recall | engine r@1 | r@10 | precision | coverage | "
    print(head + "calib. gap | shipped r@1 | baseline r@1 | baseline r@10 |")
    print("|---" * 11 + "|")
    rows = []
    for k in range(args.sweep):
        r = sweep_world(k, args)
        rows.append(r)
        e, s, b = r["fitted"], r["shipped"], r["baseline"]
        print(
            f"| {args.seed + k} | {r['world']['fit']} | {e['blocking recall']:.3f} | "
            f"{e['recall@1']:.3f} | "
            f"{e['recall@10']:.3f} | {e['precision@0.5']:.3f} | {e['recall@0.5']:.3f} | "
            f"{e['calibration gap']:.3f} | {s['recall@1']:.3f} | {b['recall@1']:.3f} | "
            f"{b['recall@10']:.3f} |",
            flush=True,
        )
    worst = {m: min(r["fitted"][m] for r in rows) for m in ("recall@1", "recall@10")}
    worst["precision@0.5"] = min(r["fitted"]["precision@0.5"] for r in rows)
    worst["coverage"] = min(r["fitted"]["recall@0.5"] for r in rows)
    below = sum(
        r["fitted"]["recall@1"] < r["baseline"]["recall@1"]
        or r["fitted"]["recall@10"] < r["baseline"]["recall@10"]
        for r in rows
    )
    print(
        "worst case: "
        + ", ".join(f"{m} {v:.3f}" for m, v in worst.items())
        + f"; worlds where the engine is below the baseline: {below} of {len(rows)}"
    )
    met = all(worst[m] >= g for m, g in GOALS.items()) and below == 0
    print(
        "goals (r@1 >= 0.92, r@10 >= 0.97, precision >= 0.95, never below the baseline): "
        + ("met" if met else "NOT met")
    )
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--missing", type=int, default=20_000)
    parser.add_argument("--found", type=int, default=5_000)
    parser.add_argument("--true", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--splink", action="store_true", help="score with Splink (reference)")
    parser.add_argument(
        "--sweep", type=int, default=0, help="N worlds drawn with other settings (see sweep)"
    )
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    print("command: .venv/bin/python bench/match_quality.py " + " ".join(argv))
    if args.sweep:
        return sweep(args)
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
        # Ties within this view are broken by this evidence alone, never by the others.
        view["strongest"] = fusion.strongest_part(
            {
                p: view[p] if p in parts else np.full(len(view["total"]), np.nan)
                for p in fusion.PARTS
            }
        )
        together = name == "all together"
        calibration = None if together else fusion.IDENTITY
        rivals = fusion.DEFAULT_PRIOR.rivals(view["total"], view["found"])
        view["posterior"] = fusion.posterior(pairs["prior"] - rivals, view["total"], calibration)
        m = metrics(view, truth, n_true)
        print(
            f"| {name} | {m['recall@1']:.4f} | {m['recall@10']:.4f} | {m['precision@0.5']:.4f}"
            f" | {m['recall@0.5']:.4f} | {m['MRR']:.4f} |"
        )
    print("\nreliability (all together): posterior band | pairs | share true")
    both = pairs["posterior"]
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
