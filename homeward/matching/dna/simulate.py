"""Simulated families for tests and benchmarks: founders drawn from allele frequencies,
children by Mendelian inheritance with mutation at the stated rates.

Genotypes are int16 arrays of allele indices shaped (loci, people, 2), column 0 the
paternal allele; indices refer to a `Population`'s per-locus ladder. All randomness
comes from the `numpy.random.Generator` passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from homeward.matching.dna.frequencies import FrequencyTable
from homeward.matching.dna.lr import genotype_codes
from homeward.matching.dna.mutation import MutationModel
from homeward.matching.dna.profiles import Profile


@dataclass
class Population:
    """Per-locus allele ladders (canonical strings) and floored frequencies (float64)."""

    loci: list[str]
    alleles: list[list[str]]
    freqs: list[np.ndarray]

    @classmethod
    def from_table(cls, table: FrequencyTable, loci: Sequence[str]) -> Population:
        dists = [table.distribution(locus) for locus in loci]
        return cls(list(loci), [d[0] for d in dists], [d[1] for d in dists])

    def founders(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n unrelated people: int16 (L, n, 2)."""
        out = np.empty((len(self.loci), n, 2), dtype=np.int16)
        for i, p in enumerate(self.freqs):
            cum = np.cumsum(p)
            cum[-1] = 1.0
            out[i] = np.searchsorted(cum, rng.random((n, 2)), side="right")
        return out

    def child(
        self,
        rng: np.random.Generator,
        father: np.ndarray,
        mother: np.ndarray,
        mutation: MutationModel | None = None,
    ) -> np.ndarray:
        """One child per (father, mother) column pair: int16 (L, n, 2)."""
        _, n, _ = father.shape
        pick = np.arange(n)
        out = np.empty_like(father)
        for i in range(len(self.loci)):
            for side, parent, sex in ((0, father, "M"), (1, mother, "F")):
                allele = parent[i, pick, rng.integers(0, 2, n)]
                if mutation is not None:
                    m = mutation.matrix(self.loci[i], self.alleles[i], self.freqs[i], sex)
                    allele = _mutate(rng, allele, m)
                out[i, :, side] = allele
        return out

    def codes(self, geno: np.ndarray) -> np.ndarray:
        """Genotype codes uint16 (L, n): 1 + hi(hi+1)/2 + lo."""
        lo = np.minimum(geno[..., 0], geno[..., 1]).astype(np.int64)
        hi = np.maximum(geno[..., 0], geno[..., 1]).astype(np.int64)
        return (1 + hi * (hi + 1) // 2 + lo).astype(np.uint16)

    def profile(self, geno: np.ndarray, j: int) -> Profile:
        """Person j of `geno` as a Profile."""
        out = {}
        for i, locus in enumerate(self.loci):
            a, b = sorted(int(x) for x in geno[i, j])
            out[locus] = (self.alleles[i][a], self.alleles[i][b])
        return Profile(out)


def _mutate(rng: np.random.Generator, allele: np.ndarray, m: np.ndarray) -> np.ndarray:
    stay = np.diag(m)[allele]
    moved = np.flatnonzero(rng.random(len(allele)) >= stay)
    if moved.size:
        rows = m[allele[moved]].copy()
        rows[np.arange(moved.size), allele[moved]] = 0.0
        cum = np.cumsum(rows, axis=1)
        u = rng.random(moved.size) * cum[:, -1]
        allele = allele.copy()
        allele[moved] = (u[:, None] >= cum).sum(axis=1)
    return allele


def decode(codes: np.ndarray, alleles: Sequence[str]) -> list[tuple[str, str] | None]:
    """Genotype codes of one locus back to allele pairs (None for untyped)."""
    lo, hi = genotype_codes(len(alleles))
    return [None if c == 0 else (alleles[lo[c - 1]], alleles[hi[c - 1]]) for c in codes]


def simulate_reference_db(
    index, n: int, kind: str, *, seed: int | np.random.Generator = 0, chunk: int = 250_000
) -> None:  # noqa: ANN001 - DnaIndex, imported lazily to keep this module light
    """Append `n` simulated unrelated reference families of `kind` ("father", "mother",
    "parents", "full_sibling") to `index`, in chunks. Ids are "sim-<kind>-<i>"."""
    rng = np.random.default_rng(seed)
    pop = Population.from_table(index.table, index.loci)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        ids = [f"sim-{kind}-{start + i}" for i in range(m)]
        if kind == "parents":
            index.add_codes(
                kind, ids, pop.codes(pop.founders(rng, m)), pop.codes(pop.founders(rng, m))
            )
        else:
            index.add_codes(kind, ids, pop.codes(pop.founders(rng, m)))
