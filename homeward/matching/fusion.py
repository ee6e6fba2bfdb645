"""Evidence fusion: posterior odds = prior odds x BF_attributes x LR_face x LR_dna / rivals.

The parts are independent given whether the pair is the same person, so their base-10 logs
add. The prior is stated, not learnt: of the `pool` reports a found person is compared with
(those that pass blocking), at most one is theirs, and with probability `has_report` one
is; so each pair's prior probability is pi = has_report / pool. Absent evidence (NaN)
counts 0.

The pool is searched as a whole, so the posterior of report i weighs it against every
other explanation at once (the many-hypotheses posterior: Brenner's "manyhyp"; Slooten &
Meester, "Database likelihood ratios and familial searching", arXiv:1201.4261):

    P(i) = pi LR_i / (sum_j pi LR_j + 1 - has_report)

The other reports' evidence enters as `rivals`: log10 of (sum over j != i of pi LR_j +
1 - has_report) / (1 - pi), 0 when every other report is neutral (LR 1), above 0 when some
other report fits too (two families whose DNA both index 10^4 share the posterior; a lone
chance hit among many families does not stand alone), and at least log10((1 - has_report)
/ (1 - pi)) when every other report is ruled out. Posterior log10 odds = prior + total -
rivals. Ranks within a found person never change by it: the rivals only rescale.

The posterior then goes through one fitted `Calibration` (log10 odds' = intercept + slope x
log10 odds), because the parts are honest but cautious: the face LR is capped where its
impostor sample runs out (10^2.8 to 10^3.2 for the shipped sample), so a pair with matching
photos is more often the right person than the product says. The shipped calibration
(`fusion_calibration.json`) is fitted on a labelled synthetic world by `python -m
homeward.matching.calibrate`; each part and the product (`log10_lr.total`) stay in the
candidate as they were, for the reviewer.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PARTS = ("attributes", "face", "dna")


@dataclass(frozen=True)
class Prior:
    """`has_report`: probability that a found person's report is among those searched
    (0.5 by default: about half of the people stations take in are ever reported)."""

    has_report: float = 0.5

    def log10_odds(self, pool: np.ndarray | int) -> np.ndarray:
        """Prior log10 odds of one pair for pools of `pool` reports: float64 like `pool`."""
        p = self._pi(pool)
        return np.log10(p) - np.log10(1 - p)

    def _pi(self, pool: np.ndarray | int) -> np.ndarray:
        n = np.maximum(np.asarray(pool, dtype=np.float64), 1.0)
        return np.minimum(self.has_report / n, 1 - 1e-12)

    def rivals(self, total: np.ndarray, group: np.ndarray | None = None) -> np.ndarray:
        """Each pair's rivals term (log10, float64 like `total`): the weight of every other
        explanation of its found person, the other reports of its `group` (default: one
        group, all pairs of one found person) and "none of them", against a neutral field.

        Worked out in log space from the largest weight of each group, so a pair with
        overwhelming evidence does not cancel itself out of its own rivals.
        """
        total = np.clip(np.asarray(total, np.float64), -1e6, 1e6)
        if len(total) == 0:
            return np.zeros(0)
        if group is None:
            return self._rivals_one(total)
        _, g = np.unique(group, return_inverse=True)
        pool = np.bincount(g)
        pi = self._pi(pool)  # per group
        w = np.log10(pi)[g] + total  # log10 (pi LR_j)
        none = math.log10(max(1.0 - self.has_report, 1e-300))
        top = np.full(len(pool), none)
        np.maximum.at(top, g, w)
        whole = np.power(10.0, none - top) + np.bincount(
            g, weights=np.power(10.0, w - top[g]), minlength=len(pool)
        )
        # The other pairs hold the largest term, so whole - own loses nothing; the largest
        # pair itself sums the rest from the rest's own largest term.
        idx = np.flatnonzero(w == top[g])
        first = np.full(len(pool), len(total))
        np.minimum.at(first, g[idx], idx)  # the first top pair of each group
        head = np.zeros(len(total) + 1, bool)
        head[first] = True
        head = head[:-1]
        others = np.where(head, -np.inf, w)
        top2 = np.full(len(pool), none)
        np.maximum.at(top2, g, others)
        without_head = np.power(10.0, none - top2) + np.bincount(
            g, weights=np.power(10.0, others - top2[g]), minlength=len(pool)
        )
        rest = np.where(
            head,
            np.log10(without_head[g]) + top2[g],
            np.log10(np.maximum(whole[g] - np.power(10.0, w - top[g]), 1e-300)) + top[g],
        )
        return rest - np.log10(1 - pi[g])

    def _rivals_one(self, total: np.ndarray) -> np.ndarray:
        """`rivals` of one found person's pairs: the same sums without grouping."""
        pi = float(self._pi(len(total)))
        w = math.log10(pi) + total
        none = math.log10(max(1.0 - self.has_report, 1e-300))
        head = int(np.argmax(w))
        top = max(float(w[head]), none)
        t = np.power(10.0, w - top)
        whole = math.pow(10.0, none - top) + float(t.sum())
        rest = np.log10(np.maximum(whole - t, 1e-300)) + top
        others = np.delete(w, head)
        top2 = max(float(others.max()), none) if len(others) else none
        rest[head] = (
            math.log10(math.pow(10.0, none - top2) + float(np.power(10.0, others - top2).sum()))
            + top2
        )
        return rest - math.log10(1 - pi)


