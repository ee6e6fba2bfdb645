"""Mutation models for parent-to-child transmission (pedmut / Familias definitions).

M[i, j] is the probability that a parent's allele i reaches the child as allele j.
* ``equal``: M[i, j] = rate / (K - 1) for j != i.
* ``proportional``: M = (1 - a) I + a 1 p^T with a = rate / sum p(1 - p); stationary.
* ``stepwise`` (Familias "decreasing with range"): within a microvariant class M[i, j] is
  proportional to range^|i - j| and sums to `rate`; steps between classes share `rate2`.
  Definitions follow pedmut's `mutationMatrix()` (github.com/magnusdv/pedmut).

Rates are per meiosis and sex-specific; a person of unknown sex transmits with the mean
of the two matrices (exact for one outgoing meiosis, since the likelihood is linear in M).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from homeward.matching.dna.errors import DnaError
from homeward.matching.dna.loci import allele_sort_key, canonical_locus

MODELS = ("equal", "proportional", "stepwise")
# Conservative defaults when no rate is given. Published Han Chinese means are 0.7-1.25e-3
# per meiosis, paternal:maternal about 5-6:1 (Jin et al., FSI:G 23:86, 10,636 trios; a
# Yunnan Han study, IJLM 132:1083).
DEFAULT_RATE_MALE = 2e-3
DEFAULT_RATE_FEMALE = 5e-4
DEFAULT_RANGE = 0.1
# Microvariant <-> integer steps are rare; pedmut requires a value, Familias defaults low.
DEFAULT_RATE2_FRACTION = 0.1


@dataclass(frozen=True)
class MutationModel:
    """A mutation model with per-sex rates and optional per-locus rates.

    `locus_rates` maps canonical locus -> (male rate, female rate) and wins over
    `rate_male`/`rate_female`. `rate2` (stepwise, integer <-> microvariant) defaults to
    a tenth of the locus rate.
    """

    model: str = "stepwise"
    rate_male: float = DEFAULT_RATE_MALE
    rate_female: float = DEFAULT_RATE_FEMALE
    range: float = DEFAULT_RANGE
    rate2: float | None = None
    locus_rates: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def rates(self, locus: str) -> tuple[float, float]:
        """(male, female) rate at `locus`."""
        return tuple(self.locus_rates.get(locus, (self.rate_male, self.rate_female)))  # type: ignore[return-value]

    def matrix(self, locus: str, alleles: Sequence[str], freqs: np.ndarray, sex: str) -> np.ndarray:
        """K x K float64 transition matrix at `locus` for a parent of `sex` ("M", "F", "U")."""
        male, female = self.rates(locus)
        if sex == "U":
            return 0.5 * (
                self.matrix(locus, alleles, freqs, "M") + self.matrix(locus, alleles, freqs, "F")
            )
        rate = male if sex == "M" else female
        rate2 = rate * DEFAULT_RATE2_FRACTION if self.rate2 is None else self.rate2
        key_freqs = tuple(np.asarray(freqs).tolist()) if self.model == "proportional" else None
        return _cached(self.model, tuple(alleles), key_freqs, rate, rate2, self.range)

    def as_dict(self) -> dict[str, object]:
        """Settings as printed in reports."""
        return {
            "model": self.model,
            "rate_male": self.rate_male,
            "rate_female": self.rate_female,
            "range": self.range if self.model == "stepwise" else None,
            "rate2": self.rate2,
            "locus_rates": {k: list(v) for k, v in self.locus_rates.items()},
        }


@functools.lru_cache(maxsize=4096)
def _cached(model, alleles, freqs, rate, rate2, range_) -> np.ndarray:  # noqa: ANN001
    m = mutation_matrix(model, alleles, np.array(freqs or ()), rate, rate2=rate2, range_=range_)
    m.flags.writeable = False
    return m


def mutation_matrix(
    model: str,
    alleles: Sequence[str],
    freqs: np.ndarray,
    rate: float,
    *,
    rate2: float = 0.0,
    range_: float = DEFAULT_RANGE,
) -> np.ndarray:
    """K x K float64 mutation matrix; rows sum to 1. `alleles` are canonical strings."""
    k = len(alleles)
    if k <= 1 or rate == 0 and (model != "stepwise" or rate2 == 0):
        return np.eye(k)
    if model == "equal":
        m = np.full((k, k), rate / (k - 1))
        np.fill_diagonal(m, 1 - rate)
        return m
    if model == "proportional":
        p = np.asarray(freqs, dtype=np.float64)
        a = rate / float(np.sum(p * (1 - p)))
        m = (1 - a) * np.eye(k) + a * p[None, :]
        if (m > 1).any() or (m < 0).any():
            raise DnaError(f"proportional mutation rate {rate} is too large for these alleles.")
        return m
    if model == "stepwise":
        return _stepwise(alleles, rate, rate2, range_)
    raise DnaError(f"mutation model '{model}' is not one of {', '.join(MODELS)}.", field="mutation")


def _stepwise(alleles: Sequence[str], rate: float, rate2: float, range_: float) -> np.ndarray:
    keys = [allele_sort_key(a) for a in alleles]
    values = np.array([w + t / 10 for w, t in keys])
    group = np.array([t for _, t in keys])
    k = len(alleles)
    m = np.zeros((k, k))
    for i in range(k):
        same = group == group[i]
        n_same, n_other = int(same.sum()), int(k - same.sum())
        if n_other == 0:
            m[i, i] = 1 - rate
        elif n_same == 1:
            m[i, i] = 1 - rate2
        else:
            m[i, i] = 1 - rate - rate2
        if n_other:
            m[i, ~same] = rate2 / n_other
        targets = same.copy()
        targets[i] = False
        if targets.any():
            weights = range_ ** np.abs(values[targets] - values[i])
            m[i, targets] = weights / weights.sum() * rate
    return m


def parse_mutation(raw: object) -> MutationModel | None:
    """A MutationModel from case JSON ``{"model": "stepwise", "rate": 0.002, ...}``.

    Keys: model; rate (both sexes) or rate_male / rate_female; range; rate2;
    loci ({LOCUS: rate or {"male": r, "female": r}}). None or absent: no mutation model.
    """
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise DnaError(
            'mutation must be an object such as {"model": "stepwise"}.', field="mutation"
        )
    model = raw.get("model", "stepwise")
    if model not in MODELS:
        raise DnaError(
            f"mutation model '{model}' is not one of {', '.join(MODELS)}.", field="mutation"
        )

    def rate(value: object, what: str) -> float:
        try:
            out = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            out = -1.0
        if not 0 <= out < 0.5:
            raise DnaError(
                f"mutation {what} must be a number in [0, 0.5), got {value!r}.", field="mutation"
            )
        return out

    both = raw.get("rate")
    male = rate(raw.get("rate_male", both if both is not None else DEFAULT_RATE_MALE), "rate_male")
    female = rate(
        raw.get("rate_female", both if both is not None else DEFAULT_RATE_FEMALE), "rate_female"
    )
    locus_rates: dict[str, tuple[float, float]] = {}
    for raw_locus, value in (raw.get("loci") or {}).items():
        locus = canonical_locus(str(raw_locus))
        if locus is None:
            raise DnaError(
                f"mutation: locus '{raw_locus}' is not a known autosomal STR.",
                field="mutation",
                locus=str(raw_locus),
            )
        if isinstance(value, Mapping):
            pair = (
                rate(value.get("male", male), "rate"),
                rate(value.get("female", female), "rate"),
            )
        else:
            pair = (rate(value, "rate"), rate(value, "rate"))
        locus_rates[locus] = pair
    range_ = float(raw.get("range", DEFAULT_RANGE))
    if not 0 < range_ <= 1:
        raise DnaError(f"mutation range must be in (0, 1], got {range_}.", field="mutation")
    rate2 = raw.get("rate2")
    return MutationModel(
        model, male, female, range_, None if rate2 is None else rate(rate2, "rate2"), locus_rates
    )
