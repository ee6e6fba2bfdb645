"""A found person's pool, summed up: what a new report needs to be scored in one pair.

A pair's posterior weighs it against every other report the found person is compared
with (`fusion.Prior.rivals`): the pool's size sets each pair's prior, and the sum of the
other pairs' LRs sets the rivals. So a new report, matched alone against one person, needs
no other pair of theirs again, only these sums: how many reports the pool holds, the
`keep` best pairs' totals by report, and the log10 of the sum of the LRs of the rest.
`ReportTable.match(..., pools=True)` gives each person's `Pool`; `Pool.add` takes a new
report's pair in, and `prior`, `rivals` give any pair of the pool what a full match gives
it (to rounding: the sums are added in another order). `tests/matching/test_pools.py`
holds them to a full match of the grown table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from homeward.matching import fusion

NONE = -math.inf  # log10 of an empty sum


def log10_sum(values: Sequence[float] | np.ndarray) -> float:
    """log10 of the sum of 10**v, from the largest term (NONE for no terms)."""
    values = np.asarray(values, np.float64)
    if len(values) == 0:
        return NONE
    top = float(values.max())
    if top == NONE:
        return NONE
    return top + math.log10(float(np.power(10.0, values - top).sum()))


@dataclass(frozen=True)
class Pool:
    """One found person's pool: `size` reports, the best pairs (`top`: report id, total
    log10 LR, strongest part and recency, best first as `fusion.best_first` orders them,
    at most `keep` of them) and `rest`, the log10 of the sum of every other pair's LR
    (NONE when there is none)."""

    size: int
    top: tuple[tuple[str, float, float, float], ...]
    rest: float
    keep: int

    @classmethod
    def of(
        cls,
        best: Sequence[tuple[str, float, float]],
        totals: np.ndarray,
        order: np.ndarray,
        keep: int,
    ) -> Pool:
        """The pool of one person's pairs (their `totals`), `order` the positions of the
        best pairs, best first (`bulk._top`), `best` the report id, strongest part and
        recency at those positions."""
        chosen = [int(k) for k in order[:keep]]
        rest = np.ones(len(totals), bool)
        rest[chosen] = False
        return cls(
            size=len(totals),
            top=tuple(
                (report, float(totals[k]), float(strongest), float(recency))
                for k, (report, strongest, recency) in zip(chosen, best, strict=False)
            ),
            rest=log10_sum(np.clip(np.asarray(totals, np.float64)[rest], -1e6, 1e6)),
            keep=keep,
        )

    def add(self, report: str, total: float, strongest: float, recency: float) -> Pool:
        """The pool with one more report's pair: it joins the best when it comes before
        the last of them in `fusion.best_first`'s order (the total, then the strongest
        part, the more recent report, the report's id)."""
        total = float(np.clip(total, -1e6, 1e6))
        pairs = sorted([*self.top, (report, total, float(strongest), float(recency))], key=_key)
        rest = self.rest
        if len(pairs) > self.keep:
            rest = log10_sum([rest, pairs.pop()[1]])
        return Pool(self.size + 1, tuple(pairs), rest, self.keep)

    def rank(self, report: str) -> int | None:
        """The report's place among the best (from 1), None when it is not among them."""
        for place, (report_id, *_figures) in enumerate(self.top, start=1):
            if report_id == report:
                return place
        return None

    def prior(self, prior: fusion.Prior = fusion.DEFAULT_PRIOR) -> float:
        """Each pair's prior log10 odds (`Prior.log10_odds` of the pool's size)."""
        return float(prior.log10_odds(self.size))

    def rivals(
        self, report: str, total: float, prior: fusion.Prior = fusion.DEFAULT_PRIOR
    ) -> float:
        """`Prior.rivals` of the pair of `report` (with this `total`) in this pool: the
        other pairs' LRs and "none of them". A pair among the best is left out of the sum
        exactly; another is taken off the whole."""
        pi = float(prior._pi(self.size))
        total = float(np.clip(total, -1e6, 1e6))
        mine = [t for r, t, *_ in self.top if r == report]
        others_top = [t for r, t, *_ in self.top if r != report]
        if mine:
            others = log10_sum([*others_top, self.rest])
        else:
            whole = log10_sum([*others_top, self.rest])
            if whole == NONE or total >= whole:
                others = NONE
            else:
                others = whole + math.log10(max(1.0 - 10.0 ** (total - whole), 1e-300))
        none = math.log10(max(1.0 - prior.has_report, 1e-300))
        weight = log10_sum([none, math.log10(pi) + others])
        return weight - math.log10(1 - pi)

    def as_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            # JSON has no infinity or NaN: a pair with no evidence at all, a report
            # with no date of loss, are kept as null.
            "top": [[r, t, _finite(s), _finite(d)] for r, t, s, d in self.top],
            "rest": None if self.rest == NONE else self.rest,
            "keep": self.keep,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Pool:
        rest = data.get("rest")
        return cls(
            size=int(data["size"]),
            top=tuple(
                (str(r), float(t), -math.inf if s is None else float(s), _number(d))
                for r, t, s, d in data["top"]
            ),
            rest=NONE if rest is None else float(rest),
            keep=int(data["keep"]),
        )


def _key(pair: tuple[str, float, float, float]) -> tuple:
    """`fusion.best_first`'s order: the total, the strongest part, the more recent report
    (unknown last), the report's id."""
    report, total, strongest, recency = pair
    return (-total, -strongest, math.inf if math.isnan(recency) else -recency, report)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _number(value: float | None) -> float:
    return math.nan if value is None else float(value)
