"""A new report scored in one pair per person: `ReportTable.pairs_with` gives the pair's
evidence and `pools.Pool` its prior and rivals, as a full match of the grown table does."""

from __future__ import annotations

import math

import numpy as np
import pytest

from homeward.matching import fusion
from homeward.matching.bulk import ReportTable
from homeward.matching.bulk_columns import Vocab
from homeward.matching.found_people import FoundPeople
from homeward.matching.pools import NONE, Pool, log10_sum
from homeward.matching.search import parse_records
from homeward.matching.world import WorldConfig, build_world


@pytest.fixture(scope="module")
def world():
    return build_world(WorldConfig(n_missing=500, n_found=120, n_true=70, seed=45))


def _pairs_of(result, found_ids, row):
    """Every pair of the full match with the report at `row`, by found id."""
    pairs = result["all"]
    at = np.flatnonzero(pairs["missing"] == row)
    return {found_ids[pairs["found"][k]]: k for k in at}, pairs


@pytest.mark.parametrize("seed", [1, 2])
def test_a_new_reports_pairs_and_posteriors_are_those_of_a_full_match(world, seed):
    """Reports held back are added one by one. For each, the people it blocks with are
    scored in one pair each; their pools, grown by that pair, give every pair's prior and
    rivals as a match of everyone against the grown table gives them."""
    missing, _ = parse_records(world.missing, "missing")
    rng = np.random.default_rng(seed)
    # Held back: some reports that have their person among the found, some at random.
    theirs = [world.truth[f] for f in list(world.truth)[seed * 5 : seed * 5 + 6]]
    held = set(theirs) | {missing[k]["id"] for k in rng.choice(len(missing), 6, replace=False)}
    table = ReportTable([r for r in missing if r["id"] not in held])
    found_ids = [r["id"] for r in parse_records(world.found, "found")[0]]
    pools = table.match(world.found, top=5, pools=True)["pools"]
    assert set(pools) == set(found_ids)

    compared = 0
    for report in [r for r in missing if r["id"] in held]:
        table.add([report])
        got = table.pairs_with(world.found, report["id"])
        full = table.match(world.found, top=5, keep_pairs=True, pools=True)
        at, pairs = _pairs_of(full, found_ids, table.row_of[report["id"]])
        assert set(got["found"]) == set(at)  # everyone the full match pairs it with
        for k, found_id in enumerate(got["found"]):
            compared += 1
            j = at[found_id]
            assert got["parts"]["attributes"][k] == pairs["attributes"][j]
            np.testing.assert_equal(got["parts"]["dna"][k], pairs["dna"][j])
            if math.isnan(pairs["face"][j]):
                assert math.isnan(got["parts"]["face"][k])
            else:
                assert got["parts"]["face"][k] == pytest.approx(pairs["face"][j], abs=2e-4)
            total = float(got["total"][k])
            grown = pools[found_id].add(report["id"], total, got["strongest"][k], got["recency"])
            assert grown.size == full["pools"][found_id].size
            assert grown.prior() == pytest.approx(float(pairs["prior"][j]), abs=1e-12)
            assert grown.rivals(report["id"], total) == pytest.approx(
                float(pairs["rivals"][j]), abs=1e-3
            )
            pools[found_id] = grown
        # The best pairs of everyone it was scored with are those of the full match.
        for found_id in got["found"]:
            want = full["pools"][found_id]
            assert [p[0] for p in pools[found_id].top] == [p[0] for p in want.top]
            assert pools[found_id].rest == pytest.approx(want.rest, abs=1e-3)
    assert compared > 100  # the held-back reports were compared with many people


