"""The bulk matcher (bench/match_scale.py's path) against the app's path, match_records."""

import numpy as np
import pytest

from homeward.matching.attributes.comparisons import COMPARISONS, reference_level
from homeward.matching.attributes.model import FACE_NEAR, passes_blocking, plausible
from homeward.matching.attributes.records import feature_row
from homeward.matching.bulk import ReportTable
from homeward.matching.bulk_columns import Vocab, encode, levels
from homeward.matching.search import match_records, parse_records
from homeward.matching.world import Noise, WorldConfig, build_world


@pytest.fixture(scope="module")
def world():
    return build_world(WorldConfig(n_missing=300, n_found=60, n_true=40, seed=33))


def _close(a, b):
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 2e-4


@pytest.fixture(scope="module")
def both(world):
    missing, _ = parse_records(world.missing, "missing")
    bulk = ReportTable(missing).match(world.found, top=5, keep_pairs=True)
    return match_records(world.found, world.missing, top=5), bulk


def test_bulk_gives_the_same_candidates_and_posteriors_as_match_records(both):
    reference, got = both[0].candidates, both[1]["candidates"]
    assert [(c["found"], c["missing"], c["rank"]) for c in got] == [
        (c["found"], c["missing"], c["rank"]) for c in reference
    ]
    assert any(c["log10_lr"]["dna"] is not None for c in got)
    assert any(c["log10_lr"]["face"] is not None for c in got)
    for a, b in zip(reference, got, strict=True):
        assert abs(a["posterior"] - b["posterior"]) <= 1e-5
        assert a["prior_log10_odds"] == b["prior_log10_odds"]
        for part, value in a["log10_lr"].items():
            assert _close(value, b["log10_lr"][part]), (a, b)
        for name, value in a["attributes"].items():
            assert _close(value, b["attributes"][name]), (a, b)


def test_bulk_scores_every_blocked_pair_like_score_pairs(both):
    ref, got = both[0].pairs, both[1]["all"]
    key_ref = np.lexsort((ref["missing"], ref["found"]))
    key_got = np.lexsort((got["missing"], got["found"]))
    np.testing.assert_array_equal(ref["found"][key_ref], got["found"][key_got])
    np.testing.assert_array_equal(ref["missing"][key_ref], got["missing"][key_got])
    for part in ("attributes", "face", "dna", "total", "posterior"):
        np.testing.assert_allclose(
            ref[part][key_ref], got[part][key_got], rtol=1e-6, atol=1e-5, equal_nan=True
        )


def test_every_level_and_the_blocking_agree_with_the_python_twins(world):
    found, _ = parse_records(world.found[:30], "found")
    missing, _ = parse_records(world.missing, "missing")
    fr, mr = [feature_row(r) for r in found], [feature_row(r) for r in missing]
    vocab = Vocab()
    mcols, fcols = encode(mr, vocab), encode(fr, vocab)
    table = ReportTable.__new__(ReportTable)
    table.cols, table.live = mcols, np.ones(len(mr), bool)
    seen = set()
    for i, a in enumerate(fr):
        f = {k: v[..., i] for k, v in fcols.items()}
        blocked = table.blocked(f)
        assert blocked.tolist() == [j for j, b in enumerate(mr) if plausible(a, b)]
        got = levels(f, mcols)
        for j in blocked:
            for c, comp in enumerate(COMPARISONS):
                want = reference_level(comp, a, mr[j])
                assert got[c][j] == want, (comp.name, a, mr[j])
                seen.add((comp.name, want))
    # the world reaches most levels: the check is not vacuous
    assert len(seen) >= 30


