"""The einsum pedigree kernel against its brute-force twin, lumping, and joint pedigrees."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.matching.dna.likelihood import locus_likelihood, locus_likelihood_reference
from homeward.matching.dna.lr import Settings, family_lr, family_table, pedigree_lr
from homeward.matching.dna.mutation import MutationModel, mutation_matrix
from homeward.matching.dna.pedigree import MP, Relative, build_family, unrelated_alternative
from homeward.matching.dna.profiles import Profile

from .conftest import table_of

SMALL_FAMILIES = [
    ["father"],
    ["mother", "father"],
    ["full_sibling"],
    ["mother", "full_sibling"],
    ["half_sibling"],
    ["grandparent"],
    ["child"],
    ["aunt_uncle"],
]


@st.composite
def small_cases(draw):
    relations = draw(st.sampled_from(SMALL_FAMILIES))
    k = 3 if len(relations) == 1 and relations[0] in ("father", "child") else 2
    raw = draw(st.lists(st.floats(0.05, 1.0), min_size=k, max_size=k))
    p = np.array(raw) / sum(raw)
    genotype = st.tuples(st.integers(0, k - 1), st.integers(0, k - 1))
    typed = [draw(genotype) for _ in range(len(relations) + 1)]
    theta = draw(st.sampled_from([0.0, 0.02]))
    model = draw(st.sampled_from([None, "equal", "proportional", "stepwise"]))
    return relations, p, typed, theta, model


@settings(max_examples=40, deadline=None)
@given(small_cases())
def test_einsum_kernel_equals_brute_force_enumeration(case):
    relations, p, typed, theta, model = case
    ped, ids = build_family([Relative(r) for r in relations], "M")
    data = dict(zip([MP, *ids], typed, strict=True))
    mats = None
    if model:
        alleles = [str(10 + i) for i in range(len(p))]
        male = mutation_matrix(model, alleles, p, 0.05, rate2=0.0, range_=0.5)
        female = mutation_matrix(model, alleles, p, 0.02, rate2=0.0, range_=0.5)
        mats = {"M": male, "F": female, "U": (male + female) / 2}
    for pedigree in (ped, unrelated_alternative(ped)[0]):
        pruned = pedigree.pruned(set(data))
        fast = float(locus_likelihood(pedigree, data, p, theta=theta, matrices=mats))
        slow = locus_likelihood_reference(pruned, data, p, theta=theta, matrices=mats)
        assert fast == pytest.approx(slow, rel=1e-9, abs=1e-15)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(0.05, 1.0), min_size=2, max_size=2), st.integers(0, 1), st.integers(0, 1))
def test_silent_allele_kernel_equals_brute_force(raw, a, b):
    p = np.array([*raw, 0.1 * sum(raw)])
    p = p / p.sum()
    ped, ids = build_family([Relative("father")], "M")
    data = {MP: (a, a), ids[0]: (b, b)}
    fast = float(locus_likelihood(ped, data, p, silent=2))
    slow = locus_likelihood_reference(ped.pruned(set(data)), data, p, silent=2)
    assert fast == pytest.approx(slow, rel=1e-12)


def test_a_silent_allele_explains_an_opposite_homozygote_exclusion():
    table = table_of({"D3S1358": {"14": 0.3, "15": 0.7}})
    person, father = Profile({"D3S1358": ("14", "14")}), Profile({"D3S1358": ("15", "15")})
    plain = family_lr(person, [(Relative("father"), father)], Settings(table)).lr
    silent = family_lr(person, [(Relative("father"), father)], Settings(table, silent=0.01)).lr
    assert plain == 0.0
    assert 0.0 < silent < 1.0


@pytest.mark.parametrize("model", [None, "equal", "proportional"])
@pytest.mark.parametrize("theta", [0.0, 0.03])
def test_lumping_unseen_alleles_is_exact_for_lumpable_models(model, theta):
    freqs = {
        str(a): f for a, f in zip(range(10, 16), [0.1, 0.15, 0.2, 0.25, 0.05, 0.25], strict=True)
    }
    table = table_of({"D3S1358": freqs})
    mut = MutationModel(model, 0.01, 0.004) if model else None
    ped, ids = build_family([Relative("mother"), Relative("full_sibling")], "F")
    h2, alt = unrelated_alternative(ped)
    data = {MP: ("10", "11"), ids[0]: ("11", "12"), ids[1]: ("11", "13")}
    s = Settings(table, theta, mut)
    lumped = pedigree_lr(ped, h2, data, "D3S1358", s, h2_rename={MP: alt}, lump=True)
    full = pedigree_lr(ped, h2, data, "D3S1358", s, h2_rename={MP: alt}, lump=False)
    assert lumped == pytest.approx(full, rel=1e-10)


def test_lumping_under_stepwise_mutation_is_a_small_approximation():
    freqs = {str(a): 1 / 8 for a in range(10, 18)}
    table = table_of({"D3S1358": freqs})
    ped, ids = build_family([Relative("father")], "F")
    h2, alt = unrelated_alternative(ped)
    data = {MP: ("10", "11"), ids[0]: ("12", "12")}
    s = Settings(table, 0.0, MutationModel("stepwise", 0.002, 0.002, 0.5))
    lumped = pedigree_lr(ped, h2, data, "D3S1358", s, h2_rename={MP: alt}, lump=True)
    full = pedigree_lr(ped, h2, data, "D3S1358", s, h2_rename={MP: alt}, lump=False)
    assert lumped == pytest.approx(full, rel=1e-2)


def test_mother_and_sibling_are_evaluated_jointly_not_as_a_product_of_pairs():
    table = table_of({"D3S1358": {"14": 0.2, "15": 0.3, "16": 0.5}})
    person = Profile({"D3S1358": ("14", "15")})
    mother = Profile({"D3S1358": ("14", "16")})
    sib = Profile({"D3S1358": ("14", "15")})
    s = Settings(table)
    joint = family_lr(person, [(Relative("mother"), mother), (Relative("full_sibling"), sib)], s).lr
    pairs = (
        family_lr(person, [(Relative("mother"), mother)], s).lr
        * family_lr(person, [(Relative("full_sibling"), sib)], s).lr
    )
    # Brute force: H1 mother + untyped father with children mp and sib; H2 the same family
    # and mp an unrelated founder (equal to a child of untyped parents without mutation).
    ped, ids = build_family([Relative("mother"), Relative("full_sibling")], "U")
    p = np.array([0.2, 0.3, 0.5])
    data = {MP: (0, 1), ids[0]: (0, 2), ids[1]: (0, 1)}
    num = locus_likelihood_reference(ped.pruned(set(data)), data, p)
    h2 = ped.pruned({ids[0], ids[1]})
    h2.add("alt")
    den_data = {"alt": (0, 1), ids[0]: (0, 2), ids[1]: (0, 1)}
    den = locus_likelihood_reference(h2, den_data, p)
    assert joint == pytest.approx(num / den, rel=1e-12)
    assert not math.isclose(joint, pairs, rel_tol=1e-3)


@settings(max_examples=20, deadline=None)
@given(
    st.sampled_from(SMALL_FAMILIES + [["grandparent", "grandparent", "aunt_uncle"]]),
    st.integers(0, 10**6),
)
def test_lr_of_an_unrelated_person_has_expectation_one(relations, seed):
    # E[LR | H2] = sum_g P(g) LR(g) = sum_g P(g | family, H1) = 1, for any family data.
    rng = np.random.default_rng(seed)
    alleles = [str(a) for a in range(10, 15)]
    p = rng.dirichlet(np.ones(5))
    ped, ids = build_family([Relative(r) for r in relations], "M")
    data = {pid: tuple(rng.choice(alleles, 2)) for pid in ids}
    model = MutationModel("stepwise", 0.003, 0.001)
    # With a mutation model every family's data has a positive probability.
    table = family_table(ped, data, "D3S1358", alleles, p, model)
    lo, hi = np.triu_indices(5)
    freq = np.where(lo == hi, p[lo] ** 2, 2 * p[lo] * p[hi])
    codes = 1 + hi * (hi + 1) // 2 + lo
    assert float(np.sum(freq * table[codes])) == pytest.approx(1.0, rel=1e-9)


def test_exclusion_at_three_loci_without_mutation_model_gives_zero():
    loci = ("D3S1358", "vWA", "FGA", "TH01")
    table = table_of({locus: {"10": 0.25, "11": 0.25, "12": 0.25, "13": 0.25} for locus in loci})
    person = Profile({locus: ("10", "11") for locus in loci})
    father = Profile(
        {"D3S1358": ("12", "13"), "vWA": ("12", "13"), "FGA": ("12", "12"), "TH01": ("10", "12")}
    )
    plain = family_lr(person, [(Relative("father"), father)], Settings(table))
    assert plain.lr == 0.0
    assert [x["locus"] for x in plain.inconsistent] == ["D3S1358", "FGA", "vWA"]
    mutated = family_lr(
        person, [(Relative("father"), father)], Settings(table, mutation=MutationModel("stepwise"))
    )
    assert mutated.lr > 0.0
    assert [x["locus"] for x in mutated.inconsistent] == ["D3S1358", "FGA", "vWA"]
    assert all(0 < x["lr"] < 0.01 for x in mutated.inconsistent)


@pytest.mark.parametrize(
    ("relatives", "message"),
    [
        ([Relative("father"), Relative("father")], "more than one father"),
        ([Relative("cousin")], "not one of"),
        ([Relative("mother", "M")], "cannot have sex M"),
        ([Relative("grandparent")] * 5, "no free grandparent place"),
    ],
)
def test_impossible_families_are_refused_with_a_clear_error(relatives, message):
    from homeward.matching.dna.errors import DnaError

    with pytest.raises(DnaError, match=message):
        build_family(relatives)


def test_relations_build_the_expected_pedigree_links():
    ped, ids = build_family(
        [Relative("grandparent"), Relative("aunt_uncle"), Relative("half_sibling", via="mother")],
        "M",
    )
    grandparent, aunt, half = (ped.get(i) for i in ids)
    assert grandparent.id == "mp.father.father"
    assert (aunt.father, aunt.mother) == ("mp.father.father", "mp.father.mother")
    assert half.mother == "mp.mother" and half.father != "mp.father"
    assert ped.get("mp.father").father == "mp.father.father"
