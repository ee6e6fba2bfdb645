"""LRs against published worked examples; each test names its source."""

from __future__ import annotations

import math

import numpy as np
import pytest

from homeward.matching.dna.likelihood import founder_table, locus_likelihood
from homeward.matching.dna.lr import Settings, family_lr, pedigree_lr, posterior
from homeward.matching.dna.mutation import MutationModel, mutation_matrix
from homeward.matching.dna.pedigree import Pedigree, Relative, build_family
from homeward.matching.dna.profiles import Profile

from .conftest import paternity, table_of


def test_duo_lr_multiplies_over_markers_as_forrel_kinship_lr_reports():
    # forrel tests/testthat/test-kinshipLR.R (github.com/magnusdv/forrel): two markers,
    # father A/A, child A/A, p_A = .05 and .10 -> per-marker 20 and 10, total 200.
    table = table_of({"D3S1358": {"1": 0.05, "2": 0.95}, "vWA": {"1": 0.1, "2": 0.9}})
    person = Profile({"D3S1358": ("1", "1"), "vWA": ("1", "1")})
    father = Profile({"D3S1358": ("1", "1"), "vWA": ("1", "1")})
    result = family_lr(person, [(Relative("father"), father)], Settings(table))
    assert result.per_locus == pytest.approx({"D3S1358": 20.0, "vWA": 10.0})
    assert result.lr == pytest.approx(200.0)


def test_theta_homozygote_probability_matches_pedprobr():
    # pedprobr tests/testthat/test-theta-correction.R: A/A, p = .3, theta = .01 -> 0.0921.
    assert founder_table(np.array([0.3, 0.7]), 2, 0.01)[0, 0] == pytest.approx(0.0921)


def test_equal_model_trio_mutation_likelihood_matches_pedprobr():
    # pedprobr tests/testthat/test-mutations.R: father 1/1, mother 1/1, child 2/2, p1 = .9,
    # equal model rate .1 with two alleles -> p1^4 * .1^2 = 0.006561.
    p = np.array([0.9, 0.1])
    m = mutation_matrix("equal", ["1", "2"], p, 0.1)
    ped = Pedigree()
    ped.add("fa", sex="M")
    ped.add("mo", sex="F")
    ped.add("ch", "fa", "mo")
    typed = {"fa": (0, 0), "mo": (0, 0), "ch": (1, 1)}
    mats = {"M": m, "F": m, "U": m}
    assert float(locus_likelihood(ped, typed, p, matrices=mats)) == pytest.approx(0.006561)


def test_proportional_model_duo_mutation_likelihood_matches_pedprobr():
    # pedprobr tests/testthat/test-mutations.R: father 1/1, child 2/2, mother untyped,
    # p1 = .9, proportional rate .1 -> p1^2 * p2 * M[1, 2] = 0.0045.
    p = np.array([0.9, 0.1])
    m = mutation_matrix("proportional", ["1", "2"], p, 0.1)
    ped = Pedigree()
    ped.add("fa", sex="M")
    ped.add("mo", sex="F")
    ped.add("ch", "fa", "mo")
    mats = {"M": m, "F": m, "U": m}
    value = float(locus_likelihood(ped, {"fa": (0, 0), "ch": (1, 1)}, p, matrices=mats))
    assert value == pytest.approx(0.81 * 0.1 * m[0, 1])
    assert value == pytest.approx(0.0045, abs=5e-5)


def test_full_sibling_snp_example_matches_pedprobr():
    # pedprobr tests/testthat/test-likelihood.R: both sibs 2/2, q = .8, parents untyped
    # -> likelihood 1/4 q^2 (1+q)^2 = 0.5184; FSI (1+q)^2 / (4 q^2) = 1.265625.
    ped, ids = build_family([Relative("full_sibling")])
    p = np.array([0.2, 0.8])
    assert float(locus_likelihood(ped, {"mp": (1, 1), ids[0]: (1, 1)}, p)) == pytest.approx(0.5184)
    table = table_of({"D3S1358": {"1": 0.2, "2": 0.8}})
    person, sib = Profile({"D3S1358": ("2", "2")}), Profile({"D3S1358": ("2", "2")})
    lr = family_lr(person, [(Relative("full_sibling"), sib)], Settings(table)).lr
    assert lr == pytest.approx(1.265625)


def test_trio_snp_likelihoods_match_pedprobr():
    # pedprobr tests/testthat/test-likelihood.R: all three 1/2, p = .2 -> 2 p^2 q^2 = 0.0512
    # ... and without the mother p q = 0.16 (father and child only).
    p = np.array([0.2, 0.8])
    ped = Pedigree()
    ped.add("fa", sex="M")
    ped.add("mo", sex="F")
    ped.add("ch", "fa", "mo")
    het = (0, 1)
    trio = float(locus_likelihood(ped, {"fa": het, "mo": het, "ch": het}, p))
    assert trio == pytest.approx(0.0512)
    assert float(locus_likelihood(ped, {"fa": het, "ch": het}, p)) == pytest.approx(0.16)


