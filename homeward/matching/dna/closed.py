"""Closed-form kinship indices, vectorised over genotype codes, for the database search.

Genotype codes over a locus' K alleles: 0 = untyped, 1 + hi(hi+1)/2 + lo otherwise.
Formulas (the standard paternity and kinship indices): the duo index in its general form with theta
(Balding-Nichols) and a mutation matrix M; KI = k0 + k1 PI + k2 R2 for other pairs; the
both-parents index P(child | mother, father) / P_BN(child | their four alleles).
With a mutation model these put the untyped parent's allele at its population frequency
(the "closed" convention); the pedigree kernel lets it mutate too, so the two differ by a
few percent at inconsistent loci under non-stationary models. The search ranks with
these and reports exact pedigree LRs for the candidates it returns.
"""

from __future__ import annotations

import numpy as np

from homeward.matching.dna.lr import genotype_codes


def _bn(count: np.ndarray, p: np.ndarray, theta: float, n: int) -> np.ndarray:
    """Balding-Nichols P(next = x | n alleles seen, `count` of them x)."""
    return (count * theta + (1 - theta) * p) / (1 + (n - 1) * theta)


def _genotype_parts(p: np.ndarray, m: np.ndarray | None) -> tuple:
    k = len(p)
    lo, hi = genotype_codes(k)
    m = np.eye(k) if m is None else m
    trans = 0.5 * (m[lo] + m[hi])  # (G, K): T(c | genotype)
    eye = np.eye(k)
    counts = eye[lo] + eye[hi]  # copies of each allele in each genotype
    return lo, hi, trans, counts


def duo_index(p: np.ndarray, theta: float = 0.0, m: np.ndarray | None = None) -> np.ndarray:
    """PI[c, a] for child genotype code c and parent genotype code a, float64
    (G+1) x (G+1); untyped rows and columns are 1."""
    lo, hi, trans, counts = _genotype_parts(p, m)
    g = len(lo)
    # Parent-side quantities indexed [parent, child allele].
    bn2 = _bn(counts, p, theta, 2)  # P_BN(x | parent's 2 alleles)
    t1, t2 = trans[:, lo].T, trans[:, hi].T  # (child, parent)
    b1, b2 = bn2[:, lo].T, bn2[:, hi].T
    same = (lo == hi)[:, None]
    c2_after_c1 = _bn(counts[:, hi].T + same, p[hi][:, None], theta, 3)
    het = (t1 * b2 + t2 * b1) / (2 * b1 * c2_after_c1)
    hom = t1 / c2_after_c1
    out = np.ones((g + 1, g + 1))
    out[1:, 1:] = np.where(same, hom, het)
    return out


def pair_index(
    p: np.ndarray,
    kappa: tuple[float, float, float],
    theta: float = 0.0,
    m: np.ndarray | None = None,
) -> np.ndarray:
    """KI[x, y] = k0 + k1 PI(x child of y) + k2 R2 for genotype codes x, y; (G+1)^2 float64."""
    k0, k1, k2 = kappa
    out = k0 + k1 * duo_index(p, theta, m)
    if k2:
        lo, hi, _, counts = _genotype_parts(p, None)
        first = _bn(counts[np.arange(len(lo)), lo], p[lo], theta, 2)
        second = _bn(counts[np.arange(len(lo)), hi] + (lo == hi), p[hi], theta, 3)
        match = np.where(lo == hi, first * second, 2 * first * second)
        out[1:, 1:] += k2 * np.diag(1.0 / match)
    out[0, :] = out[:, 0] = 1.0
    return out


def duo_row(
    child: int, p: np.ndarray, theta: float = 0.0, m: np.ndarray | None = None
) -> np.ndarray:
    """PI of one child genotype code against every parent code: float64 (G+1,), [0] = 1.
    Equals `duo_index(p, theta, m)[child]` without building the whole matrix."""
    lo, hi, trans, counts = _genotype_parts(p, m)
    out = np.ones(len(lo) + 1)
    if child == 0:
        return out
    c1, c2 = int(lo[child - 1]), int(hi[child - 1])
    b1 = _bn(counts[:, c1], p[c1], theta, 2)
    b2 = _bn(counts[:, c2], p[c2], theta, 2)
    after = _bn(counts[:, c2] + (c1 == c2), p[c2], theta, 3)
    if c1 == c2:
        out[1:] = trans[:, c1] / after
    else:
        out[1:] = (trans[:, c1] * b2 + trans[:, c2] * b1) / (2 * b1 * after)
    return out


def parents_index(
    child: int,
    p: np.ndarray,
    theta: float = 0.0,
    m_father: np.ndarray | None = None,
    m_mother: np.ndarray | None = None,
) -> np.ndarray:
    """LR[gm, gf] that a child of genotype code `child` is the child of a mother gm and a
    father gf rather than unrelated to both; (G+1) x (G+1) float64. Row 0 / column 0
    (one parent untyped) hold the duo index with the other parent; [0, 0] = 1."""
    lo, hi, tm, counts = _genotype_parts(p, m_mother)
    tf = tm if m_father is m_mother else _genotype_parts(p, m_father)[2]
    g = len(lo)
    out = np.ones((g + 1, g + 1))
    if child == 0:
        return out
    c1, c2 = int(lo[child - 1]), int(hi[child - 1])
    if c1 == c2:
        num = np.outer(tm[:, c1], tf[:, c1])
    else:
        num = np.outer(tm[:, c2], tf[:, c1]) + np.outer(tm[:, c1], tf[:, c2])
    n1 = counts[:, c1][:, None] + counts[:, c1][None, :]  # copies of c1 among the 4 alleles
    n2 = counts[:, c2][:, None] + counts[:, c2][None, :]
    den = _bn(n1, p[c1], theta, 4) * _bn(n2 + (c1 == c2), p[c2], theta, 5)
    out[1:, 1:] = num / (den if c1 == c2 else 2 * den)
    out[0, :] = duo_row(child, p, theta, m_father)
    out[:, 0] = duo_row(child, p, theta, m_mother)
    out[0, 0] = 1.0
    return out


def parents_column(
    mother: int,
    father: int,
    p: np.ndarray,
    theta: float = 0.0,
    m_father: np.ndarray | None = None,
    m_mother: np.ndarray | None = None,
) -> np.ndarray:
    """`parents_index(c, ...)[mother, father]` for every child code c at once: float64
    (G+1,), entry 0 (untyped child) = 1. Used to search found persons for a family."""
    if mother == 0 or father == 0:
        if mother == father:
            return np.ones(len(genotype_codes(len(p))[0]) + 1)
        parent, m = (father, m_father) if mother == 0 else (mother, m_mother)
        return duo_index(p, theta, m)[:, parent]
    lo, hi, tm, counts = _genotype_parts(p, m_mother)
    tf = tm if m_father is m_mother else _genotype_parts(p, m_father)[2]
    t_m, t_f = tm[mother - 1], tf[father - 1]
    n = counts[mother - 1] + counts[father - 1]
    het = lo != hi
    num = np.where(het, t_m[hi] * t_f[lo] + t_m[lo] * t_f[hi], t_m[lo] * t_f[lo])
    den = _bn(n[lo], p[lo], theta, 4) * _bn(n[hi] + ~het, p[hi], theta, 5) * np.where(het, 2, 1)
    out = np.ones(len(lo) + 1)
    out[1:] = num / den
    return out