DEFAULT_PRIOR = Prior()
CALIBRATION_FILE = Path(__file__).with_name("fusion_calibration.json")


@dataclass(frozen=True)
class Calibration:
    """Calibrated log10 odds = intercept + slope x (prior log10 odds + total log10 LR)."""

    intercept: float = 0.0
    slope: float = 1.0

    def apply(self, log10_odds: np.ndarray) -> np.ndarray:
        return self.intercept + self.slope * np.asarray(log10_odds, np.float64)


IDENTITY = Calibration()


@functools.cache
def shipped_calibration() -> Calibration:
    """The calibration in `fusion_calibration.json`."""
    data = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    return Calibration(float(data["intercept"]), float(data["slope"]))


def total_log10_lr(*parts: np.ndarray) -> np.ndarray:
    """Sum of base-10 log LRs, NaN (absent) counted as 0: float64 (n,)."""
    stacked = np.stack([np.asarray(p, np.float64) for p in parts])
    return np.nansum(stacked, axis=0)


def posterior(
    prior_log10_odds: np.ndarray, log10_lr: np.ndarray, calibration: Calibration | None = None
) -> np.ndarray:
    """P(same person | evidence) from prior log10 odds and the total log10 LR, through
    `calibration` (default: the shipped one; `IDENTITY` for the bare product): float64."""
    cal = shipped_calibration() if calibration is None else calibration
    z = cal.apply(np.asarray(prior_log10_odds, np.float64) + np.asarray(log10_lr, np.float64))
    return 1.0 / (1.0 + np.power(10.0, -np.clip(z, -300, 300)))


def posterior_reference(
    prior_probability: float, lrs: list[float | None], calibration: Calibration | None = None
) -> float:
    """The same, one pair, by multiplying odds (the twin of `posterior`)."""
    cal = shipped_calibration() if calibration is None else calibration
    odds = prior_probability / (1 - prior_probability)
    for lr in lrs:
        if lr is not None:
            odds *= lr
    odds = 10.0 ** (cal.intercept + cal.slope * math.log10(odds)) if odds > 0 else 0.0
    return odds / (1 + odds)


def _round(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 4)


def candidate(
    found_id: str,
    missing_id: str,
    rank: int,
    prior_log10_odds: float,
    parts: dict[str, float],
    breakdown: dict[str, float] | None = None,
    calibration: Calibration | None = None,
    model: str = "",
    rivals: float = 0.0,
) -> dict[str, object]:
    """An HWX candidate: each part's log10 LR (null when absent), total, posterior, rank.

    `parts` maps PARTS to a log10 LR or NaN; `breakdown` the attribute fields' log10 BF;
    `model` the attribute model's version that scored it; `rivals` the other reports'
    weight (`Prior.rivals`), kept in the candidate as "rivals_log10".
    """
    total = float(total_log10_lr(*[np.array([parts.get(k, np.nan)]) for k in PARTS])[0])
    odds = prior_log10_odds - rivals
    post = float(posterior(np.array(odds), np.array(total), calibration))
    out: dict[str, object] = {
        "found": found_id,
        "missing": missing_id,
        "rank": rank,
        "posterior": round(post, 6),
        "log10_lr": {
            **{k: _round(parts.get(k, math.nan)) for k in PARTS},
            "total": round(total, 4),
        },
        "prior_log10_odds": round(float(prior_log10_odds), 4),
        "rivals_log10": round(float(rivals), 4) + 0.0,  # never -0.0
    }
    if breakdown is not None:
        out["attributes"] = {k: round(float(v), 4) for k, v in breakdown.items()}
    if model:
        out["model"] = model
    return out


def strongest_part(parts: dict[str, np.ndarray]) -> np.ndarray:
    """Each pair's strongest single piece of evidence (log10 LR), -inf where it has none."""
    stacked = np.vstack([np.asarray(parts[p], dtype=np.float64) for p in PARTS])
    filled = np.where(np.isnan(stacked), -np.inf, stacked)
    return filled.max(axis=0)


def best_first(
    total: np.ndarray, strongest: np.ndarray, recency: np.ndarray, id_rank: np.ndarray
) -> np.ndarray:
    """Positions of one found person's pairs, best first: by the total evidence; a tie by
    the strongest single part (one clear photo before several weak coincidences), then by
    the more recent report (days of its loss; unknown last), then by the report's id. Never
    by the order the reports were read in."""
    recent = np.where(np.isnan(recency), -np.inf, recency)
    return np.lexsort((id_rank, -recent, -strongest, -total))


def id_ranks(ids: list[str]) -> np.ndarray:
    """Each id's place in sorted order (int64): a tie-break that no file order changes."""
    ranks = np.empty(len(ids), np.int64)
    ranks[np.argsort(np.asarray(ids, dtype=object), kind="stable")] = np.arange(len(ids))
    return ranks
