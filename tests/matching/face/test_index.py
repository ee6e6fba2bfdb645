"""The embedding index: exact best-pair search, incremental changes, and surviving a restart."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.matching.face import FaceIndex, FaceIndexError
from homeward.matching.face.index import search_reference

DIM = 8


def vectors(rng: np.random.Generator, n: int, dim: int = DIM) -> np.ndarray:
    return rng.normal(size=(n, dim)).astype(np.float32)


def filled(path=None, *, seed: int = 0) -> FaceIndex:
    rng = np.random.default_rng(seed)
    index = FaceIndex("test-model", DIM, path)
    records = [f"M-{i // 3}" for i in range(30)]  # ten records, three photos each
    index.add_many("missing", records, [f"p{i}" for i in range(30)], vectors(rng, 30))
    index.add_many("found", ["F-1", "F-2"], ["f1", "f2"], vectors(rng, 2))
    return index


def ids(hits) -> list[tuple[str, str, int]]:
    return [(h.record_id, h.photo_id, h.query_row) for h in hits]


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 120),
    records=st.integers(1, 40),
    queries=st.integers(1, 4),
    k=st.integers(1, 12),
)
def test_fast_search_agrees_with_the_plain_reference(seed, n, records, queries, k):
    rng = np.random.default_rng(seed)
    index = FaceIndex("test-model", DIM)
    owners = [f"R{int(r)}" for r in rng.integers(0, records, n)]
    index.add_many("missing", owners, [f"p{i}" for i in range(n)], vectors(rng, n))
    for photo in rng.choice(n, size=n // 4, replace=False):
        index.remove_photo("missing", f"p{photo}")
    index._shard("missing").block_rows = int(rng.integers(1, 60))  # exercise the blocking
    query = vectors(rng, queries)

    fast = index.search("missing", query, k)
    slow = search_reference(index.entries("missing"), query, k)

    assert ids(fast) == ids(slow)
    assert [h.distance for h in fast] == pytest.approx([h.distance for h in slow], abs=1e-6)


def test_each_record_appears_once_with_its_nearest_photo():
    index = FaceIndex("test-model", 2)
    index.add_many(
        "missing", ["A", "A", "B"], ["a-far", "a-near", "b"], np.array([[3, 0], [1, 0], [2, 0]])
    )

    hits = index.search("missing", np.array([0.0, 0.0]), k=5)

    assert [(h.record_id, h.photo_id, h.distance) for h in hits] == [
        ("A", "a-near", 1.0),
        ("B", "b", 2.0),
    ]


def test_search_looks_only_at_the_asked_kind():
    index = filled()

    assert {h.record_id for h in index.search("found", np.zeros(DIM), k=10)} == {"F-1", "F-2"}
    with pytest.raises(ValueError):
        index.search("staff", np.zeros(DIM))


def test_removed_record_is_never_returned_and_readding_a_photo_replaces_it():
    index = filled()
    target = next(index.entries("missing"))

    assert index.search("missing", target.vector, k=1)[0].record_id == target.record_id
    assert index.remove_record("missing", target.record_id) == 3
    assert target.record_id not in {h.record_id for h in index.search("missing", target.vector, 30)}
    index.add("missing", "M-new", "p5", target.vector)  # p5 belonged to M-1

    assert index.search("missing", target.vector, k=1)[0].record_id == "M-new"
    assert index.count("missing") == 30 - 3 - 1 + 1


def test_index_survives_a_restart_with_changes_after_the_last_snapshot(tmp_path):
    before = filled(tmp_path / "faces")
    before.save()
    before.remove_photo("missing", "p0")
    before.add("missing", "M-99", "p99", np.ones(DIM))
    query = np.stack([np.ones(DIM), np.zeros(DIM)]).astype(np.float32)
    expected = before.search("missing", query, k=10)

    after = FaceIndex("test-model", DIM, tmp_path / "faces")

    assert ids(after.search("missing", query, k=10)) == ids(expected)
    assert after.count() == before.count() == 32
    assert after.search("missing", np.ones(DIM), k=1)[0].record_id == "M-99"


def test_index_never_saved_is_rebuilt_from_its_journal(tmp_path):
    filled(tmp_path / "faces")

    again = FaceIndex("test-model", DIM, tmp_path / "faces")

    assert again.count("missing") == 30 and again.count("found") == 2


def test_save_compacts_and_a_second_save_keeps_one_snapshot(tmp_path):
    index = filled(tmp_path / "faces")
    index.remove_record("missing", "M-0")
    index.save()
    index.save()

    assert len(list((tmp_path / "faces").glob("snapshot-*"))) == 1
    assert (tmp_path / "faces" / "journal.jsonl").read_text() == ""
    assert FaceIndex("test-model", DIM, tmp_path / "faces").count("missing") == 27


def test_journal_line_cut_short_by_a_crash_is_ignored(tmp_path):
    filled(tmp_path / "faces")
    with open(tmp_path / "faces" / "journal.jsonl", "a") as journal:
        journal.write('{"seq": 999, "op": "add", "kind": "missing", "rec')

    assert FaceIndex("test-model", DIM, tmp_path / "faces").count("missing") == 30


def test_index_of_another_model_must_be_rebuilt(tmp_path):
    filled(tmp_path / "faces").save()

    with pytest.raises(FaceIndexError, match="rebuild"):
        FaceIndex("stronger-model", DIM, tmp_path / "faces")


def test_stored_matrix_is_contiguous_float32():
    index = filled()
    shard = index._shard("missing")

    assert shard.vectors.dtype == np.float32 and shard.vectors.flags.c_contiguous


def test_bad_embeddings_are_refused():
    index = FaceIndex("test-model", DIM)

    with pytest.raises(ValueError):
        index.add("missing", "M-1", "p1", np.full(DIM, np.nan))
    with pytest.raises(ValueError):
        index.add_many("missing", ["M-1", "M-1"], ["p1", "p1"], np.zeros((2, DIM)))


@pytest.mark.parametrize("count", [1, 80, 5000, 300_000])
def test_smallest_rows_with_a_sampled_cutoff_matches_a_full_sort(count):
    from homeward.matching.face.index import smallest_rows

    values = np.random.default_rng(count).random(300_000).astype(np.float32)
    values[::7] = np.inf  # removed rows

    expected = np.sort(np.argsort(values, kind="stable")[:count])

    assert np.array_equal(np.sort(smallest_rows(values, count)), expected)


def test_erased_record_leaves_no_trace_on_disk_after_save(tmp_path):
    index = filled(tmp_path / "faces")
    index.save()
    erased = [e for e in index.entries("missing") if e.record_id == "M-4"]
    index.remove_record("missing", "M-4")
    index.save()

    files = b"".join(
        path.read_bytes() for path in (tmp_path / "faces").rglob("*") if path.is_file()
    )

    assert len(erased) == 3
    for entry in erased:
        assert entry.vector.tobytes() not in files
        assert entry.photo_id.encode() + b'"' not in files
    assert b'"M-4"' not in files
