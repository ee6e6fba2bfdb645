"""Likelihood ratios for a missing person against the relatives who reported them.

H1: the missing person sits in the family pedigree at the stated relations.
H2: the missing person is unrelated to the family (the family's own relations stay as
stated) but, with theta > 0, drawn from the same subpopulation.
LR per locus = P(data | H1) / P(data | H2); loci combine by product (unlinked loci);
a locus untyped in the person or in every relative contributes 1.

Allele space per locus: with no mutation model, or the lumpable "equal" and
"proportional" models, alleles seen in nobody are lumped into one "other" allele, which
is exact. The stepwise model is not lumpable; it uses every allele of the table (exact)
when theta = 0, and the lumped space when theta > 0 (an approximation of order rate^2,
listed in the report's settings as `approximations`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from homeward.matching.dna.errors import DnaError
from homeward.matching.dna.frequencies import FrequencyTable
from homeward.matching.dna.likelihood import locus_likelihood
from homeward.matching.dna.loci import allele_sort_key
from homeward.matching.dna.mutation import MutationModel
from homeward.matching.dna.pedigree import (
    MP,
    Pedigree,
    Relative,
    build_family,
    unrelated_alternative,
)
from homeward.matching.dna.profiles import Genotype, Profile

SILENT = "silent"
OTHER = "other"


@dataclass(frozen=True)
class Settings:
    """How LRs are computed: frequency table, theta (Fst), mutation model (None: none),
    silent-allele frequency, and the prior probability of relatedness (None: none)."""

    table: FrequencyTable
    theta: float = 0.0
    mutation: MutationModel | None = None
    silent: float = 0.0
    prior: float | None = None


@dataclass(frozen=True)
class LocusSpace:
    """Alleles of one locus as the kernel sees them: labels, frequencies (float64) and
    mutation matrices per parent sex (None: no mutation); `silent` is the silent index."""

    labels: list[str]
    p: np.ndarray
    matrices: dict[str, np.ndarray] | None
    silent: int | None
    lumped: bool

    def index(self, genotype: Genotype) -> tuple[int, int]:
        pos = {a: i for i, a in enumerate(self.labels)}
        return pos[genotype[0]], pos[genotype[1]]


def locus_space(
    settings: Settings, locus: str, observed: set[str], *, lump: bool | None = None
) -> LocusSpace:
    """The allele space for `locus` given the alleles `observed` in the case."""
    alleles, p = settings.table.distribution(locus, observed)
    mut = settings.mutation
    if lump is None:
        lump = mut is None or mut.model != "stepwise" or settings.theta > 0
    matrices = None
    if mut is not None:
        matrices = {s: mut.matrix(locus, alleles, p, s) for s in ("M", "F", "U")}
    labels = list(alleles)
    if lump:
        seen = sorted(observed, key=allele_sort_key)
        rest = [i for i, a in enumerate(alleles) if a not in observed]
        groups = [[alleles.index(a)] for a in seen] + ([rest] if rest else [])
        labels = seen + ([OTHER] if rest else [])
        agg = np.zeros((len(alleles), len(groups)))
        weights = np.zeros((len(groups), len(alleles)))
        for g, members in enumerate(groups):
            agg[members, g] = 1.0
            weights[g, members] = p[members] / p[members].sum()
        p = p @ agg
        if matrices is not None:
            matrices = {s: weights @ m @ agg for s, m in matrices.items()}
    silent = None
    if settings.silent > 0:
        p = np.append(p * (1 - settings.silent), settings.silent)
        silent = len(labels)
        labels = [*labels, SILENT]
        if matrices is not None:
            matrices = {s: _with_silent(m) for s, m in matrices.items()}
    return LocusSpace(labels, p, matrices, silent, lump)


def _with_silent(m: np.ndarray) -> np.ndarray:
    k = len(m)
    out = np.eye(k + 1)
    out[:k, :k] = m
    return out


@dataclass
class CaseResult:
    """LRs of one case: per-locus LR (float), combined LR, inconsistent loci (those that
    exclude without a mutation model, with the LR the model gave them)."""

    per_locus: dict[str, float]
    lr: float
    posterior: float | None
    inconsistent: list[dict[str, object]] = field(default_factory=list)
    skipped_loci: list[str] = field(default_factory=list)
    approximations: list[str] = field(default_factory=list)

    @property
    def log10_lr(self) -> float | None:
        return math.log10(self.lr) if self.lr > 0 else None


def posterior(lr: float, prior: float | None) -> float | None:
    """W = LR * prior / (LR * prior + 1 - prior); None without a prior."""
    if prior is None:
        return None
    if math.isinf(lr):
        return 1.0
    return lr * prior / (lr * prior + 1 - prior)


def pedigree_lr(
    h1: Pedigree,
    h2: Pedigree,
    data: Mapping[str, Genotype],
    locus: str,
    settings: Settings,
    *,
    h2_rename: Mapping[str, str] | None = None,
    lump: bool | None = None,
) -> float:
    """LR of two hypotheses at one locus for genotypes `data` {person id: genotype}.

    `h2_rename` maps H1 ids to the ids that carry the same genotypes in H2.
    """
    observed = {a for g in data.values() for a in g}
    space = locus_space(settings, locus, observed, lump=lump)
    typed1 = {pid: space.index(g) for pid, g in data.items()}
    rename = h2_rename or {}
    typed2 = {rename.get(pid, pid): ix for pid, ix in typed1.items()}
    kw = {"theta": settings.theta, "matrices": space.matrices, "silent": space.silent}
    num = float(locus_likelihood(h1, typed1, space.p, **kw))
    den = float(locus_likelihood(h2, typed2, space.p, **kw))
    if den == 0.0:
        raise DnaError(
            f"{locus}: the relatives' own genotypes contradict the stated relations "
            "(no mutation model); check the relations or enable a mutation model.",
            locus=locus,
        )
    return num / den


def family_lr(
    person: Profile,
    relatives: Sequence[tuple[Relative, Profile]],
    settings: Settings,
    *,
    mp_sex: str | None = None,
) -> CaseResult:
    """Per-locus and combined LR of `person` being the missing person of this family."""
    sex = mp_sex or person.sex or "U"
    ped, ids = build_family([r for r, _ in relatives], sex)
    h2, alt = unrelated_alternative(ped)
    per_locus: dict[str, float] = {}
    inconsistent: list[dict[str, object]] = []
    skipped: list[str] = []
    approximations: set[str] = set()
    loci = sorted({loc for _, prof in relatives for loc in prof.genotypes} & set(person.genotypes))
    for locus in loci:
        if locus not in settings.table.loci:
            skipped.append(locus)
            continue
        data = {MP: person.genotypes[locus]}
        for pid, (_, prof) in zip(ids, relatives, strict=True):
            if locus in prof.genotypes:
                data[pid] = prof.genotypes[locus]
        lr = pedigree_lr(ped, h2, data, locus, settings, h2_rename={MP: alt})
        mut = settings.mutation
        if mut is not None and mut.model == "stepwise" and settings.theta > 0:
            approximations.add(
                "stepwise mutation with theta > 0 lumps unseen alleles (error of order rate^2)"
            )
        if mut is not None:
            plain = Settings(settings.table, settings.theta, None, settings.silent)
            if pedigree_lr(ped, h2, data, locus, plain, h2_rename={MP: alt}) == 0.0:
                inconsistent.append(
                    {
                        "locus": locus,
                        "lr": lr,
                        "log10_lr": math.log10(lr) if lr > 0 else None,
                        "model": mut.model,
                    }
                )
        elif lr == 0.0:
            inconsistent.append({"locus": locus, "lr": 0.0, "log10_lr": None, "model": None})
        per_locus[locus] = lr
    total = math.prod(per_locus.values()) if per_locus else 1.0
    return CaseResult(
        per_locus,
        total,
        posterior(total, settings.prior),
        inconsistent,
        skipped,
        sorted(approximations),
    )


@functools.lru_cache(maxsize=256)
def genotype_codes(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Allele indices (lo, hi), int64 (read-only), of every genotype code 1..K(K+1)/2;
    code = 1 + hi(hi+1)/2 + lo with lo <= hi, and code 0 means untyped."""
    hi = np.concatenate([np.full(h + 1, h) for h in range(k)]).astype(np.int64)
    lo = np.concatenate([np.arange(h + 1) for h in range(k)]).astype(np.int64)
    hi.flags.writeable = lo.flags.writeable = False
    return lo, hi


