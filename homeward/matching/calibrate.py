"""Fit the fusion's posterior calibration on a labelled synthetic world.

    python -m homeward.matching.calibrate [OUT.json]     # default: the shipped file

Builds the `TRAINING_WORLDS` (all evidence: attributes, face, DNA; three seeds and three
sizes of report pool, so the fit follows no one world's chance), scores every blocked pair
with the bulk matcher and the bare product (`fusion.IDENTITY`), and fits the logistic
regression P(true pair) = logistic(a + b x log odds) on their pairs together, by maximum
likelihood, unweighted: the pairs are in their natural proportions, so the fitted odds are
posterior odds. The shipped file says what it was fitted on; `tests/matching/test_cli.py`
checks it on worlds of other seeds and sizes. Refit once real confirmed reunions exist, from
their pairs' parts instead of the world's.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from pathlib import Path

import numpy as np

from homeward.matching import fusion

TRAINING_WORLDS = (
    {"n_missing": 20000, "n_found": 5000, "n_true": 2000, "seed": 2024},
    {"n_missing": 8000, "n_found": 4000, "n_true": 1500, "seed": 2025},
    {"n_missing": 12000, "n_found": 3000, "n_true": 1000, "seed": 2026},
)
BANDS = ((0.0, 0.1), (0.1, 0.5), (0.5, 0.8), (0.8, 0.9), (0.9, 0.99), (0.99, 1.01))


def fit_posterior(log10_odds: np.ndarray, same: np.ndarray, iterations: int = 100) -> tuple:
    """(intercept, slope) in log10 odds of the maximum-likelihood logistic fit of `same`
    (bool) on `log10_odds` (float), by Newton's method."""
    x = np.clip(np.asarray(log10_odds, np.float64), -300, 300) * math.log(10)
    y = np.asarray(same, np.float64)
    design = np.column_stack([np.ones_like(x), x])
    beta = np.array([0.0, 1.0])
    for _ in range(iterations):
        p = 0.5 * (1.0 + np.tanh(0.5 * (design @ beta)))
        gradient = design.T @ (y - p)
        hessian = (design.T * (p * (1 - p))) @ design + 1e-9 * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    return float(beta[0] / math.log(10)), float(beta[1])


def reliability(
    posterior: np.ndarray, same: np.ndarray
) -> list[tuple[float, float, int, float, float]]:
    """(low, high, pairs, share true, mean posterior) for each posterior band of `BANDS`."""
    rows = []
    for lo, hi in BANDS:
        sel = (posterior >= lo) & (posterior < hi)
        share = float(same[sel].mean()) if sel.any() else math.nan
        mean = float(posterior[sel].mean()) if sel.any() else math.nan
        rows.append((lo, min(hi, 1.0), int(sel.sum()), share, mean))
    return rows


def world_pairs(
    config: dict, calibration: fusion.Calibration | None = fusion.IDENTITY
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Every blocked pair of a world (bulk matcher, all evidence; posteriors through
    `calibration`, by default none: the bare product) and whether it is a true pair."""
    from homeward.matching.bulk import ReportTable
    from homeward.matching.search import parse_records
    from homeward.matching.world import WorldConfig, build_world

    world = build_world(WorldConfig(**config))
    missing, _ = parse_records(world.missing, "missing")
    table = ReportTable(missing, calibration=calibration)
    pairs = table.match(world.found, keep_pairs=True)["all"]
    found, _ = parse_records(world.found, "found")  # the rows `pairs["found"]` counts
    found_ids = np.array([r["id"] for r in found])
    report_ids = np.array(table.ids)
    wanted = np.array([world.truth.get(f, "") for f in found_ids])
    same = wanted[pairs["found"]] == report_ids[pairs["missing"]]
    return pairs, same


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else fusion.CALIBRATION_FILE
    parts = [world_pairs(world) for world in TRAINING_WORLDS]
    # log10 odds of the bare product against the found person's other reports, unrounded
    odds = np.concatenate([p["prior"] - p["rivals"] + p["total"] for p, _ in parts])
    same = np.concatenate([s for _, s in parts])
    bare = np.concatenate([p["posterior"] for p, _ in parts])
    intercept, slope = fit_posterior(odds, same)
    data = {
        "intercept": round(intercept, 6),
        "slope": round(slope, 6),
        "fitted_on": (
            f"{len(same):,} blocked pairs ({int(same.sum()):,} true) of the synthetic worlds "
            f"{list(TRAINING_WORLDS)}, all evidence, the shipped attribute model and face "
            "calibration, prior has_report 0.5, the pool's rivals"
        ),
        "fitted_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    calibrated = fusion.posterior(odds, np.zeros_like(odds), fusion.Calibration(intercept, slope))
    print("band | pairs | share true (bare product) | pairs | share true (calibrated)")
    before, after = reliability(bare, same), reliability(calibrated, same)
    for (lo, hi, n0, s0, _m0), (_, _, n1, s1, _m1) in zip(before, after, strict=True):
        print(f"{lo:.2f}-{hi:.2f} | {n0} | {s0:.3f} | {n1} | {s1:.3f}")
    print(f"wrote {out}: intercept {intercept:.4f}, slope {slope:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