def test_rivals_from_the_pool_equal_those_of_every_pair(world):
    """For each found person, every pair's rivals from the summed-up pool equal
    `Prior.rivals` over all their pairs: the best pairs left out exactly, any other taken
    off the whole."""
    missing, _ = parse_records(world.missing, "missing")
    table = ReportTable(missing)
    found_ids = [r["id"] for r in parse_records(world.found, "found")[0]]
    result = table.match(world.found, top=3, keep_pairs=True, pools=True)
    pairs = result["all"]
    checked = 0
    for k in range(0, len(pairs["found"]), 7):
        found_id = found_ids[pairs["found"][k]]
        report_id = table.ids[pairs["missing"][k]]
        pool = result["pools"][found_id]
        want = float(pairs["rivals"][k])
        assert pool.rivals(report_id, float(pairs["total"][k])) == pytest.approx(want, abs=1e-6)
        assert pool.prior() == float(pairs["prior"][k])
        checked += 1
    assert checked > 200


def test_a_pool_keeps_its_best_pairs_and_sums_the_rest():
    pool = Pool(size=0, top=(), rest=NONE, keep=2)
    for report, total in [("a", 1.0), ("b", 3.0), ("c", 2.0), ("d", -50.0)]:
        pool = pool.add(report, total, total, math.nan)
    assert pool.size == 4
    assert [(r, t) for r, t, *_ in pool.top] == [("b", 3.0), ("c", 2.0)]
    assert pool.rest == pytest.approx(math.log10(10.0 + 1e-50))
    assert pool.rank("c") == 2 and pool.rank("a") is None
    assert Pool.from_json(pool.as_json()) == pool
    # An overwhelming pair does not cancel itself out of its own rivals.
    strong = pool.add("e", 400.0, 400.0, 20_000.0)
    prior = fusion.DEFAULT_PRIOR
    want = prior.rivals(np.array([400.0, 3.0, 2.0, 1.0, -50.0]))
    assert strong.rivals("e", 400.0) == pytest.approx(want[0], abs=1e-9)
    assert strong.rivals("a", 1.0) == pytest.approx(want[3], abs=1e-9)
    assert log10_sum([]) == NONE


def test_a_tie_goes_to_the_stronger_part_then_the_recent_report_then_the_id():
    pool = Pool(size=0, top=(), rest=NONE, keep=3)
    for report, strongest, recency in [
        ("b", 1.0, 100.0),
        ("a", 1.0, 100.0),
        ("c", 1.0, math.nan),
        ("d", 1.0, 200.0),
        ("e", 2.0, 50.0),
    ]:
        pool = pool.add(report, 0.5, strongest, recency)
    assert [p[0] for p in pool.top] == ["e", "d", "a"]
    assert pool.rest == pytest.approx(math.log10(2 * 10**0.5))


def test_found_people_kept_and_changed_in_place_score_as_the_records_do(world):
    """`FoundPeople` (parsed once, faces as float32, changed in place) gives the same
    pairs as the raw records, and its records match as the raw ones do."""
    missing, _ = parse_records(world.missing, "missing")
    table = ReportTable(missing)
    parsed, _ = parse_records(world.found, "found")
    half = len(parsed) // 2
    people = FoundPeople(parsed[:half], table.vocab)
    # The second half arrives; three of the first change (a name corrected), two leave.
    changed = [dict(r, name="王小二") for r in parsed[:3]]
    gone = [r["id"] for r in parsed[3:5]]
    grown = people.update([*parsed[half:], *changed], gone)
    assert len(people) == half  # the old object is as it was
    now = [*changed, *parsed[5:half], *parsed[half:]]
    raw = {r["id"]: r for r in world.found}
    renamed = {r["id"] for r in changed}
    now_raw = [
        dict(raw[r["id"]], name="王小二") if r["id"] in renamed else raw[r["id"]] for r in now
    ]
    assert sorted(grown.ids()) == sorted(r["id"] for r in now)
    assert grown.record(changed[0]["id"])["name"] == "王小二"
    with_face = 0
    for report in missing[::25]:
        kept = table.pairs_with(grown, report["id"])
        fresh = table.pairs_with(now_raw, report["id"])
        assert sorted(kept["found"]) == sorted(fresh["found"])
        order = {f: k for k, f in enumerate(fresh["found"])}
        at = [order[f] for f in kept["found"]]
        np.testing.assert_array_equal(kept["fields"], fresh["fields"][at])
        np.testing.assert_allclose(kept["total"], fresh["total"][at], atol=1e-9)
        with_face += int(np.isfinite(kept["parts"]["face"]).sum())
    assert with_face > 0
    # A table built anew has another vocabulary: the people are encoded again for it.
    other = ReportTable(missing)
    assert grown.for_vocab(other.vocab).vocab is other.vocab
    report = missing[0]["id"]
    assert sorted(other.pairs_with(grown, report)["found"]) == sorted(
        table.pairs_with(grown, report)["found"]
    )
    records = [grown.record(f) for f in grown.ids()]
    renamed = {r["id"] for r in changed}
    as_raw = [dict(raw[f], name="王小二") if f in renamed else raw[f] for f in grown.ids()]
    kept_match = table.match(records, top=3, parsed=True)["candidates"]
    assert kept_match == table.match(as_raw, top=3)["candidates"]