def genotype_code(lo: int, hi: int) -> int:
    """Code of the genotype with allele indices lo, hi (order-free)."""
    lo, hi = min(lo, hi), max(lo, hi)
    return 1 + hi * (hi + 1) // 2 + lo


def family_table(
    ped: Pedigree,
    data: Mapping[str, Genotype],
    locus: str,
    alleles: Sequence[str],
    p: np.ndarray,
    mutation: MutationModel | None,
) -> np.ndarray:
    """LR(g) for the missing person having each genotype code g over `alleles` (theta 0),
    float64 of length K(K+1)/2 + 1 with entry 0 (untyped) = 1.

    LR(g) = P(family, mp = g | H1) / (P(family) P(g)); exact with any mutation model.
    """
    k = len(alleles)
    pos = {a: i for i, a in enumerate(alleles)}
    typed = {pid: (pos[g[0]], pos[g[1]]) for pid, g in data.items() if pid != MP}
    matrices = None
    if mutation is not None:
        matrices = {s: mutation.matrix(locus, alleles, p, s) for s in ("M", "F", "U")}
    joint = locus_likelihood(ped, typed, p, matrices=matrices, free=[MP])
    fam = float(locus_likelihood(ped, typed, p, matrices=matrices))
    lo, hi = genotype_codes(k)
    num = np.where(lo == hi, joint[lo, hi], joint[lo, hi] + joint[hi, lo])
    den = np.where(lo == hi, p[lo] ** 2, 2 * p[lo] * p[hi]) * fam
    out = np.ones(len(lo) + 1)
    out[1:] = num / den
    return out
