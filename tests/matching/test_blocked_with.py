"""A new report is scored against the people the blocking rules compare it with, and no
one else: `ReportTable.blocked_with` finds them, and their candidates for that report are
those a match of everyone gives."""

from __future__ import annotations

import numpy as np
import pytest

from homeward.matching.bulk import ReportTable
from homeward.matching.search import parse_records
from homeward.matching.world import WorldConfig, build_world


@pytest.fixture(scope="module")
def world():
    return build_world(WorldConfig(n_missing=600, n_found=150, n_true=80, seed=44))


def test_the_people_blocked_with_a_report_are_those_the_match_pairs_it_with(world):
    missing, _ = parse_records(world.missing, "missing")
    table = ReportTable(missing)
    every = table.match(world.found, top=5, keep_pairs=True)
    pairs = every["all"]
    found_ids = [r["id"] for r in parse_records(world.found, "found")[0]]
    rng = np.random.default_rng(3)
    reports = {world.truth[f] for f in list(world.truth)[:20]}
    reports |= {missing[k]["id"] for k in rng.choice(len(missing), 20, replace=False)}
    fewer = 0
    for report_id in sorted(reports):
        row = table.row_of[report_id]
        paired = {found_ids[k] for k in pairs["found"][pairs["missing"] == row]}
        admitted = set(table.blocked_with(world.found, report_id))
        assert paired == admitted, report_id  # nobody the match compares, and no one else
        fewer += len(found_ids) - len(admitted)

        some = [f for f in world.found if f["id"] in admitted]
        want = [c for c in every["candidates"] if c["missing"] == report_id]
        got = [c for c in table.match(some, top=5)["candidates"] if c["missing"] == report_id]
        assert got == want
    assert fewer > len(reports) * len(found_ids) // 2  # most people are never scored


def test_a_report_not_in_the_table_blocks_with_nobody(world):
    missing, _ = parse_records(world.missing, "missing")
    table = ReportTable(missing[:50])
    assert table.blocked_with(world.found, "no-such-report") == []
    assert table.blocked_with([], missing[0]["id"]) == []


def test_a_report_beyond_the_age_window_is_blocked_by_the_same_name_or_a_near_face(world):
    """Reports the sex and age rules pass by: a found person's own report with the birth
    year wrong by decades (the same full name and photo), one without the name (the photo
    only), one without the photo (the name only); and one of unknown sex, which the age
    rule compares with men and women."""
    by_id = {r["id"]: r for r in world.missing}
    person = next(
        f
        for f in world.found
        if f["id"] in world.truth
        and f.get("name")
        and f.get("face_embeddings")
        and by_id[world.truth[f["id"]]].get("face_embeddings")
    )
    own = by_id[world.truth[person["id"]]]
    # The photo the family gave is the one the station took (a near face for certain).
    far = {**own, "birth_date": "1900", "name": person["name"]}
    far["face_embeddings"] = person["face_embeddings"]
    far["photos"] = [{"taken": own["photos"][0].get("taken")}] * len(person["face_embeddings"])
    extra = [
        dict(far, id="X-name-and-face"),
        dict(far, id="X-face", name="无名氏", aliases=[]),
        dict(far, id="X-name", photos=[], face_embeddings=[]),
        dict(
            own,
            id="X-sex-unknown",
            sex="U",
            name="无名氏",
            aliases=[],
            photos=[],
            face_embeddings=[],
        ),
    ]
    missing, _ = parse_records(world.missing + extra, "missing")
    table = ReportTable(missing)
    every = table.match(world.found, top=10)["candidates"]
    for report in extra:
        admitted = table.blocked_with(world.found, report["id"])
        assert person["id"] in admitted, report["id"]
        want = [c for c in every if c["missing"] == report["id"]]
        assert person["id"] in {c["found"] for c in want}, report["id"]
        some = [f for f in world.found if f["id"] in admitted]
        got = [c for c in table.match(some, top=10)["candidates"] if c["missing"] == report["id"]]
        assert got == want
