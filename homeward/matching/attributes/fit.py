"""Fitting the attribute model to the records at hand, without labels (or with a few).

The shipped model was trained on the project's own synthetic world, so its weights carry
that world's habits (how far people travel, how names are misheard). `fit_model` starts from
it and re-estimates on the actual found people and reports: u by random sampling, m by
expectation maximisation (Splink), then m from labelled pairs (confirmed reunions) where
there are enough of them. Safeguards:

- too few records (`MIN_FOUND`, `MIN_MISSING`): the start model is kept, and the report
  says so;
- a level EM cannot see in this data keeps the start model's m (Splink leaves it);
- a comparison whose fitted agreement level turned into evidence *against* (EM wandered to a
  degenerate solution) goes back to the start model's m and u, and the report names it;
- a failed EM session is skipped, the others kept; a session that ran out of iterations
  is reported as not converged.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import math
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from homeward.matching.attributes.comparisons import COMPARISONS
from homeward.matching.attributes.model import (
    AttributeModel,
    neutralise_untrained,
    train_m_on_labels,
)

MIN_FOUND = 200
MIN_MISSING = 1000
MIN_LABELS = 30
# A refit may not separate confirmed from rejected pairs worse than its start model by more
# than this (area under the ROC curve of the attribute totals).
AUC_TOLERANCE = 0.02
# EM sees at most this many records of each kind (a random sample): enough to estimate
# a few dozen probabilities, and quick at national scale.
MAX_FOUND, MAX_MISSING = 20_000, 200_000
EM_RULES = ("l.name_py = r.name_py", "l.sex = r.sex and l.place = r.place")


@dataclass
class FitReport:
    """What fitting did: "fitted" or "kept" (the start model), why, on how much, and how
    far each comparison's weights moved (log10, the largest change of one level)."""

    status: str
    reason: str = ""
    found: int = 0
    missing: int = 0
    labels: int = 0
    start: str = ""
    version: str = ""
    sessions: list[dict[str, Any]] = field(default_factory=list)
    reverted: list[str] = field(default_factory=list)
    shifts: dict[str, float] = field(default_factory=dict)
    # With confirmed and rejected pairs: how well each model separates them (AUC).
    check: dict[str, float] = field(default_factory=dict)
    face: str = ""  # what drawing the face's impostor side did (`bulk.ReportTable.fit_face`)

    def lines(self) -> list[str]:
        """The report as lines for a console or a log."""
        out = [
            f"attribute model: {self.status} ({self.reason}); {self.found:,} found people, "
            f"{self.missing:,} reports, {self.labels:,} labelled pairs; "
            f"start {self.start} -> {self.version or self.start}"
        ]
        for s in self.sessions:
            state = s.get("error") or (
                f"{s['iterations']} iterations, "
                + ("converged" if s["converged"] else "NOT converged")
            )
            out.append(f"  EM on {s['rule']}: {state}")
        if self.reverted:
            out.append("  kept from the start model: " + ", ".join(self.reverted))
        if self.check:
            out.append(
                f"  confirmed against rejected pairs, AUC: start {self.check['start']:.3f}, "
                f"fitted {self.check['fitted']:.3f} ({self.check['pairs']:.0f} pairs)"
            )
        if self.shifts:
            moved = ", ".join(f"{k} {v:.2f}" for k, v in sorted(self.shifts.items()))
            out.append(f"  largest change of a level's log10 weight: {moved}")
        if self.face:
            out.append("  " + self.face)
        return out

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _weights(settings: dict[str, Any]) -> dict[str, list[float | None]]:
    """{comparison: log10 m/u of each non-null level (None where unknown)}."""
    out = {}
    for comp in settings["comparisons"]:
        levels = []
        for level in comp["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            levels.append(math.log10(m / u) if m and u else None)
        out[comp["output_column_name"]] = levels
    return out


def _sample(rows: Sequence[dict], limit: int, rng: random.Random) -> list[dict]:
    return list(rows) if len(rows) <= limit else rng.sample(list(rows), limit)


def fit_model(
    found: Sequence[dict[str, Any]],
    missing: Sequence[dict[str, Any]],
    *,
    start: AttributeModel | None = None,
    labels: Sequence[tuple[str, str]] = (),
    rejected: Sequence[tuple[str, str]] = (),
    seed: int = 0,
    min_found: int = MIN_FOUND,
    min_missing: int = MIN_MISSING,
    min_labels: int = MIN_LABELS,
    min_check: int = MIN_LABELS,
) -> tuple[AttributeModel, FitReport]:
    """The attribute model fitted to these records (`records.feature_row` dicts), starting
    from `start` (default: the shipped model), and the report of what happened.

    `labels` are pairs known to be one person (with `min_labels` of them they train m);
    `rejected` pairs known not to be. With `min_check` of each, a fit that separates them
    worse than the start model is not used."""
    from splink.blocking_rule_library import CustomRule

    start = start or AttributeModel.load()
    report = FitReport("kept", found=len(found), missing=len(missing), start=start.version())
    if len(found) < min_found or len(missing) < min_missing:
        report.reason = (
            f"too few records to fit (at least {min_found} found people and {min_missing} reports)"
        )
        return start, report
    rng = random.Random(seed)
    found_s, missing_s = _sample(found, MAX_FOUND, rng), _sample(missing, MAX_MISSING, rng)
    settings = copy.deepcopy(start.settings)
    settings["probability_two_random_records_match"] = 1.0 / max(len(missing_s), 2)
    linker, con = AttributeModel._linker(found_s, missing_s, settings)
    try:
        linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed)
        for rule in EM_RULES:
            snapshot = linker.misc.save_model_to_json()
            try:
                session = linker.training.estimate_parameters_using_expectation_maximisation(
                    CustomRule(rule), fix_probability_two_random_records_match=True
                )
            except Exception as exc:  # noqa: BLE001 - Splink 5 raises on m underflow
                logging.getLogger(__name__).warning("EM on %s skipped: %s", rule, exc)
                report.sessions.append({"rule": rule, "error": f"skipped ({exc})"})
                con.close()
                linker, con = AttributeModel._linker(found_s, missing_s, snapshot)
                continue
            iterations = len(session._core_model_settings_history)
            limit = session.training_settings.max_iterations
            report.sessions.append(
                {"rule": rule, "iterations": iterations, "converged": iterations < limit}
            )
        sampled = {r["unique_id"] for r in found_s}
        kept_labels = [(f, m) for f, m in labels if f in sampled]
        if len(kept_labels) >= min_labels:
            train_m_on_labels(linker, con, kept_labels)
            report.labels = len(kept_labels)
        fitted = linker.misc.save_model_to_json()
    finally:
        con.close()
    kept = [c.get("output_column_name") for c in fitted["comparisons"]]
    if kept != [c.name for c in COMPARISONS]:
        report.reason = "fitting lost comparisons; the start model is kept"
        return start, report
    neutralise_untrained(fitted)
    _revert_degenerate(fitted, start.settings, report)
    before, after = _weights(start.settings), _weights(fitted)
    for name, levels in after.items():
        moves = [abs(a - b) for a, b in zip(levels, before[name], strict=True) if a and b]
        report.shifts[name] = round(max(moves, default=0.0), 3)
    meta = {
        "fitted_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "found": len(found),
        "missing": len(missing),
        "labels": report.labels,
        "seed": seed,
        "start": start.version(),
    }
    model = AttributeModel(fitted, meta)
    # The total's calibration is the start model's unless labels can fit a new one.
    if report.labels:
        model.meta["recalibration"] = model._recalibrate(found_s, missing_s, kept_labels)
    elif start.meta.get("recalibration"):
        model.meta["recalibration"] = start.meta["recalibration"]
    model.meta["fit"] = {"sessions": report.sessions, "reverted": report.reverted}
    if len(labels) >= min_check and len(rejected) >= min_check:
        rows_f = {r["unique_id"]: r for r in found}
        rows_m = {r["unique_id"]: r for r in missing}
        report.check = {
            "start": labelled_auc(start, rows_f, rows_m, labels, rejected),
            "fitted": labelled_auc(model, rows_f, rows_m, labels, rejected),
            "pairs": float(len(labels) + len(rejected)),
        }
        if report.check["fitted"] < report.check["start"] - AUC_TOLERANCE:
            report.reason = (
                "the fit separates confirmed from rejected pairs worse than the start model"
            )
            return start, report
    report.status, report.version = "fitted", model.version()
    report.reason = report.reason or "fitted on the records at hand"
    return model, report


