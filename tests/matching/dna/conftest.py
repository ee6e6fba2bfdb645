"""Shared helpers for the DNA engine tests: small synthetic frequency tables."""

from __future__ import annotations

import numpy as np
import pytest

from homeward.matching.dna.frequencies import FrequencyTable, LocusFrequencies
from homeward.matching.dna.lr import Settings
from homeward.matching.dna.pedigree import Relative
from homeward.matching.dna.profiles import Profile

# A huge N keeps the 5/2N floor out of the way of hand-computed values.
HUGE_N = 10**12


def table_of(loci: dict[str, dict[str, float]]) -> FrequencyTable:
    return FrequencyTable(
        "test",
        "test vectors",
        {
            locus: LocusFrequencies(tuple(f), np.array(list(f.values()), dtype=float), HUGE_N)
            for locus, f in loci.items()
        },
    )


ABCD = {"14": 0.1, "15": 0.2, "16": 0.3, "17": 0.4}  # research note dna.md 3.2


@pytest.fixture
def abcd_table() -> FrequencyTable:
    return table_of({"D3S1358": ABCD})


def one_locus_lr(settings: Settings, person: tuple, relatives: list[tuple[str, tuple]]) -> float:
    from homeward.matching.dna.lr import family_lr

    rels = [(Relative(rel), Profile({"D3S1358": g})) for rel, g in relatives]
    return family_lr(Profile({"D3S1358": person}), rels, settings).lr


def paternity(table, mother, child, af, settings=None) -> float:
    """Classic trio PI: H1 AF is the father; H2 an untyped man is; the mother undisputed."""
    from homeward.matching.dna.lr import pedigree_lr
    from homeward.matching.dna.pedigree import Pedigree

    h1 = Pedigree()
    h1.add("af", sex="M")
    h1.add("mo", sex="F")
    h1.add("ch", "af", "mo")
    h2 = Pedigree()
    h2.add("af", sex="M")
    h2.add("x", sex="M")
    h2.add("mo", sex="F")
    h2.add("ch", "x", "mo")
    data = {"mo": mother, "ch": child, "af": af}
    locus = next(iter(table.loci))
    return pedigree_lr(h1, h2, data, locus, settings or Settings(table))
