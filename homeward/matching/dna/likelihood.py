"""Pedigree likelihoods at one locus: an exact einsum (variable-elimination) kernel and
its brute-force reference twin.

Model, following pedprobr/Familias:
* each person carries an ordered pair (paternal allele, maternal allele);
* founder alleles are drawn by Balding-Nichols sequential sampling with co-ancestry
  theta, jointly over *all* founders of the pedigree (theta = 0: independently from p);
* a child receives one of a parent's two alleles with probability 1/2, then mutates by
  the parent's sex-specific matrix M: T(x | a, b) = (M[a, x] + M[b, x]) / 2;
* a typed person's phenotype {a, b} is consistent with ordered (a, b) and (b, a); with a
  silent allele s, a homozygote a is also consistent with (a, s) and (s, a).

Alleles are small integers 0..K-1 indexing the `p` vector (float64, sums to 1).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np

from homeward.matching.dna.errors import DnaError
from homeward.matching.dna.pedigree import Pedigree

# Largest dense Balding-Nichols founder table (entries) we are willing to build.
MAX_THETA_TABLE = 4_000_000

Phenotype = tuple[int, int]


def transmission(m: np.ndarray) -> np.ndarray:
    """T[a, b, x] = (M[a, x] + M[b, x]) / 2, float64 K x K x K."""
    return 0.5 * (m[:, None, :] + m[None, :, :])


def evidence(pheno: Phenotype, k: int, silent: int | None = None) -> np.ndarray:
    """E[x, y] = 1.0 where ordered genotype (x, y) shows phenotype `pheno`; float64 K x K."""
    e = np.zeros((k, k))
    a, b = pheno
    e[a, b] = e[b, a] = 1.0
    if silent is not None and a == b:
        e[a, silent] = e[silent, a] = 1.0
    return e


def founder_table(p: np.ndarray, n_slots: int, theta: float) -> np.ndarray:
    """Joint probability of `n_slots` founder alleles under Balding-Nichols sampling:
    an array of shape (K,) * n_slots, float64."""
    k = len(p)
    if k**n_slots > MAX_THETA_TABLE:
        raise DnaError(
            f"this pedigree has too many untyped founders for a theta correction "
            f"({k}^{n_slots} allele combinations); use theta 0 or fewer relatives."
        )
    table = np.ones(1)
    counts = np.zeros((1, k))
    for n in range(n_slots):
        step = (counts * theta + (1 - theta) * p) / (1 + (n - 1) * theta)
        table = (table[:, None] * step).reshape(-1)
        counts = (counts[:, None, :] + np.eye(k)[None, :, :]).reshape(-1, k)
    return table.reshape((k,) * n_slots)


def locus_likelihood(
    ped: Pedigree,
    typed: Mapping[str, Phenotype],
    p: np.ndarray,
    *,
    theta: float = 0.0,
    matrices: Mapping[str, np.ndarray] | None = None,
    silent: int | None = None,
    free: Sequence[str] = (),
) -> np.ndarray:
    """P(typed phenotypes) under `ped`, float64.

    `matrices` maps parent sex ("M", "F", "U") to a K x K mutation matrix (None: no
    mutation). `free` people are left unsummed: the result then has two axes (paternal,
    maternal allele) per free person, in order, holding P(typed data, free genotypes);
    otherwise it is a 0-d array.
    """
    k = len(p)
    keep = set(typed) | set(free)
    ped = ped.pruned(keep)
    index = {person.id: i for i, person in enumerate(ped.persons)}
    if len(index) > 26:
        raise DnaError("pedigree too large (more than 26 people after pruning).")
    operands: list = []
    founder_vars: list[int] = []
    t_cache: dict[str, np.ndarray] = {}
    for person in ped.persons:
        i = index[person.id]
        pat, mat = 2 * i, 2 * i + 1
        if person.founder:
            founder_vars += [pat, mat]
        else:
            for var, parent in ((pat, person.father), (mat, person.mother)):
                sex = ped.get(parent).sex  # type: ignore[arg-type]
                if sex not in t_cache:
                    m = np.eye(k) if matrices is None else matrices[sex]
                    t_cache[sex] = transmission(m)
                j = index[parent]  # type: ignore[index]
                operands += [t_cache[sex], [2 * j, 2 * j + 1, var]]
        if person.id in typed and person.id not in free:
            operands += [evidence(typed[person.id], k, silent), [pat, mat]]
    if theta == 0:
        for var in founder_vars:
            operands += [p, [var]]
    elif founder_vars:
        operands += [founder_table(p, len(founder_vars), theta), founder_vars]
    out = [v for pid in free for v in (2 * index[pid], 2 * index[pid] + 1)]
    if not operands:
        return np.ones((k,) * len(out)) if out else np.array(1.0)
    # einsum needs every output variable to appear in some operand.
    for v in out:
        operands += [np.ones(k), [v]]
    key = (tuple(tuple(x) if isinstance(x, list) else x.shape for x in operands), tuple(out))
    path = _PATHS.get(key)
    if path is None:
        path = np.einsum_path(*operands, out, optimize="greedy")[0]
        if len(_PATHS) < 10_000:
            _PATHS[key] = path
    return np.einsum(*operands, out, optimize=path)


# Contraction orders by operand layout: finding one costs more than using it.
_PATHS: dict[tuple, list] = {}


def locus_likelihood_reference(
    ped: Pedigree,
    typed: Mapping[str, Phenotype],
    p: np.ndarray,
    *,
    theta: float = 0.0,
    matrices: Mapping[str, np.ndarray] | None = None,
    silent: int | None = None,
) -> float:
    """Slow twin of `locus_likelihood`: sums over every ordered genotype of every person.

    For tests on tiny pedigrees only (K^(2 * people) terms).
    """
    k = len(p)
    persons = ped.persons
    sexes = {q.id: q.sex for q in persons}
    total = 0.0
    for combo in itertools.product(range(k), repeat=2 * len(persons)):
        geno = {q.id: (combo[2 * i], combo[2 * i + 1]) for i, q in enumerate(persons)}
        prob = 1.0
        seen: list[int] = []
        for q in persons:
            x, y = geno[q.id]
            if q.founder:
                for allele in (x, y):
                    n = len(seen)
                    m_a = seen.count(allele)
                    prob *= (m_a * theta + (1 - theta) * p[allele]) / (1 + (n - 1) * theta)
                    seen.append(allele)
            else:
                for allele, parent in ((x, q.father), (y, q.mother)):
                    m = np.eye(k) if matrices is None else matrices[sexes[parent]]
                    a, b = geno[parent]  # type: ignore[index]
                    prob *= 0.5 * (m[a, allele] + m[b, allele])
            if prob == 0.0:
                break
            if q.id in typed:
                a, b = typed[q.id]
                shown = {x, y} - ({silent} if silent is not None else set())
                if shown != {a, b} and not (silent is not None and a == b and shown == {a}):
                    prob = 0.0
                    break
        total += prob
    return total
