"""The search index and kernels: fast scans agree with slow twins and find true families."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.matching.dna import scan
from homeward.matching.dna.closed import (
    duo_index,
    duo_row,
    pair_index,
    parents_column,
    parents_index,
)
from homeward.matching.dna.index import DnaIndex
from homeward.matching.dna.lr import Settings, family_lr
from homeward.matching.dna.mutation import MutationModel
from homeward.matching.dna.pedigree import Relative
from homeward.matching.dna.search import family_tables, search_family, search_found_person
from homeward.matching.dna.simulate import Population

LOCI = ["D3S1358", "vWA", "FGA", "TH01", "D8S1179", "D21S11", "D18S51", "D5S818"]


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 300), st.integers(1, 6), st.integers(0, 2**31))
def test_gather_sum_equals_its_slow_twin(n, loci, seed):
    rng = np.random.default_rng(seed)
    tables = [rng.normal(size=50).astype(np.float32) for _ in range(loci)]
    codes = rng.integers(0, 50, size=(loci, n)).astype(np.uint16)
    fast = scan.gather_sum(codes, tables, threads=1)
    assert np.allclose(fast, scan.gather_sum_reference(codes, tables), atol=1e-4)
    stacked = [np.stack([t, 2 * t]) for t in tables]
    many = scan.gather_sum_many(codes, stacked)
    assert np.allclose(many, scan.gather_sum_many_reference(codes, stacked), atol=1e-4)
    assert np.allclose(many[1], 2 * fast, atol=1e-4)


def test_top_k_returns_the_best_scores_first():
    scores = np.array([0.5, 3.0, -1.0, 2.0, 3.5], dtype=np.float32)
    assert scan.top_k(scores, 3).tolist() == [4, 1, 3]


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31), st.sampled_from([0.0, 0.02]))
def test_duo_row_and_parents_index_match_the_full_matrices(seed, theta):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.ones(5))
    child = int(rng.integers(0, 16))
    assert np.allclose(duo_row(child, p, theta), duo_index(p, theta)[child])
    both = parents_index(child, p, theta)
    assert np.allclose(both[0], duo_index(p, theta)[child])
    assert both.shape == (16, 16)
    mother, father = (int(x) for x in rng.integers(0, 16, 2))
    column = parents_column(mother, father, p, theta)
    assert column[child] == pytest.approx(both[mother, father])


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A small database with planted true families of each kind."""
    rng = np.random.default_rng(7)
    index = DnaIndex.create(tmp_path_factory.mktemp("db") / "shard", loci=LOCI)
    pop = Population.from_table(index.table, LOCI)
    fathers, mothers = pop.founders(rng, 400), pop.founders(rng, 400)
    child = pop.child(rng, fathers[:, :1], mothers[:, :1])
    sib = pop.child(rng, fathers[:, :1], mothers[:, :1])
    index.add_codes("father", [f"F{i}" for i in range(400)], pop.codes(fathers))
    index.add_codes(
        "parents", [f"P{i}" for i in range(400)], pop.codes(fathers), pop.codes(mothers)
    )
    index.add_families(
        [
            (
                "MS-0",
                [
                    (Relative("mother", "F"), pop.profile(mothers, 0)),
                    (Relative("full_sibling"), pop.profile(sib, 0)),
                ],
            )
        ]
    )
    index.add_found([(f"found-{i}", pop.profile(fathers, i)) for i in range(1, 50)])
    index.add_found([("found-child", pop.profile(child, 0))])
    return index, pop.profile(child, 0), pop, fathers, mothers


def test_a_found_child_ranks_its_own_families_first(world):
    index, child, *_ = world
    hits = search_found_person(index, child, top=3)
    assert {h["family"] for h in hits[:3]} == {"P0", "MS-0", "F0"}
    assert hits[0]["family"] == "P0"
    assert hits[0]["posterior"] > 0.9
    for hit in hits:
        assert hit["log10_lr"] == pytest.approx(hit["scan_log10_lr"], abs=0.05)


def test_scan_scores_equal_exact_lrs_without_mutation(world, tmp_path):
    index, child, pop, fathers, _ = world
    plain = DnaIndex.create(tmp_path / "plain", loci=LOCI, mutation={})
    plain.meta["mutation"] = None
    plain.add_codes("father", [f"F{i}" for i in range(20)], pop.codes(fathers[:, :20]))
    tables = plain.query_tables(child, "father")
    codes = np.load(plain.path / plain.meta["segments"][0]["name"] / "codes.npy")
    fast = scan.gather_sum(codes, tables)
    for j in range(20):
        exact = family_lr(
            child, [(Relative("father", "M"), pop.profile(fathers, j))], Settings(plain.table)
        ).lr
        assert fast[j] == pytest.approx(np.log10(exact) if exact else -np.inf, abs=1e-4)