def test_trio_paternity_index_matches_familias_py():
    # ykcchong/Familias-py tests/test_paternity.py: AF A/B, MO A/C, CH A/A,
    # p = (.2, .3, .5) -> PI 2.5.
    table = table_of({"D3S1358": {"7": 0.2, "8": 0.3, "9": 0.5}})
    assert paternity(table, ("7", "9"), ("7", "7"), ("7", "8")) == pytest.approx(2.5)


def test_four_locus_trio_matches_nij_paternity_course():
    # NIJ online course "Paternity Calculations" (nij.ojp.gov): PIs 2.1598, 1.0318, 3.1626,
    # 5.4466; NIJ prints CPI 38.3815 from truncated PIs, exact 38.3858 (rel. tol 2e-4).
    cases = [
        ({"16": 0.2315, "15": 0.3, "40": 0.4685}, ("16", "16"), ("16", "16"), ("15", "16")),
        (
            {"17": 0.2627, "18": 0.2219, "20": 0.1, "40": 0.4154},
            ("17", "18"),
            ("17", "18"),
            ("18", "20"),
        ),
        (
            {"23": 0.1581, "25": 0.1, "27": 0.1, "21": 0.1, "40": 0.5419},
            ("25", "27"),
            ("23", "25"),
            ("21", "23"),
        ),
        (
            {"18": 0.0918, "14": 0.1, "20": 0.1, "40": 0.7082},
            ("14", "18"),
            ("18", "18"),
            ("18", "20"),
        ),
    ]
    pis = [paternity(table_of({"D3S1358": f}), mother, child, af) for f, mother, child, af in cases]
    assert pis == pytest.approx([2.1598, 1.0318, 3.1626, 5.4466], abs=1e-4)
    assert math.prod(pis) == pytest.approx(38.3815, rel=2e-4)


def test_posterior_matches_goodwin_worked_example():
    # Goodwin et al., An Introduction to Forensic Genetics, ch. 11: CPI 2,920,823.
    assert posterior(2_920_823, 0.1) == pytest.approx(0.999996919, abs=1e-9)
    assert posterior(2_920_823, 0.001) == pytest.approx(0.99966, abs=1e-5)
    assert posterior(2_920_823, None) is None


@pytest.mark.parametrize(
    ("theta", "father", "uncle"), [(0.0, 1.694215, 1.336618), (0.02, 1.578025, 1.276005)]
)
def test_familias_father_versus_uncle_example_with_stepwise_mutation(theta, father, uncle):
    # Familias example collected in research note dna.md 3.3 (mother, daughter, AF; locus 2
    # stepwise, female rate .05, range .5, male rate 0): LR father 1.694215, uncle 1.336618
    # at theta 0; 1.578025 and 1.276005 at theta .02.
    loc1 = table_of({"D3S1358": {"10": 0.1, "11": 0.2, "12": 0.3, "13": 0.4}})
    loc2 = table_of({"vWA": {"17": 0.2, "18": 0.3, "19": 0.5}})
    model = MutationModel("stepwise", 0.0, 0.05, 0.5, 0.0)
    lik = {}
    for hyp in ("father", "unrelated", "uncle"):
        ped = Pedigree()
        if hyp == "father":
            ped.add("af", sex="M")
            ped.add("mo", sex="F")
            ped.add("d", "af", "mo", "F")
        else:
            if hyp == "uncle":
                ped.add("gf", sex="M")
                ped.add("gm", sex="F")
                ped.add("af", "gf", "gm", "M")
                ped.add("fa", "gf", "gm", "M")
            else:
                ped.add("af", sex="M")
                ped.add("fa", sex="M")
            ped.add("mo", sex="F")
            ped.add("d", "fa", "mo", "F")
        lik[hyp] = ped

    def lr(hyp):
        one = pedigree_lr(
            lik[hyp],
            lik["unrelated"],
            {"mo": ("10", "11"), "d": ("10", "11"), "af": ("10", "12")},
            "D3S1358",
            Settings(loc1, theta),
        )
        two = pedigree_lr(
            lik[hyp],
            lik["unrelated"],
            {"mo": ("17", "18"), "d": ("18", "19"), "af": ("18", "19")},
            "vWA",
            Settings(loc2, theta, model),
        )
        return one * two

    assert lr("father") == pytest.approx(father, abs=1e-6)
    assert lr("uncle") == pytest.approx(uncle, abs=1e-6)
