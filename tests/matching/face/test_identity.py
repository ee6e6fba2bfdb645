"""On real photos: one person's photos are nearer than different people's, and search finds them.

Obama (three photos) and Biden come from scripts/fetch_test_faces.py; Collins and Hopper are
vendored. The tests skip with a hint when the fetched photos are missing.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from homeward.matching.face import (
    FaceIndex,
    StoredPhoto,
    analyse_photo,
    face_distance,
    rebuild_index,
    shipped_calibration,
)
from tests.matching.face.photos import IMAGES, fetched_photo, photo

PEOPLE = {
    "obama.jpg": "obama",
    "obama2.jpg": "obama",
    "obama3.jpg": "obama",
    "biden.jpg": "biden",
    "astronaut.jpg": "collins",
    "grace_hopper.jpg": "hopper",
}


@pytest.fixture(scope="module")
def embeddings(model, fetched) -> dict[str, np.ndarray]:
    found = {}
    for name in PEOPLE:
        image = photo(name) if (IMAGES / name).exists() else fetched_photo(name)
        analysis = analyse_photo(image, model=model)
        assert analysis.embedding is not None, (name, analysis.report.as_dict())
        found[name] = analysis.embedding
    return found


def pairs(embeddings, same: bool) -> list[float]:
    return [
        face_distance(embeddings[a], embeddings[b])
        for a, b in itertools.combinations(PEOPLE, 2)
        if (PEOPLE[a] == PEOPLE[b]) == same
    ]


def test_same_person_photos_are_nearer_than_any_two_different_people(embeddings):
    same, different = pairs(embeddings, True), pairs(embeddings, False)

    assert len(same) == 3 and len(different) == 12
    assert max(same) < min(different)
    assert max(same) < 0.6 < min(different)  # dlib's design threshold holds here too


def test_calibrated_lr_favours_same_person_pairs_and_disfavours_different_ones(embeddings):
    calibration = shipped_calibration()

    same = [calibration.log10_lr(d, years_apart=0) for d in pairs(embeddings, True)]
    different = [calibration.log10_lr(d, years_apart=0) for d in pairs(embeddings, False)]

    assert min(same) > 1  # at least 10:1 for the same person
    assert max(different) < 0


def test_intake_photo_search_returns_the_missing_persons_record_first(embeddings):
    index = FaceIndex("dlib_resnet_v1", 128)
    for record, name in [
        ("M-1", "biden.jpg"),
        ("M-2", "obama.jpg"),
        ("M-3", "astronaut.jpg"),
        ("M-4", "grace_hopper.jpg"),
    ]:
        index.add("missing", record, name, embeddings[name])

    for intake in ("obama2.jpg", "obama3.jpg"):
        hits = index.search("missing", embeddings[intake], k=4)
        assert [h.record_id for h in hits][0] == "M-2"
        assert hits[0].distance < 0.6 < hits[1].distance


def test_new_report_search_returns_the_found_person_with_the_best_photo_pair(embeddings):
    index = FaceIndex("dlib_resnet_v1", 128)
    index.add("found", "F-7", "F-7/a", embeddings["obama3.jpg"])
    index.add("found", "F-7", "F-7/b", embeddings["obama2.jpg"])
    index.add("found", "F-8", "F-8/a", embeddings["biden.jpg"])
    index.add("found", "F-9", "F-9/a", embeddings["grace_hopper.jpg"])
    report_photos = np.stack([embeddings["astronaut.jpg"], embeddings["obama.jpg"]])

    hits = index.search("found", report_photos, k=3)

    assert hits[0].record_id == "F-7"
    best = min(
        ("F-7/a", "obama3.jpg"),
        ("F-7/b", "obama2.jpg"),
        key=lambda p: face_distance(embeddings[p[1]], embeddings["obama.jpg"]),
    )
    assert (hits[0].photo_id, hits[0].query_row) == (best[0], 1)
    assert len({h.record_id for h in hits}) == len(hits)  # one hit per record


def test_index_rebuilt_from_stored_photos_finds_the_same_records(model, fetched, tmp_path):
    stored = [
        StoredPhoto("missing", "M-2", "p1", str(fetched / "obama.jpg")),
        StoredPhoto("missing", "M-1", "p2", str(fetched / "biden.jpg")),
        StoredPhoto("missing", "M-4", "p3", str(IMAGES / "grace_hopper.jpg")),
        StoredPhoto("missing", "M-5", "p4", b"not an image"),
    ]

    index, skipped = rebuild_index(stored, tmp_path / "faces", model=model)
    query = analyse_photo(fetched / "obama2.jpg", model=model).embedding

    assert skipped == {"p4": ["unreadable"]}
    assert FaceIndex("dlib_resnet_v1", 128, tmp_path / "faces").count("missing") == 3
    assert index.search("missing", query, k=1)[0].record_id == "M-2"
