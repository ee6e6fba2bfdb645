"""The bulk matcher's faces: the reports' photo embeddings held as arrays, best-photo
distances for many pairs by matrix products, their LRs, and the impostor sample drawn from
the records at hand that the face calibration's ceiling rests on.

`FaceColumns` gives the distances and LRs that `evidence.FaceEvidence` gives pair by pair
(the best of every photo pair, its years apart; tests/matching/test_bulk.py holds them
together to 1e-4). `impostor_distances` and `fit` draw and keep the impostor side
(`face.calibration.Impostors`) for a `bulk.ReportTable`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import numpy as np

from homeward.matching.attributes.records import feature_row
from homeward.matching.evidence import FaceEvidence
from homeward.matching.face.calibration import (
    MIN_IMPOSTOR_PAIRS,
    Impostors,
    for_model,
)

if TYPE_CHECKING:
    from homeward.matching.bulk import ReportTable


class NeedsRebuild(RuntimeError):
    """A change the report table cannot take in place (`ReportTable.add`): build it anew."""


def _slots(array: np.ndarray, count: int, fill: Any = 0) -> np.ndarray:
    """`array` (n, slots, ...) widened to `count` slots, the new ones filled with `fill`."""
    if array.shape[1] >= count:
        return array
    shape = (array.shape[0], count - array.shape[1], *array.shape[2:])
    return np.concatenate([array, np.full(shape, fill, array.dtype)], axis=1)


class FaceColumns:
    """The reports' photo embeddings (parsed records, `search.parse_records`) and the face
    calibration for `meta`, an attribute model's meta (`face.calibration.for_model`)."""

    def __init__(self, missing: Sequence[dict[str, Any]], meta: Mapping[str, Any]) -> None:
        self.calibration = for_model(meta)
        emb, mask, year = FaceEvidence._stack(missing)
        self._allocate(emb, mask, year, spare=0)

    # The arrays live in stores with spare rows, `missing` & co. are views of the rows in
    # use: appending writes into the spare rows, so a new report copies no other report.
    # Copies of a table share the stores; `_used` (shared too) says how far any copy has
    # written, and only a copy at that point appends in place (the others reallocate).

    def _allocate(self, emb: np.ndarray, mask: np.ndarray, year: np.ndarray, spare: int) -> None:
        n, rows = len(emb), len(emb) + spare
        self._emb = np.zeros((rows, *emb.shape[1:]), np.float32)
        self._mask = np.zeros((rows, mask.shape[1]), bool)
        self._year = np.full((rows, year.shape[1]), np.nan)
        self._sq = np.zeros((rows, mask.shape[1]), np.float64)
        self._emb[:n], self._mask[:n], self._year[:n] = emb, mask, year
        self._sq[:n] = np.einsum("ijk,ijk->ij", emb, emb, dtype=np.float64)
        self._slot_store: dict[int, np.ndarray] = {}
        self._used = [n]
        self._view(n)

    def _view(self, n: int) -> None:
        self.n = n
        self.missing, self.missing_mask = self._emb[:n], self._mask[:n]
        self.missing_year, self.sq = self._year[:n], self._sq[:n]
        self._photo_rows = None

    _STORES = ("_emb", "_mask", "_year", "_sq")
    _VIEWS = ("missing", "missing_mask", "missing_year", "sq", "_slot_store", "_photo_rows")

    def __getstate__(self) -> dict:
        """Sent to another process (a cluster's workers): the rows in use, once; not the
        spare rows, nor what is worked out from them."""
        state = {k: v for k, v in self.__dict__.items() if k not in (*self._STORES, *self._VIEWS)}
        state.pop("_used", None)
        state["rows"] = (self.missing, self.missing_mask, self.missing_year, self.sq)
        return state

    def __setstate__(self, state: dict) -> None:
        self._emb, self._mask, self._year, self._sq = state.pop("rows")
        self.__dict__.update(state)
        self._slot_store = {}
        self._used = [self.n]
        self._view(self.n)

    def __copy__(self) -> FaceColumns:
        other = object.__new__(type(self))
        other.__dict__.update(self.__dict__)
        return other

    def copy(self) -> FaceColumns:
        """A copy that shares the stores (and `_used`) but keeps its own map of slot
        stores, so that a slot worked out later by one is never half-filled for the other."""
        other = copy.copy(self)
        other._slot_store = dict(self._slot_store)
        return other

    def append(self, missing: Sequence[dict[str, Any]]) -> None:
        """More reports after these (`ReportTable.add`): their photo slots, as many as the
        widest report has (the others padded as having no photo there)."""
        emb, mask, year = FaceEvidence._stack(missing)
        count, dim, slots = len(missing), self._emb.shape[2], self._emb.shape[1]
        if mask.any() and self.missing_mask.any() and emb.shape[2] != dim:
            raise NeedsRebuild("face embeddings of another length: another model")
        if not mask.any():
            emb = np.zeros((count, 1, dim), np.float32)
        in_place = (
            self._used[0] == self.n
            and self.n + count <= len(self._emb)
            and emb.shape[1] <= slots
            and (emb.shape[2] == dim or not mask.any())
        )
        if not in_place:  # room for as many again, so appends cost nothing on average
            if not self.missing_mask.any() and mask.any():
                dim = emb.shape[2]  # the table's first photos: their width is the table's
                old = np.zeros((self.n, slots, dim), np.float32)
            else:
                old = self.missing
            width = max(slots, emb.shape[1])
            self._allocate(
                np.concatenate([_slots(old, width), _slots(emb, width)]),
                np.concatenate([_slots(self.missing_mask, width), _slots(mask, width)]),
                np.concatenate(
                    [_slots(self.missing_year, width, np.nan), _slots(year, width, np.nan)]
                ),
                spare=max(self.n + count, 1024),
            )
            return
        rows = slice(self.n, self.n + count)
        self._emb[rows] = _slots(emb, slots)
        self._mask[rows] = _slots(mask, slots)
        self._year[rows] = _slots(year, slots, np.nan)
        self._sq[rows] = np.einsum(
            "ijk,ijk->ij", self._emb[rows], self._emb[rows], dtype=np.float64
        )
        for b, store in self._slot_store.items():
            self._fill_slot(store, b, rows)
        self._used[0] = self.n + count
        self._view(self.n + count)

    def with_photo(self) -> np.ndarray:
        """Whether each report has at least one photo's embedding (bool)."""
        return self.missing_mask.any(axis=1)

    def photo_rows(self) -> np.ndarray:
        """The rows (int64, ascending) of the reports with a photo: worked out once."""
        if getattr(self, "_photo_rows", None) is None:
            self._photo_rows = np.flatnonzero(self.with_photo())
        return self._photo_rows

    def nearest_all(self, rec: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
        """One found record's best squared photo distance to every report, float32
        (n_reports,) (inf where a side has no photo), and for each report the years between
        those two photos (float64, NaN unknown); None when the record has no photo or
        another model's embeddings.

        One matrix-vector product per pair of photo slots, always against all the
        reports' embeddings of a slot (the same shape every time): a float32 product's
        rounding depends on the shapes BLAS is given, so gathering each batch's window
        first would make a found person's distances, and the fourth decimal of their
        candidates' figures, depend on who they were read with. Streaming every report is
        also faster than gathering a window of them (about 25 ms for 1,000,000)."""
        emb, mask, year = FaceEvidence._stack([rec])
        if not mask.any() or emb.shape[2] != self.missing.shape[2]:
            return None
        best: np.ndarray | None = None
        years = np.full(self.missing.shape[0], np.nan)
        for b in range(self.missing.shape[1]):
            slot = self._slot(b)  # [-2 m, |m|^2]: |m|^2 inf where no photo
            for a in np.flatnonzero(mask[0]):
                fa = emb[0, a]
                d = slot[:, :-1] @ fa
                d += slot[:, -1]
                d += np.dot(fa, fa)
                if best is None:
                    best = d
                    years = np.abs(year[0, a] - self.missing_year[:, b])
                else:
                    better = d < best
                    best[better] = d[better]
                    years[better] = np.abs(year[0, a] - self.missing_year[better, b])
        np.maximum(best, 0, out=best)
        return best, years

    def _slot(self, b: int) -> np.ndarray:
        """Photo slot `b` of every report as float32 (n, dim + 1) rows [-2 m, |m|^2], the
        norm inf where the report has no photo there (so its distance is inf): made once,
        then kept up to date by `append`."""
        if b not in self._slot_store:
            store = np.empty((len(self._emb), self._emb.shape[2] + 1), np.float32)
            self._fill_slot(store, b, slice(0, self.n))
            self._slot_store[b] = store
        return self._slot_store[b][: self.n]

    def _fill_slot(self, store: np.ndarray, b: int, rows: slice) -> None:
        dim = self._emb.shape[2]
        np.multiply(self._emb[rows, b], -2, out=store[rows, :dim])
        store[rows, dim] = np.where(self._mask[rows, b], self._sq[rows, b], np.inf)

    def distances(
        self, found: Sequence[dict], cand: np.ndarray, dtype: type = np.float64
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """Best photo distance float64 (len(found), len(cand)) (inf where a side has no
        photo) and the years between those two photos float64 (NaN unknown), as
        `FaceEvidence.log10_lr` picks them, by one matrix product per pair of photo slots.
        None when the found records' embeddings are of another model (another width).

        The products are in float64: a float32 product's rounding depends on the shape of
        the batch (BLAS picks its kernel by it), so a found person's distances, and the
        fourth decimal of their candidates' figures, would change with the found people
        they were read with (the bulk matcher uses `nearest_all`; this serves the impostor
        sample and the Splink path's near faces)."""
        emb, mask, year = FaceEvidence._stack(found)
        if emb.shape[2] != self.missing.shape[2]:
            return None
        shape = (len(found), len(cand))
        if emb.shape[1] == 1 and self.missing.shape[1] == 1:
            return self._one(emb[:, 0], mask[:, 0], year[:, 0], cand, dtype)
        best = np.full(shape, np.inf, dtype)
        years = np.full(shape, np.nan)
        for b in range(self.missing.shape[1]):
            m_ok = self.missing_mask[cand, b]
            if not m_ok.any():
                continue
            mb, m_sq = self.missing[cand, b].astype(dtype), self.sq[cand, b].astype(dtype)
            m_year = self.missing_year[cand, b]
            for a in range(emb.shape[1]):
                ok = mask[:, a, None] & m_ok[None, :]
                if not ok.any():
                    continue
                fa = emb[:, a].astype(dtype)
                d = fa @ mb.T
                d *= -2
                d += (fa * fa).sum(1)[:, None]
                d += m_sq[None, :]
                np.maximum(d, 0, out=d)
                np.sqrt(d, out=d)
                np.copyto(d, np.inf, where=~ok)
                better = d < best
                np.copyto(best, d, where=better)
                np.copyto(years, np.abs(year[:, a, None] - m_year[None, :]), where=better)
        return best, years

    def _one(
        self, emb: np.ndarray, mask: np.ndarray, year: np.ndarray, cand: np.ndarray, dtype: type
    ) -> tuple[np.ndarray, np.ndarray]:
        """`distances` when every record has at most one photo: squared distances by a
        single product of [-2 f, |f|^2, 1] with [m, 1, |m|^2]."""
        dim = emb.shape[1]
        emb = emb.astype(dtype)
        left = np.empty((len(emb), dim + 2), dtype)
        left[:, :dim] = -2 * emb
        left[:, dim] = (emb * emb).sum(1)
        left[:, dim + 1] = 1
        right = np.empty((len(cand), dim + 2), dtype)
        right[:, :dim] = np.take(self.missing[:, 0], cand, axis=0)
        right[:, dim] = 1
        right[:, dim + 1] = self.sq[cand, 0]
        d = left @ right.T
        np.maximum(d, 0, out=d)
        np.sqrt(d, out=d)
        d[~mask] = np.inf
        d[:, ~self.missing_mask[cand, 0]] = np.inf
        years = np.abs(year[:, None] - self.missing_year[cand, 0][None, :])
        return d, years

    def log10_lr(self, best: np.ndarray, years: np.ndarray) -> np.ndarray:
        """log10 LR float64 of best distances (NaN where inf), curve by years apart."""
        have = np.isfinite(best)
        out = np.full(len(best), np.nan)
        out[have] = self.calibration.log10_lrs(best[have], years[have])
        return out


def impostor_distances(
    table: ReportTable,
    found_raw: Iterable[Mapping[str, Any]],
    *,
    pairs: int = 500_000,
    seed: int = 0,
) -> np.ndarray:
    """Best-pair photo distances (float64) of up to `pairs` random pairs of `found_raw`
    (HWX records) and `table`'s reports that pass blocking, both sides with photos: almost
    all of them different people, the sample the face calibration's impostor side is drawn
    from (`face.calibration.Impostors`). Empty when either side has no photo."""
    from homeward.matching.bulk_columns import encode
    from homeward.matching.search import parse_records

    if table.face is None:
        return np.zeros(0)
    found, _bad = parse_records(found_raw, "found")
    found = [r for r in found if r["face_embeddings"]]
    with_photo = table.face.with_photo()
    if not found or not with_photo.any():
        return np.zeros(0)
    rng = np.random.default_rng(seed)
    fcols = encode([feature_row(r) for r in found], table.vocab)
    per = max(1, -(-pairs // len(found)))
    out: list[np.ndarray] = []
    for i in rng.permutation(len(found)):
        f = {k: v[..., i] for k, v in fcols.items()}
        rows = table.blocked(f)
        rows = rows[with_photo[rows]]
        if not len(rows):
            continue
        cand = np.sort(rng.choice(rows, size=min(per, len(rows)), replace=False))
        face = table.face.distances([found[i]], cand)
        if face is not None:
            out.append(face[0][0][np.isfinite(face[0][0])])
        if sum(map(len, out)) >= pairs:
            break
    return np.concatenate(out).astype(np.float64)[:pairs] if out else np.zeros(0)


def fit(table: ReportTable, found_raw: Iterable[Mapping[str, Any]], *, seed: int = 0) -> str:
    """Draw the face calibration's impostor side from these records (`impostor_distances`)
    when the sample is at least the shipped measurement, and keep it in the table's model's
    meta (so in its version); returns a line saying what was done."""
    sample = impostor_distances(table, found_raw, seed=seed)
    if len(sample) < MIN_IMPOSTOR_PAIRS:
        return (
            f"face: {len(sample):,} photo pairs to sample, fewer than "
            f"{MIN_IMPOSTOR_PAIRS:,}: the shipped impostor measurement stays"
        )
    impostors = Impostors.from_distances(
        sample, f"{len(sample):,} random blocked pairs of the records at hand"
    )
    table.model.meta["face_impostors"] = asdict(impostors)
    table.face.calibration = for_model(table.model.meta)
    table.version = table.model.version()
    return (
        f"face: impostor distances from {impostors.n:,} pairs of these records (median "
        f"{impostors.mean:.3f}); a face counts for at most "
        f"10^{table.face.calibration.ceiling(0):.1f} (photos of one year) to "
        f"10^{table.face.calibration.ceiling(None):.1f} (undated)"
    )
