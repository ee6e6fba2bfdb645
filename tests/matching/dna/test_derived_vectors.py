"""Research note dna.md 3.2 vectors (closed forms that equal brute-force pedigrees), checked
against both the pedigree kernel and the vectorised closed forms the search uses."""

from __future__ import annotations

import pytest

from homeward.matching.dna.closed import duo_index, pair_index, parents_index
from homeward.matching.dna.lr import Settings, genotype_code
from homeward.matching.dna.mutation import MutationModel

from .conftest import ABCD, one_locus_lr, paternity

A, B, C, D = "14", "15", "16", "17"
IDX = {A: 0, B: 1, C: 2, D: 3}
P = [ABCD[a] for a in (A, B, C, D)]
KAPPA = {"father": (0, 1, 0), "full_sibling": (0.25, 0.5, 0.25), "half_sibling": (0.5, 0.5, 0)}

PAIRS = [  # (relation, person, relative, values at theta 0, .01, .03)
    ("father", (A, B), (A, C), (2.5, 2.339449541, 2.086614173)),
    ("father", (A, A), (A, A), (10, 7.906976744, 5.668449198)),
    ("father", (A, B), (A, B), (3.75, 3.56541108, 3.269649888)),
    ("father", (A, A), (A, B), (5, 4.285714286, 3.375796178)),
    ("father", (A, B), (A, A), (5, 4.285714286, 3.375796178)),
    ("full_sibling", (A, B), (A, B), (8.375, 7.71261909, 6.682174494)),
    ("full_sibling", (A, A), (A, A), (30.25, 20.98089701, 12.38120338)),
    ("full_sibling", (A, B), (A, C), (1.5, 1.419724771, 1.293307087)),
    ("full_sibling", (A, B), (C, D), (0.25, 0.25, 0.25)),
    ("half_sibling", (A, B), (A, C), (1.75, 1.669724771, 1.543307087)),
    ("half_sibling", (A, A), (A, A), (5.5, 4.453488372, 3.334224599)),
    ("grandparent", (A, B), (A, C), (1.75, 1.669724771, 1.543307087)),
    ("aunt_uncle", (A, A), (A, A), (5.5, 4.453488372, 3.334224599)),
    ("niece_nephew", (A, B), (A, C), (1.75, 1.669724771, 1.543307087)),
    ("grandchild", (A, A), (A, A), (5.5, 4.453488372, 3.334224599)),
    ("child", (A, B), (A, C), (2.5, 2.339449541, 2.086614173)),
]


def code(g):
    return genotype_code(IDX[g[0]], IDX[g[1]])


@pytest.mark.parametrize("theta_i", [0, 1, 2])
@pytest.mark.parametrize(("relation", "person", "relative", "expected"), PAIRS)
def test_pairwise_lr_matches_research_table_with_theta(
    abcd_table, relation, person, relative, expected, theta_i
):
    theta = (0.0, 0.01, 0.03)[theta_i]
    got = one_locus_lr(Settings(abcd_table, theta), person, [(relation, relative)])
    assert got == pytest.approx(expected[theta_i], rel=1e-8)


@pytest.mark.parametrize("theta_i", [0, 1, 2])
@pytest.mark.parametrize(("relation", "person", "relative", "expected"), PAIRS)
def test_vectorised_closed_forms_agree_with_the_same_table(
    relation, person, relative, expected, theta_i
):
    import numpy as np

    theta = (0.0, 0.01, 0.03)[theta_i]
    kappa = KAPPA.get(relation, (0.5, 0.5, 0) if relation != "child" else (0, 1, 0))
    matrix = pair_index(np.array(P), kappa, theta)
    assert matrix[code(person), code(relative)] == pytest.approx(expected[theta_i], rel=1e-8)


@pytest.mark.parametrize(
    ("mother", "father", "child", "expected"),
    [
        ((A, C), (B, D), (A, B), (2.5, 2.475961538, 2.433035714)),
        ((A, B), (A, C), (A, B), (1.666666667, 1.574923547, 1.430446194)),
    ],
)
@pytest.mark.parametrize("theta_i", [0, 1, 2])
def test_paternity_index_with_mother_matches_research_table(
    mother, father, child, expected, theta_i
):
    import numpy as np

    theta = (0.0, 0.01, 0.03)[theta_i]
    # Classic paternity index: the mother is undisputed under both hypotheses.
    assert paternity(_table(), mother, child, father, Settings(_table(), theta)) == pytest.approx(
        expected[theta_i], rel=1e-8
    )
    # The search's both-parents index (unrelated to both) equals the pedigree kernel's.
    both = parents_index(code(child), np.array(P), theta)[code(mother), code(father)]
    kernel = one_locus_lr(
        Settings(_table(), theta), child, [("mother", mother), ("father", father)]
    )
    assert kernel == pytest.approx(both, rel=1e-8)


def _table():
    from .conftest import table_of

    return table_of({"D3S1358": ABCD})


# dna.md 3.2 mutation vectors, "pedigree" convention (untyped parents transmit with mutation
# under both hypotheses), rate .002 for both sexes, theta 0.
@pytest.mark.parametrize(
    ("model", "duo", "trio"),
    [
        ("equal", 0.00277716, 0.0033289),
        ("proportional", 0.00285714, 0.00285714),
        ("stepwise", 0.00480137, 0.00494874),
    ],
)
def test_inconsistent_loci_get_the_mutation_model_lr_of_the_research_note(model, duo, trio):
    from homeward.matching.dna.lr import pedigree_lr
    from homeward.matching.dna.pedigree import Pedigree

    settings = Settings(_table(), 0.0, MutationModel(model, 0.002, 0.002, 0.1))
    got = one_locus_lr(settings, (B, C), [("father", (A, A))])
    assert got == pytest.approx(duo, rel=2e-6)
    h1, h2 = Pedigree(), Pedigree()
    for ped, dad in ((h1, "af"), (h2, "x")):
        ped.add("af", sex="M")
        if dad == "x":
            ped.add("x", sex="M")
        ped.add("mo", sex="F")
        ped.add("ch", dad, "mo")
    data = {"af": (A, D), "mo": (C, D), "ch": (B, C)}
    assert pedigree_lr(h1, h2, data, "D3S1358", settings) == pytest.approx(trio, rel=2e-5)


@pytest.mark.parametrize(
    ("model", "expected"),
    [("equal", 4.973422), ("proportional", 4.9800294), ("stepwise", 4.9930657)],
)
def test_closed_form_trio_with_mutation_matches_research_note(model, expected):
    import numpy as np

    from homeward.matching.dna.mutation import mutation_matrix

    m = mutation_matrix(model, [A, B, C, D], np.array(P), 0.002, range_=0.1)
    p = np.array(P)
    child, mother, father = code((A, C)), code((C, D)), code((A, B))
    both = parents_index(child, p, 0.0, m, m)[mother, father]
    # P(child | mother) under the closed convention: the father's allele drawn from p.
    assert both / duo_index(p, 0.0, m)[child, mother] == pytest.approx(expected, rel=1e-6)
