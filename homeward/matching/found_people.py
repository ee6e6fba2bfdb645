"""Found people kept for many searches: parsed and encoded once, changed in place.

A new report is scored against the people the blocking rules compare it with
(`ReportTable.pairs_with`): reading, parsing and encoding every person in every station
for each report would cost more than the scoring. `FoundPeople` holds them parsed
(`search.parse_records`; faces as float32 arrays, a tenth of the memory of lists),
encoded with a report table's vocabulary (`bulk_columns.encode`), and their faces stacked
for the near-face rule. A changed person's row is set aside and the new one appended, as
`ReportTable.add` does for reports; `update` returns a new object, so that a search in
another thread goes on with the old one.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from homeward.matching.attributes.records import feature_row
from homeward.matching.bulk_columns import Vocab, append_columns, encode
from homeward.matching.evidence import FaceEvidence


def compact(record: dict[str, Any]) -> dict[str, Any]:
    """A parsed found record with its face embeddings as float32 arrays (the same
    values: they are float32 when kept)."""
    faces = record.get("face_embeddings") or ()
    return {**record, "face_embeddings": tuple(np.asarray(e, np.float32) for e in faces)}


class FoundPeople:
    """Parsed found records (`search.parse_records`), in rows: `records`, their encoded
    `cols` (with `vocab`, a report table's), `live` (False for a row set aside), `row_of`
    (found id to row), and their faces stacked (`FaceEvidence._stack`)."""

    def __init__(self, records: Sequence[dict[str, Any]], vocab: Vocab) -> None:
        self.vocab = vocab
        self.records = [compact(r) for r in records]
        self.cols = encode([feature_row(r) for r in self.records], vocab)
        self.live = np.ones(len(self.records), bool)
        self.row_of = {r["id"]: row for row, r in enumerate(self.records)}
        faces, mask, _years = FaceEvidence._stack(self.records)
        self._grow_faces(faces, mask, len(faces))

    def __len__(self) -> int:
        return len(self.row_of)

    def ids(self) -> list[str]:
        return list(self.row_of)

    def record(self, found_id: str) -> dict[str, Any]:
        return self.records[self.row_of[found_id]]

    def for_vocab(self, vocab: Vocab) -> FoundPeople:
        """The same people encoded with another table's vocabulary (a table built anew)."""
        if vocab is self.vocab:
            return self
        return FoundPeople([self.records[row] for row in self.row_of.values()], vocab)

    def update(self, changed: Iterable[dict[str, Any]], gone: Iterable[str]) -> FoundPeople:
        """A new object with the `changed` parsed records in (appended; a known id's old
        row set aside) and the ids of `gone` out."""
        changed = [compact(r) for r in changed]
        other = copy.copy(self)
        other.live = self.live.copy()
        other.row_of = dict(self.row_of)
        for found_id in [*gone, *(r["id"] for r in changed)]:
            row = other.row_of.pop(found_id, None)
            if row is not None:
                other.live[row] = False
        if not changed:
            return other
        start = len(self.records)
        other.records = [*self.records, *changed]
        other.cols = append_columns(
            self.cols, encode([feature_row(r) for r in changed], self.vocab)
        )
        other.live = np.concatenate([other.live, np.ones(len(changed), bool)])
        other.row_of.update({r["id"]: start + k for k, r in enumerate(changed)})
        faces, mask, _years = FaceEvidence._stack(changed)
        other._append_faces(faces, mask)
        return other

    # The stacked faces live in a store with spare rows; `faces` and `face_mask` are views
    # of the rows in use. A change writes the new faces into the spare rows, so an intake
    # copies no one else's face. Objects made by `update` share the store; `_used` (shared
    # too) says how far any of them has written, and only one at that point writes in
    # place (another reallocates).

    def _grow_faces(self, faces: np.ndarray, mask: np.ndarray, n: int) -> None:
        """A new store holding `faces` (n, slots, dim) and room for half as many more."""
        store = np.zeros((n + n // 2 + 16, *faces.shape[1:]), np.float32)
        store_mask = np.zeros((len(store), mask.shape[1]), bool)
        store[:n], store_mask[:n] = faces, mask
        self._face_store, self._used = (store, store_mask), [n]
        self.faces, self.face_mask = store[:n], store_mask[:n]

    def _append_faces(self, more: np.ndarray, more_mask: np.ndarray) -> None:
        n, m = len(self.faces), len(more)
        store, store_mask = self._face_store
        empty = not more_mask.any()
        same = more.shape[2] == store.shape[2] and more.shape[1] <= store.shape[1]
        if self._used[0] == n and n + m <= len(store) and (empty or same):
            store[n : n + m], store_mask[n : n + m] = 0, False
            if not empty:
                store[n : n + m, : more.shape[1]] = more
                store_mask[n : n + m, : more.shape[1]] = more_mask
            self._used[0] = n + m
            self.faces, self.face_mask = store[: n + m], store_mask[: n + m]
            return
        faces, mask = _append_faces(self.faces, self.face_mask, more, more_mask)
        self._grow_faces(faces, mask, len(faces))


def _append_faces(
    faces: np.ndarray, mask: np.ndarray, more: np.ndarray, more_mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Stacked faces (n, slots, dim) with more rows after them: slots and width taken to
    the larger (a side with no face at all has width 1)."""
    slots = max(faces.shape[1], more.shape[1])
    dim = max(faces.shape[2], more.shape[2])
    if faces.shape[2] != more.shape[2] and min(faces.shape[2], more.shape[2]) > 1:
        raise ValueError("face embeddings of different lengths: one model per run")

    def widen(array: np.ndarray, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        out = np.zeros((len(array), slots, dim), np.float32)
        out_mask = np.zeros((len(array), slots), bool)
        if array.shape[2] == dim:
            out[:, : array.shape[1]] = array
            out_mask[:, : m.shape[1]] = m
        return out, out_mask

    a, am = widen(faces, mask)
    b, bm = widen(more, more_mask)
    return np.concatenate([a, b]), np.concatenate([am, bm])