def test_a_familys_dna_against_many_people_equals_each_persons_scan(world, tmp_path):
    """`DnaColumns.scores_of_family` (one family, many people) gives each person the score
    their own scan gives that family (`scores_at`), to the last bit, for every kind of
    family the world holds, appended ones included."""
    missing, _ = parse_records(world.missing, "missing")
    found, _ = parse_records(world.found, "found")
    with_dna = [r for r in found if r.get("dna")]
    assert len(with_dna) > 20
    # A mother and a sibling make a pedigree (the engine's exact table per family).
    mothers = [r for m in missing for r in m["relatives"] if r.get("relation") == "mother"]
    siblings = [r for m in missing for r in m["relatives"] if r.get("relation") == "full_sibling"]
    pedigrees = [
        dict(missing[k], id=f"PED-{k}", relatives=[mothers[k], siblings[k]]) for k in range(3)
    ]
    table = ReportTable([*missing[:-40], *pedigrees[:2]], dna_index=tmp_path / "dna")
    table.add([*missing[-40:], pedigrees[2]])  # into the table's own segments
    by_kind: dict[tuple[str, bool], list[int]] = {}
    for row in np.flatnonzero(table.dna.has_family):
        index, seg = table.dna.parts[table.dna.seg_of[row]]
        by_kind.setdefault((seg["kind"], index is table.dna.index), []).append(int(row))
    kinds = {kind for kind, _kept in by_kind}
    assert {"parents", "pedigree"} < kinds, kinds  # and one relative of some kind
    rows = [row for some in by_kind.values() for row in some[:3]]
    appended = 0
    for row in rows:
        got = table.dna.scores_of_family(found, int(row))
        want = np.array([table.dna.scores_at(r, np.array([row]))[0] for r in found])
        np.testing.assert_array_equal(got, want)
        appended += int(table.dna.parts[table.dna.seg_of[row]][0] is not table.dna.index)
    assert appended > 0
    nobody = int(np.flatnonzero(~table.dna.has_family)[0])
    assert np.isnan(table.dna.scores_of_family(found, nobody)).all()


def test_found_peoples_faces_are_appended_in_place_and_a_branch_keeps_its_own(world):
    """An intake writes its faces into spare rows (no one else's face is copied), and two
    updates of the same object, one after the other, each see their own people's faces."""
    parsed, _ = parse_records(world.found, "found")
    with_face = [r for r in parsed if r["face_embeddings"]]
    base = FoundPeople(parsed[:40], Vocab())
    one = base.update([with_face[-1]], [])
    assert one._face_store[0] is base._face_store[0]  # in place
    two = base.update([with_face[-2]], [])  # from the same object: its own copy
    for people, extra in ((one, with_face[-1]), (two, with_face[-2])):
        fresh = FoundPeople([*parsed[:40], extra], people.vocab)
        row = people.row_of[extra["id"]]
        np.testing.assert_array_equal(
            people.face_mask[row, : fresh.face_mask.shape[1]], fresh.face_mask[-1]
        )
        np.testing.assert_array_equal(people.faces[row, : fresh.faces.shape[1]], fresh.faces[-1])
        assert len(people.faces) == len(people.records)
    np.testing.assert_array_equal(base.faces, FoundPeople(parsed[:40], base.vocab).faces)
