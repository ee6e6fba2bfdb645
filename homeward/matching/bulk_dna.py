"""The reporting families' DNA for the bulk matcher, append-only.

The families of the reports a table is built with are one DNA index kept on disk
(`evidence.DnaEvidence`: a folder named by a digest of their DNA, shared by every process).
A report added later (`ReportTable.add`) puts its family in a segment of this table's own
index, in a temporary folder beside the kept one (`.added-*`): the engine's
`add_families`, so the same tables and kernels score it, and nothing already indexed is
read again. A report that changed or left is tombstoned: its row points at no segment.
The segments of tombstoned rows stay until the table is built anew (the app does so daily,
`tracing.matcher.REBUILT_EVERY`, and the nightly check writes the shared index for the
reports of that day): that is the compaction. An erased family is blanked in place at once,
though (`dna_forget`): the table's own index lists each row's report and the time it was
read (`ids.json`) for that.
"""

from __future__ import annotations

import copy
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from homeward.matching.evidence import DNA_FLOOR, DnaEvidence


class DnaColumns(DnaEvidence):
    """For each row of a report table: the segment and position of its family (`seg_of`,
    `pos_of`; -1 where the row has none), and the scan of `dna.search.scan_found_person`
    (the same tables, kernels and order of summation, so the same float32 scores) on the
    rows a found person is compared with.

    The arrays and the segment list are never changed in place once made: a `copy` made
    with `copy.copy` (`ReportTable.copy`) may take appends while the original is scored
    in another thread. The table's own index (`_appended`, with the owner of its folder)
    is shared by the copies; only the newest copy appends segments to it, under the
    caller's lock, and the older ones never read those segments. Its allele ladders grow
    under `dna.index`'s lock."""

    def __init__(
        self,
        missing: Sequence[dict[str, Any]],
        index_dir: Path | None = None,
        read_at: float | None = None,
    ) -> None:
        super().__init__([], missing, index_dir=index_dir, read_at=read_at)
        self.parts = [(self.index, s) for s in self.index.meta["segments"] if s["kind"] != "found"]
        self.seg_of = np.full(self.n_missing, -1, np.int32)
        self.pos_of = np.full(self.n_missing, -1, np.int64)
        for k, (index, seg) in enumerate(self.parts):
            self._place(k, index, seg)
        self._appended: list[Any] = []  # [TemporaryDirectory, DnaIndex], made on first use
        self.appended = 0  # families put in the table's own index

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_found_codes", None)  # this process's found people
        # The table's own index goes along, not its folder's owner (this process's).
        state["_appended"] = [None, self._appended[1]] if self._appended else []
        return state

    def _place(self, k: int, index: Any, seg: Mapping[str, Any]) -> None:
        ids = np.load(index.path / seg["name"] / "ids.npy")
        rows = np.array([int(i) for i in ids], dtype=np.intp)
        self.seg_of[rows] = k
        self.pos_of[rows] = np.arange(len(rows))

    def grow(self, count: int) -> None:
        """Room for `count` more rows, with no family yet (`append` gives them theirs)."""
        self.seg_of = np.concatenate([self.seg_of, np.full(count, -1, np.int32)])
        self.pos_of = np.concatenate([self.pos_of, np.full(count, -1, np.int64)])
        self.has_family = np.concatenate([self.has_family, np.zeros(count, bool)])
        self.n_missing += count

    def append(
        self, missing: Sequence[dict[str, Any]], start: int, read_at: float | None = None
    ) -> None:
        """The families of the reports just given rows `start`, `start + 1`, ... (after
        `grow`), read at `read_at` (default now): one segment per kind of family in the
        table's own index. A family the engine refuses is listed in `errors`, as one
        refused at the build is."""
        from homeward.matching.dna.errors import DnaError
        from homeward.matching.dna.index import family_from_record
        from homeward.matching.dna_forget import rows_added

        read_at = time.time() if read_at is None else read_at
        families = []
        for k, record in enumerate(missing):
            relatives = record.get("relatives") or []
            if not any(isinstance(r, dict) and r.get("dna") for r in relatives):
                continue
            row = start + k
            try:
                families.append(
                    family_from_record({"id": str(row), "relatives": relatives}, self.index.table)
                )
            except DnaError as exc:
                self.errors = [*self.errors, ("missing", row, exc.message)]
        if not families:
            return
        own = self._own_index()
        first = len(own.meta["segments"])
        own.add_families(families)
        rows_added(
            own.path, {int(f[0]): str(missing[int(f[0]) - start]["id"]) for f in families}, read_at
        )
        self.parts = list(self.parts)
        for seg in own.meta["segments"][first:]:
            self.parts.append((own, seg))
            self._place(len(self.parts) - 1, own, seg)
        rows = [int(f[0]) for f in families]
        self.has_family[rows] = True
        self.appended += len(families)

    def _own_index(self) -> Any:
        """The table's own index for appended families: the settings and allele ladders of
        the kept index, so that a family scores as it would in a table built anew."""
        from homeward.matching.dna.index import DnaIndex

        if not self._appended:
            # Beside the kept index: on the storage a cluster's workers read it from.
            folder = tempfile.TemporaryDirectory(prefix=".added-", dir=self.index.path.parent)
            own = DnaIndex(Path(folder.name), copy.deepcopy(self.index.meta))
            own.meta["segments"] = []
            own._save()
            self._appended[:] = [folder, own]
        return self._appended[1]

    def tombstone(self, rows: Iterable[int]) -> None:
        """Rows whose report changed or left: no family any more (new arrays, the old ones
        may be in use)."""
        rows = [r for r in rows if self.seg_of[r] >= 0]
        if not rows:
            return
        self.seg_of = self.seg_of.copy()
        self.has_family = self.has_family.copy()
        self.seg_of[rows] = -1
        self.has_family[rows] = False

    def scores_at(self, rec: Mapping[str, Any], rows: np.ndarray) -> np.ndarray:
        """log10 LR float64 (len(rows),) of found record `rec` against report `rows`; NaN
        where either side has no DNA (or the engine refused the profile)."""
        from homeward.matching.dna import scan
        from homeward.matching.dna.errors import DnaError
        from homeward.matching.dna.profiles import parse_profile
        from homeward.matching.dna.search import _segment_array, _shrink

        out = np.full(len(rows), np.nan)
        if not rec.get("dna") or not self.parts:
            return out
        sex = rec["sex"] if rec["sex"] in ("M", "F") else None
        try:
            profile = parse_profile(rec["dna"], field="dna", sex=sex, table=self.index.table)
        except DnaError:
            return out
        codes_in: dict[int, np.ndarray] = {}  # per index: the profile in its ladders
        tables: dict[tuple[int, str], list[np.ndarray]] = {}
        seg_ids = self.seg_of[rows]
        for k in np.unique(seg_ids[seg_ids >= 0]):
            index, seg = self.parts[k]
            sel = np.flatnonzero(seg_ids == k)
            pos = self.pos_of[rows[sel]]
            if seg["kind"] == "pedigree":
                if id(index) not in codes_in:
                    codes_in[id(index)] = index.encode([profile])[:, 0]
                codes = codes_in[id(index)]
                tabs = _segment_array(index, seg, "tables")
                offsets = np.concatenate([[0], np.cumsum(seg["sizes"])[:-1]])
                score = np.zeros(len(pos), dtype=np.float32)
                for i, c in enumerate(codes):
                    if 0 < c < seg["sizes"][i]:
                        score += tabs[pos, offsets[i] + c]
            else:
                kind = seg["kind"]
                if (id(index), kind) not in tables:
                    tables[id(index), kind] = index.query_tables(profile, kind, sex or "U")
                tabs = tables[id(index), kind]
                if kind == "parents":
                    tabs = [_shrink(t, s) for t, s in zip(tabs, seg["strides"], strict=True)]
                seg_codes = _segment_array(index, seg, "codes")
                score = scan.gather_sum(np.ascontiguousarray(seg_codes[:, pos]), tabs, 1)
            out[sel] = np.maximum(np.asarray(score, np.float64), DNA_FLOOR)
        return out

    def scores_of_family(self, found: Sequence[Mapping[str, Any]], row: int) -> np.ndarray:
        """log10 LR float64 (len(found),) of the family of report `row` against each parsed
        found record: `scores_at` the other way round (one family, many people), the same
        float32 table values summed locus by locus in the same order, so the same scores.
        The engine's tables are worked out per locus and genotype (a parents' table once
        per genotype among these people), not per person."""
        from homeward.matching.dna.errors import DnaError
        from homeward.matching.dna.profiles import parse_profile
        from homeward.matching.dna.search import _segment_array, _shrink

        out = np.full(len(found), np.nan)
        k = int(self.seg_of[row]) if row < len(self.seg_of) else -1
        if k < 0:
            return out
        index, seg = self.parts[k]
        pos = int(self.pos_of[row])
        # Each person's profile in this index's ladders, kept between searches: parsing a
        # profile costs about 0.5 ms, more than scoring it. An entry is good while the
        # record holds the same profile object (a changed person is a new record).
        kept = self.__dict__.setdefault("_found_codes", {})
        people, columns, sexes = [], [], []
        for j, rec in enumerate(found):
            dna = rec.get("dna")
            if not dna:
                continue
            sex = rec["sex"] if rec["sex"] in ("M", "F") else None
            hit = kept.get((rec["id"], id(index)))
            if hit is None or hit[0] is not dna:
                try:
                    profile = parse_profile(dna, field="dna", sex=sex, table=self.index.table)
                    hit = (dna, index.encode([profile])[:, 0].astype(np.intp))
                except DnaError:
                    hit = (dna, None)
                kept[rec["id"], id(index)] = hit
            if hit[1] is None:
                continue
            people.append(j)
            columns.append(hit[1])
            sexes.append(sex or "U")
        if not people:
            return out
        codes = np.stack(columns, axis=1)  # (loci, people)
        score = np.zeros(len(people), np.float32)
        kind = seg["kind"]
        if kind == "pedigree":
            tabs = _segment_array(index, seg, "tables")
            offsets = np.concatenate([[0], np.cumsum(seg["sizes"])[:-1]])
            for i, c in enumerate(codes):
                have = (c > 0) & (c < seg["sizes"][i])
                score[have] += np.asarray(tabs[pos, offsets[i] + c[have]], np.float32)
        else:
            family = np.asarray(_segment_array(index, seg, "codes")[:, pos], np.intp)
            sexes_arr = np.array(sexes)
            for i, locus in enumerate(index.loci):
                value = np.empty(len(people), np.float32)
                if kind == "parents":
                    stride = seg["strides"][i]
                    for c in np.unique(codes[i]):
                        at = codes[i] == c
                        if c == 0:
                            value[at] = 0.0
                            continue
                        table = index.query_tables_at(int(c), i, kind)
                        value[at] = _shrink(table, stride)[family[i]]
                else:
                    for sex in np.unique(sexes_arr):
                        at = sexes_arr == sex
                        value[at] = index._matrix(kind, locus, sex)[codes[i][at], family[i]]
                if i == 0:
                    score[:] = value
                else:
                    score += value
        out[people] = np.maximum(np.asarray(score, np.float64), DNA_FLOOR)
        return out
