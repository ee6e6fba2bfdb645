"""Exact face search over stored embeddings, persisted on disk.

Embeddings of found people's and missing reports' photos sit in one contiguous float32 matrix
per record kind, so an intake photo is searched against the missing reports and a new report's
photos against the found people. Search is exact (brute-force L2 with numpy/BLAS): at
1,000,000 x 128 it costs tens of milliseconds and never misses; an approximate index can come
later behind the same `search` if the benchmark shows the need.

On disk a folder holds a snapshot (`snapshot-<seq>-<id>/`: one `.npy` matrix per kind and a
JSON list of record and photo ids) named in `CURRENT`, plus `journal.jsonl`, an append-only log
of adds and removals since that snapshot. Every change is written to the journal before it
returns; `save()` writes a fresh snapshot and empties the journal. One writer at a time.
A removed embedding stays in the journal or old snapshot until the next `save()`: call it
after an erasure.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from homeward.matching.files import fsync_path, write_atomic

KINDS = ("found", "missing")
FORMAT = 1
SEARCH_BLOCK = 131_072  # rows per BLAS call in a search (64 MiB of 128-d float32)


class FaceIndexError(RuntimeError):
    """The index on disk cannot be used as asked (other model, damaged files)."""


@dataclass(frozen=True)
class Hit:
    """A record near the query: the best pair of (query embedding, stored photo).

    `distance` is the L2 distance of that pair; `query_row` indexes the query matrix.
    """

    record_id: str
    distance: float
    photo_id: str
    query_row: int


@dataclass(frozen=True)
class Entry:
    """One stored embedding (float32 (dim,)), as listed by `FaceIndex.entries`."""

    kind: str
    record_id: str
    photo_id: str
    vector: np.ndarray


class _Shard:
    """The rows of one record kind. Removed rows keep their place (norm = inf) until `save`."""

    block_rows = SEARCH_BLOCK

    def __init__(self, dim: int, capacity: int = 1024) -> None:
        self.dim = dim
        self.size = 0
        self.vectors = np.zeros((capacity, dim), dtype=np.float32)
        self.sq_norms = np.full(capacity, np.inf, dtype=np.float32)
        self.record_codes = np.full(capacity, -1, dtype=np.int64)
        self.photo_ids: list[str | None] = []
        self.record_ids: list[str] = []  # code -> record id
        self.code_of: dict[str, int] = {}
        self.row_of: dict[str, int] = {}  # photo id -> row, live rows only

    def _grow(self, need: int) -> None:
        capacity = len(self.sq_norms)
        if need <= capacity:
            return
        new = max(need, capacity * 2)
        vectors = np.zeros((new, self.dim), dtype=np.float32)
        vectors[: self.size] = self.vectors[: self.size]
        sq_norms = np.full(new, np.inf, dtype=np.float32)
        sq_norms[: self.size] = self.sq_norms[: self.size]
        codes = np.full(new, -1, dtype=np.int64)
        codes[: self.size] = self.record_codes[: self.size]
        self.vectors, self.sq_norms, self.record_codes = vectors, sq_norms, codes

    def add_many(
        self, record_ids: Sequence[str], photo_ids: Sequence[str], vectors: np.ndarray
    ) -> None:
        for photo_id in photo_ids:
            if photo_id in self.row_of:
                self.remove_photo(photo_id)
        count = len(photo_ids)
        self._grow(self.size + count)
        rows = slice(self.size, self.size + count)
        self.vectors[rows] = vectors
        self.sq_norms[rows] = np.einsum("ij,ij->i", vectors, vectors)
        for offset, (record_id, photo_id) in enumerate(zip(record_ids, photo_ids, strict=True)):
            code = self.code_of.get(record_id)
            if code is None:
                code = self.code_of[record_id] = len(self.record_ids)
                self.record_ids.append(record_id)
            self.record_codes[self.size + offset] = code
            self.row_of[photo_id] = self.size + offset
            self.photo_ids.append(photo_id)
        self.size += count

    def remove_photo(self, photo_id: str) -> bool:
        row = self.row_of.pop(photo_id, None)
        if row is None:
            return False
        self.vectors[row] = 0
        self.sq_norms[row] = np.inf
        self.photo_ids[row] = None
        return True

    def remove_record(self, record_id: str) -> int:
        code = self.code_of.get(record_id)
        if code is None:
            return 0
        rows = np.flatnonzero(self.record_codes[: self.size] == code)
        return sum(self.remove_photo(p) for p in [self.photo_ids[r] for r in rows] if p)

    def live_rows(self) -> np.ndarray:
        return np.flatnonzero(np.isfinite(self.sq_norms[: self.size]))

    def _best_squared(self, queries: np.ndarray) -> np.ndarray:
        """Per row, the float32 squared distance to the nearest query (inf for removed rows)."""
        best = np.empty(self.size, dtype=np.float32)
        q_norms = np.einsum("ij,ij->i", queries, queries)[:, None]
        step = self.block_rows
        block = np.empty((len(queries), min(self.size, step)), dtype=np.float32)
        # ||x - q||^2 = ||x||^2 - 2 x.q + ||q||^2 by blocks of rows: one BLAS call each, and
        # the arithmetic runs while the block is still in cache.
        for start in range(0, self.size, step):
            stop = min(self.size, start + step)
            part = block[:, : stop - start]
            np.matmul(queries, self.vectors[start:stop].T, out=part)
            part *= -2
            part += self.sq_norms[start:stop]
            part += q_norms
            np.min(part, axis=0, out=best[start:stop])
        return best

    def search(self, queries: np.ndarray, k: int) -> list[Hit]:
        if self.size == 0 or k <= 0:
            return []
        vectors = self.vectors[: self.size]
        best = self._best_squared(queries)
        take = min(self.size, max(8 * k, 64))
        while True:
            rows = smallest_rows(best, take)
            rows = rows[np.argsort(best[rows], kind="stable")]
            rows = rows[np.isfinite(best[rows])]
            # Several photos of one record: keep its nearest only.
            _, first = np.unique(self.record_codes[rows], return_index=True)
            rows = rows[np.sort(first)]
            if len(rows) >= k or take == self.size:
                break
            take = min(self.size, take * 8)
        rows = rows[: 2 * k]
        pairs = vectors[rows].astype(np.float64)[:, None, :] - queries.astype(np.float64)[None]
        exact = np.sqrt(np.einsum("rqd,rqd->rq", pairs, pairs))  # (rows, queries)
        hits = []
        for row, distances in zip(rows, exact, strict=True):
            query_row = int(np.argmin(distances))
            photo_id = self.photo_ids[row]
            assert photo_id is not None
            record_id = self.record_ids[self.record_codes[row]]
            hits.append(Hit(record_id, float(distances[query_row]), photo_id, query_row))
        # Exact distances can reorder near-ties that float32 products left in another order.
        return sorted(hits, key=lambda h: (h.distance, h.record_id))[:k]


def smallest_rows(values: np.ndarray, count: int) -> np.ndarray:
    """Indices of the `count` smallest of `values` (float (n,)), in no particular order.

    Same set as `np.argpartition(values, count - 1)[:count]` (up to ties), but on large arrays
    it first keeps the values under a cut-off estimated from a 1-in-64 sample, one cheap pass,
    and partitions only those; when the sample misjudged the cut-off it falls back.
    """
    size = len(values)
    if count >= size:
        return np.arange(size)
    if size >= 65_536:
        sample = values[::64]
        # Aim for ~4x the rows needed, so the cut-off rarely falls short.
        position = min(len(sample) - 1, 4 * count // 64 + 4)
        cutoff = np.partition(sample, position)[position]
        kept = np.flatnonzero(values <= cutoff)
        if len(kept) >= count:
            return kept[np.argpartition(values[kept], count - 1)[:count]]
    return np.argpartition(values, count - 1)[:count]


def search_reference(entries: Iterable[Entry], queries: np.ndarray, k: int) -> list[Hit]:
    """Plain twin of `FaceIndex.search` for tests: every pair, float64, per-record minimum."""
    best: dict[str, Hit] = {}
    for entry in entries:
        for row, query in enumerate(np.asarray(queries, np.float64)):
            distance = float(np.linalg.norm(entry.vector.astype(np.float64) - query))
            current = best.get(entry.record_id)
            if current is None or distance < current.distance:
                best[entry.record_id] = Hit(entry.record_id, distance, entry.photo_id, row)
    return sorted(best.values(), key=lambda h: (h.distance, h.record_id))[:k]


class FaceIndex:
    """Embeddings by record kind ("found", "missing"), searchable, optionally kept in `path`.

    Vectors are float32 (dim,); `photo_id` is unique within a kind (adding it again replaces
    the old vector); a record may have many photos.
    """

    def __init__(self, model_name: str, dim: int, path: str | os.PathLike[str] | None = None):
        self.model_name = model_name
        self.dim = dim
        self.path = Path(path) if path is not None else None
        self.seq = 0
        self._shards = {kind: _Shard(dim) for kind in KINDS}
        if self.path is not None:
            self.path.mkdir(parents=True, exist_ok=True)
            self._load()

    # --- changes -------------------------------------------------------------------------

    def add(self, kind: str, record_id: str, photo_id: str, embedding: np.ndarray) -> None:
        """Store one embedding (float32 (dim,)) of `record_id`'s photo `photo_id`."""
        self.add_many(kind, [record_id], [photo_id], np.asarray(embedding)[None, :])

    def add_many(
        self,
        kind: str,
        record_ids: Sequence[str],
        photo_ids: Sequence[str],
        embeddings: np.ndarray,
    ) -> None:
        """Store many embeddings at once: `embeddings` is (n, dim), cast to float32."""
        vectors = np.ascontiguousarray(embeddings, dtype=np.float32).reshape(-1, self.dim)
        if not len(record_ids) == len(photo_ids) == len(vectors):
            raise ValueError("record_ids, photo_ids and embeddings differ in length")
        if not np.isfinite(vectors).all():
            raise ValueError("embeddings must be finite")
        if len(set(photo_ids)) != len(photo_ids):
            raise ValueError("a photo id appears twice in one batch")
        self._shard(kind).add_many(record_ids, photo_ids, vectors)
        if self.path is None:  # kept in memory only: no journal to write
            self.seq += len(vectors)
            return
        self._log(
            {"op": "add", "kind": kind, "record": r, "photo": p, "vector": v.tolist()}
            for r, p, v in zip(record_ids, photo_ids, vectors, strict=True)
        )

    def remove_photo(self, kind: str, photo_id: str) -> bool:
        """Forget one photo's embedding; False when it was not stored."""
        removed = self._shard(kind).remove_photo(photo_id)
        if removed:
            self._log([{"op": "remove_photo", "kind": kind, "photo": photo_id}])
        return removed

    def remove_record(self, kind: str, record_id: str) -> int:
        """Forget every photo of a record (reunion, erasure); returns how many were removed.

        For an erasure, `save()` afterwards so no file keeps the vectors.
        """
        removed = self._shard(kind).remove_record(record_id)
        if removed:
            self._log([{"op": "remove_record", "kind": kind, "record": record_id}])
        return removed

    # --- reads ---------------------------------------------------------------------------

    def search(self, kind: str, queries: np.ndarray, k: int = 10) -> list[Hit]:
        """The `k` records of `kind` nearest to any of the query embeddings.

        `queries` is float32 (dim,) or (m, dim): the photos of one person. Each record
        appears once, with its best (query, stored photo) pair, nearest first.
        """
        matrix = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dim)
        return self._shard(kind).search(matrix, k)

    def count(self, kind: str | None = None) -> int:
        """Live embeddings stored, of one kind or all."""
        kinds = KINDS if kind is None else (kind,)
        return sum(len(self._shard(k).row_of) for k in kinds)

    def entries(self, kind: str) -> Iterator[Entry]:
        """Every live embedding of `kind`, in row order."""
        shard = self._shard(kind)
        for row in shard.live_rows():
            photo_id = shard.photo_ids[row]
            assert photo_id is not None
            record_id = shard.record_ids[shard.record_codes[row]]
            yield Entry(kind, record_id, photo_id, shard.vectors[row].copy())

    # --- persistence ---------------------------------------------------------------------

    def save(self) -> None:
        """Write a compact snapshot and empty the journal (removed rows are dropped)."""
        if self.path is None:
            raise FaceIndexError("this index has no folder; open it with a path to save")
        # A fresh name each time: a rebuild may restart `seq`, and the snapshot that CURRENT
        # names must stay intact until CURRENT is replaced.
        name = f"snapshot-{self.seq:012d}-{uuid.uuid4().hex[:8]}"
        folder = self.path / name
        folder.mkdir()
        meta: dict[str, Any] = {
            "format": FORMAT,
            "model": self.model_name,
            "dim": self.dim,
            "seq": self.seq,
            "kinds": {},
        }
        for kind in KINDS:
            shard = self._shard(kind)
            rows = shard.live_rows()
            with open(folder / f"{kind}.npy", "wb") as handle:
                np.save(handle, np.ascontiguousarray(shard.vectors[rows]))
                handle.flush()
                os.fsync(handle.fileno())
            meta["kinds"][kind] = {
                "records": [shard.record_ids[c] for c in shard.record_codes[rows]],
                "photos": [shard.photo_ids[r] for r in rows],
            }
        write_atomic(folder / "meta.json", json.dumps(meta))
        fsync_path(folder)
        write_atomic(self.path / "CURRENT", name)
        write_atomic(self.path / "journal.jsonl", "")
        for old in self.path.glob("snapshot-*"):
            if old.name != name:
                shutil.rmtree(old, ignore_errors=True)
        self._reload_snapshot(folder)

    def _reload_snapshot(self, folder: Path) -> None:
        # Compact the in-memory shards the same way the snapshot did.
        self._shards = {kind: _Shard(self.dim) for kind in KINDS}
        self._read_snapshot(folder)

    def _load(self) -> None:
        assert self.path is not None
        current = self.path / "CURRENT"
        if current.exists():
            self._read_snapshot(self.path / current.read_text().strip())
        journal = self.path / "journal.jsonl"
        if journal.exists():
            for change in _read_journal(journal):
                if change["seq"] > self.seq:
                    self._apply(change)
                    self.seq = change["seq"]

    def _read_snapshot(self, folder: Path) -> None:
        meta = json.loads((folder / "meta.json").read_text())
        if meta.get("format") != FORMAT:
            raise FaceIndexError(f"unknown index format {meta.get('format')!r} in {folder}")
        if meta["model"] != self.model_name or meta["dim"] != self.dim:
            raise FaceIndexError(
                f"the index in {folder.parent} holds {meta['model']} embeddings "
                f"({meta['dim']}-d), not {self.model_name} ({self.dim}-d): rebuild it from "
                "the stored photos"
            )
        self.seq = meta["seq"]
        for kind, listing in meta["kinds"].items():
            vectors = np.load(folder / f"{kind}.npy")
            if vectors.shape != (len(listing["photos"]), self.dim):
                raise FaceIndexError(f"{folder / kind}.npy does not match its listing")
            shard = self._shard(kind)
            shard._grow(len(vectors))
            shard.add_many(listing["records"], listing["photos"], vectors)

    def _apply(self, change: dict[str, Any]) -> None:
        shard = self._shard(change["kind"])
        if change["op"] == "add":
            vector = np.asarray(change["vector"], dtype=np.float32)[None, :]
            shard.add_many([change["record"]], [change["photo"]], vector)
        elif change["op"] == "remove_photo":
            shard.remove_photo(change["photo"])
        elif change["op"] == "remove_record":
            shard.remove_record(change["record"])

    def _log(self, changes: Iterable[dict[str, Any]]) -> None:
        lines = []
        for change in changes:
            self.seq += 1
            lines.append(json.dumps({"seq": self.seq, **change}, separators=(",", ":")) + "\n")
        if self.path is None:
            return
        with open(self.path / "journal.jsonl", "a", encoding="utf-8") as journal:
            journal.write("".join(lines))
            journal.flush()
            os.fsync(journal.fileno())

    def _shard(self, kind: str) -> _Shard:
        try:
            return self._shards[kind]
        except KeyError:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}") from None


def _read_journal(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as journal:
        for line in journal:
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                # Only the last line can be cut short, by a crash during the write.
                return