def _revert_degenerate(fitted: dict, start: dict, report: FitReport) -> None:
    """A comparison whose most specific agreement now counts against the pair, while it
    counted for it in the start model, takes back the start model's levels."""
    by_name = {c["output_column_name"]: c for c in start["comparisons"]}
    for k, comp in enumerate(fitted["comparisons"]):
        name = comp["output_column_name"]
        first_new = _weights({"comparisons": [comp]})[name]
        first_old = _weights({"comparisons": [by_name[name]]})[name]
        if not first_new or first_new[0] is None or first_old[0] is None:
            continue
        if first_old[0] > 0 and first_new[0] < 0:
            fitted["comparisons"][k] = copy.deepcopy(by_name[name])
            report.reverted.append(name)


def labelled_auc(
    model: AttributeModel,
    found: dict[str, dict],
    missing: dict[str, dict],
    confirmed: Sequence[tuple[str, str]],
    rejected: Sequence[tuple[str, str]],
) -> float:
    """How well `model`'s attribute totals put confirmed pairs above rejected ones: the
    share of (confirmed, rejected) couples ranked the right way, ties counting a half (the
    area under the ROC curve). A pair the blocking drops scores lowest."""
    import numpy as np

    pairs = [(f, m) for f, m in (*confirmed, *rejected) if f in found and m in missing]
    f_ids = sorted({f for f, _ in pairs})
    m_ids = sorted({m for _, m in pairs})
    scored = model.score([found[f] for f in f_ids], [missing[m] for m in m_ids])
    totals = {
        (f_ids[i], m_ids[j]): t
        for i, j, t in zip(scored.found, scored.missing, scored.total(), strict=True)
    }
    low = -1e9
    pos = np.array([totals.get(p, low) for p in confirmed if p in set(pairs)])
    neg = np.array([totals.get(p, low) for p in rejected if p in set(pairs)])
    if not len(pos) or not len(neg):
        return float("nan")
    above = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(above / (len(pos) * len(neg)))
