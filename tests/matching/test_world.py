import numpy as np

from homeward.matching.attributes.records import parse_found, parse_missing
from homeward.matching.evidence import DnaEvidence, FaceEvidence
from homeward.matching.world import WorldConfig, build_world, write_world

SMALL = WorldConfig(n_missing=400, n_found=120, n_true=80, seed=11)


def test_the_same_seed_gives_the_same_world_and_another_seed_another():
    a, b = build_world(SMALL), build_world(SMALL)
    assert a.found == b.found and a.missing == b.missing and a.truth == b.truth
    c = build_world(WorldConfig(n_missing=400, n_found=120, n_true=80, seed=12))
    assert c.found != a.found


def test_the_world_is_written_as_hwx_records_that_parse(tmp_path):
    world = build_world(SMALL)
    paths = write_world(world, tmp_path)
    assert sum(1 for _ in paths["found"].open()) == 120
    assert sum(1 for _ in paths["truth"].open()) == 80
    for rec in world.found:
        parse_found(rec)
    for rec in world.missing:
        parse_missing(rec)
    unmatched = {r["id"] for r in world.found} - set(world.truth)
    assert len(unmatched) == 40  # found people with no report


def test_simulated_face_distances_follow_the_face_engines_calibration_data():
    world = build_world(WorldConfig(n_missing=1500, n_found=400, n_true=400, seed=3, dna=False))
    found = [parse_found(r) for r in world.found]
    missing = [parse_missing(r) for r in world.missing]
    ev = FaceEvidence(found, missing)
    row = {r["id"]: i for i, r in enumerate(missing)}
    same, years, diff = [], [], []
    for i, rec in enumerate(found):
        j = row[world.truth[rec["id"]]]
        if ev.found_mask[i, 0] and ev.missing_mask[j, 0]:
            same.append(float(np.linalg.norm(ev.found[i, 0] - ev.missing[j, 0])))
            years.append(abs(ev.found_year[i, 0] - ev.missing_year[j, 0]))
            k = (j + 1) % len(missing)
            if ev.missing_mask[k, 0]:
                diff.append(float(np.linalg.norm(ev.found[i, 0] - ev.missing[k, 0])))
    same, years = np.array(same), np.array(years)
    near = same[years < 3]
    assert 0.36 < near.mean() < 0.50  # calibration data: 0.408 for photos of one era
    assert 0.80 < np.mean(diff) < 0.92  # calibration data: 0.864 for different people
    assert same[years >= 10].mean() > near.mean()  # drift grows with the years


def test_dna_of_a_found_person_supports_their_own_family_more_than_others():
    world = build_world(
        WorldConfig(
            n_missing=60, n_found=40, n_true=40, seed=2, faces=False, dna_found=1.0, dna_family=1.0
        )
    )
    found = [parse_found(r) for r in world.found]
    missing = [parse_missing(r) for r in world.missing]
    ev = DnaEvidence(found, missing)
    row = {r["id"]: i for i, r in enumerate(missing)}
    fi = np.arange(len(found))
    mi = np.array([row[world.truth[r["id"]]] for r in found])
    true_lr = ev.log10_lr(fi, mi)
    other_lr = ev.log10_lr(fi, (mi + 1) % len(missing))
    assert np.median(true_lr) > 2 and np.median(other_lr) < 0
    assert not ev.errors