def test_a_kept_dna_index_is_reused_while_the_dna_is_the_same_and_rebuilt_when_it_changes(
    world, both, tmp_path
):
    missing, _ = parse_records(world.missing, "missing")
    kept = tmp_path / "dna"
    (kept / "notes").mkdir(parents=True)  # someone else's folder beside the indexes
    (kept / "notes" / "a.txt").write_text("mine")
    first = ReportTable(missing, evidence=("dna",), dna_index=kept)
    folder = first.dna.index.path
    built_at = (folder / "meta.json").stat().st_mtime_ns
    again = ReportTable(missing, evidence=("dna",), dna_index=kept)
    assert again.dna.index.path == folder
    assert (folder / "meta.json").stat().st_mtime_ns == built_at  # opened, not rebuilt
    assert again.dna.family_row == first.dna.family_row
    # The same DNA scores from the kept index as from a fresh one.
    got = again.match(world.found, top=5)["candidates"]
    fresh = ReportTable(missing, evidence=("dna",)).match(world.found, top=5)["candidates"]
    assert got == fresh
    assert any(c["log10_lr"]["dna"] is not None for c in got)

    # A report's relatives change: a new index is built and scores the new DNA.
    j = next(int(k) for k in first.dna.family_row)
    changed = [dict(r) for r in missing]
    changed[j] = dict(changed[j], relatives=[])
    rebuilt = ReportTable(changed, evidence=("dna",), dna_index=kept)
    assert rebuilt.dna.index.path != folder
    assert str(j) not in rebuilt.dna.family_row
    assert len(rebuilt.dna.family_row) == len(first.dna.family_row) - 1
    assert not [p for p in kept.iterdir() if p.name.startswith(".building")]

    # Only the last few indexes are kept, and nothing the matcher did not make is removed.
    for k in range(4):
        more = [dict(r) for r in changed]
        more[k] = dict(more[k], relatives=[])
        ReportTable(more, evidence=("dna",), dna_index=kept)
    indexes = [p for p in kept.iterdir() if (p / "families.json").is_file()]
    assert len(indexes) == 3
    assert (kept / "notes" / "a.txt").read_text() == "mine"


@pytest.fixture(scope="module")
def careless():
    """A world whose intake gets sex wrong for one in ten and ages three times as far off
    as usual: many true pairs pass the sex and age rules by."""
    noise = Noise(sex_wrong=0.1, age_sd_scale=3.0, name_exact=0.7)
    world = build_world(
        WorldConfig(n_missing=400, n_found=80, n_true=60, seed=5, noise=noise, photo_found=0.9)
    )
    missing, _ = parse_records(world.missing, "missing")
    found, _ = parse_records(world.found, "found")
    return world, found, missing


def test_a_same_name_or_a_near_face_is_compared_whatever_sex_and_age_say(careless):
    """Both paths compare exactly the pairs the rules name: plausible by sex and age, the
    same name, or a face within FACE_NEAR; and a true pair brought in that way is found."""
    from homeward.matching.evidence import FaceEvidence

    world, found, missing = careless
    reference = match_records(world.found, world.missing, top=5)
    got = ReportTable(missing).match(world.found, top=5, keep_pairs=True)
    fr, mr = [feature_row(r) for r in found], [feature_row(r) for r in missing]
    faces = FaceEvidence(found, missing)
    want = set()
    beyond_name = beyond_face = 0
    for i, a in enumerate(fr):
        for j, b in enumerate(mr):
            d = faces.nearest(i, j)[0]
            if passes_blocking(a, b, d):
                want.add((i, j))
                if not plausible(a, b):
                    beyond_name += a["name"] is not None and a["name"] == b["name"]
                    beyond_face += d is not None and d <= FACE_NEAR
    assert beyond_name >= 3 and beyond_face >= 3  # the world exercises both rules
    ref = set(zip(*(reference.pairs[k].tolist() for k in ("found", "missing")), strict=True))
    bulk = set(zip(*(got["all"][k].tolist() for k in ("found", "missing")), strict=True))
    assert ref == want and bulk == want
    # The same candidates and figures by both paths, the pairs beyond the rules included.
    assert [(c["found"], c["missing"], c["rank"]) for c in got["candidates"]] == [
        (c["found"], c["missing"], c["rank"]) for c in reference.candidates
    ]
    for a, b in zip(reference.candidates, got["candidates"], strict=True):
        assert abs(a["posterior"] - b["posterior"]) <= 1e-5
        for part, value in a["log10_lr"].items():
            assert _close(value, b["log10_lr"][part]), (a, b)
    # Some true pair that the sex and age rules alone would have hidden is a candidate.
    ids_f = [r["id"] for r in found]
    ids_m = [r["id"] for r in missing]
    hidden = {
        (ids_f[i], ids_m[j])
        for i, j in want
        if not plausible(fr[i], mr[j]) and world.truth.get(ids_f[i]) == ids_m[j]
    }
    shown = {(c["found"], c["missing"]) for c in got["candidates"]}
    assert hidden and hidden & shown