def test_database_reopens_from_disk_and_grows_by_segments(world):
    index, child, *_ = world
    again = DnaIndex.open(index.path)
    assert again.summary()["records"] == {"father": 400, "parents": 400, "pedigree": 1, "found": 50}
    assert [h["family"] for h in again.search(child, top=1)] == ["P0"]


def test_a_family_finds_its_found_person(world):
    index, child, pop, fathers, mothers = world
    family = [
        (Relative("father", "M"), pop.profile(fathers, 0)),
        (Relative("mother", "F"), pop.profile(mothers, 0)),
    ]
    hits = search_family(index, family, top=2)
    assert hits[0]["found"] == "found-child"
    tables = family_tables(index, family[:1])
    assert len(tables) == len(LOCI)


def test_ladders_grow_for_new_alleles_and_old_codes_stay_valid(tmp_path):
    from homeward.matching.dna.profiles import Profile

    index = DnaIndex.create(tmp_path / "grow", loci=["TH01"])
    before = list(index.meta["ladders"]["TH01"])
    codes = index.encode([Profile({"TH01": ("6", "13.3")})])
    assert index.meta["ladders"]["TH01"] == [*before, "13.3"]
    assert index.decode(codes[:, 0]).genotypes == {"TH01": ("6", "13.3")}


def test_simulated_children_inherit_one_allele_from_each_parent():
    from homeward.matching.dna.frequencies import load_table

    rng = np.random.default_rng(3)
    pop = Population.from_table(load_table(), LOCI)
    fa, mo = pop.founders(rng, 500), pop.founders(rng, 500)
    ch = pop.child(rng, fa, mo)
    assert (ch[..., 0][..., None] == fa).any(-1).all()
    assert (ch[..., 1][..., None] == mo).any(-1).all()
    mutated = pop.child(rng, fa, mo, MutationModel("stepwise", 0.2, 0.2))
    assert 0 < np.mean(~(mutated[..., 0][..., None] == fa).any(-1)) < 0.3


def test_lr_of_unrelated_pairs_averages_one_over_simulated_pairs():
    # E[LR | unrelated] = 1 (research note dna.md, "Done when"): one locus, many pairs.
    from homeward.matching.dna.frequencies import load_table

    rng = np.random.default_rng(11)
    pop = Population.from_table(load_table(), ["D3S1358"])
    a, b = pop.founders(rng, 200_000), pop.founders(rng, 200_000)
    for kappa in ((0, 1, 0), (0.25, 0.5, 0.25), (0.5, 0.5, 0)):
        ki = pair_index(pop.freqs[0], kappa)
        lr = ki[pop.codes(a)[0], pop.codes(b)[0]]
        assert lr.mean() == pytest.approx(1.0, abs=0.05)


def test_records_from_jsonl_reads_families_and_found_persons(tmp_path):
    from homeward.matching.dna.frequencies import load_table
    from homeward.matching.dna.index import records_from_jsonl

    path = tmp_path / "r.jsonl"
    path.write_text(
        json.dumps(
            {
                "kind": "missing",
                "id": "M-1",
                "relatives": [{"relation": "mother", "dna": {"vWA": ["17", "18"]}}],
            }
        )
        + "\n"
        + json.dumps({"kind": "found", "id": "F-1", "dna": {"vWA": ["17"]}})
        + "\n"
        # FAMILIES.jsonl as `homeward dna build-db` documents it: no kind, a family.
        + json.dumps({"id": "M-2", "relatives": [{"relation": "father", "dna": {"vWA": ["17"]}}]})
        + "\n"
    )
    families, found = records_from_jsonl(path, load_table())
    assert [f[0] for f in families] == ["M-1", "M-2"] and found[0][0] == "F-1"


def test_region_shards_are_searched_together(world, tmp_path):
    index, child, pop, fathers, _ = world
    other = DnaIndex.create(tmp_path / "shard-2", loci=LOCI)
    other.add_codes("father", ["G0"], pop.codes(fathers[:, :1]))
    hits = search_found_person([index, other], child, top=4)
    assert {h["family"] for h in hits[:4]} == {"P0", "MS-0", "F0", "G0"}
    assert {h["shard"] for h in hits} == {"shard", "shard-2"}
