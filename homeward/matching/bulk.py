"""The bulk matcher: the same candidates as `search.match_records`, scored in numpy.

`search.match_records` hands every blocked pair to Splink on DuckDB, which loads all the
reports into a database per call: fine for a batch, far too slow for one found person
against 1,000,000 reports (about 6 minutes; docs/benchmarks.md). Here the reports are
encoded once into column arrays (`ReportTable`); a found person is blocked against them
with the same rules (`model.BLOCKING_SQL`, the same name, a near face) and every level of
`comparisons.COMPARISONS` is evaluated as array code (first level that holds wins, nulls as
in the SQL), its weight the model's log2(m/u) as Splink writes it. Fields other than the
name depend on few distinct report values (182 birth-year ranges, 2,845 divisions, ...):
their levels are worked out once per distinct value and gathered per pair. Found people
are taken in batches of one sex and near birth years that share one window of reports;
each one's face distances come from one product with every report's photo. Face and DNA
evidence (the DNA engine's scan, on the blocked reports only), the pool-size prior, fusion
and ranking are those of `search`.
`tests/matching/test_bulk.py` holds this path to `match_records` (same candidates, ranks
and posteriors; face log10 LRs agree to 1e-4, the embeddings being float32).

The columns and the level functions are in `bulk_columns`, the face stores in `bulk_face`,
the reporting families' DNA in `bulk_dna`. A table changes in place
(`add`, `remove`, on a `copy` while other threads still match with the original): only the
changed reports are encoded, and `tests/matching/test_bulk_add.py` holds the result to a
table built anew.
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from homeward.matching import bulk_face, bulk_reverse, fusion
from homeward.matching.attributes.comparisons import COMPARISONS
from homeward.matching.attributes.model import AGE_SLACK, FACE_NEAR, AttributeModel
from homeward.matching.attributes.records import feature_row
from homeward.matching.bulk_columns import (
    EMPTY,
    FIELD,
    KEYED,
    LEVELS,
    Cols,
    Row,
    Vocab,
    append_columns,
    distinct_rows,
    encode,
    has_dna,
    name_levels,
    value_keys,
    value_of,
    weight_table,
)
from homeward.matching.bulk_dna import DnaColumns
from homeward.matching.found_people import FoundPeople
from homeward.matching.pools import Pool

EVIDENCE = fusion.PARTS


class ReportTable:
    """Parsed missing reports (`search.parse_records`), encoded once for many queries.

    `calibration` is the fusion's (default: the shipped one); `dna_index` a folder where
    the reporting families' DNA index is kept between runs (`evidence.DnaEvidence`);
    `read_at` when the reports were read (here and in `add`: an erasure after it blanks
    their families there, `dna_forget`).
    """

    def __init__(
        self,
        missing: Sequence[dict[str, Any]],
        *,
        model: AttributeModel | None = None,
        evidence: Sequence[str] = EVIDENCE,
        prior: fusion.Prior = fusion.DEFAULT_PRIOR,
        calibration: fusion.Calibration | None = None,
        dna_index: Path | None = None,
        read_at: float | None = None,
    ) -> None:
        self.model = model or AttributeModel.load()
        self.calibration = calibration
        self.evidence = tuple(evidence)
        self.prior = prior
        self.vocab = Vocab()
        self.cols = encode([feature_row(r) for r in missing], self.vocab)
        self.ids = [r["id"] for r in missing]
        self.id_rank = fusion.id_ranks(self.ids)
        self.weights = weight_table(self.model)
        self.version = self.model.version()
        cal = self.model.meta.get("recalibration") or {"intercept": 0.0, "slope": 1.0}
        self.intercept, self.slope = float(cal["intercept"]), float(cal["slope"])
        self.face = (
            bulk_face.FaceColumns(missing, self.model.meta) if "face" in self.evidence else None
        )
        self.dna = DnaColumns(missing, dna_index, read_at) if "dna" in self.evidence else None
        self.live = np.ones(len(self.ids), bool)  # a changed or removed report's old row: False
        self.row_of = {report_id: row for row, report_id in enumerate(self.ids)}
        self.encoded = len(self.ids)  # rows encoded since the table was made
        self._dna_rows = {r["id"] for r in missing if has_dna(r)}
        self._sorted_ids = sorted(self.ids)  # `add` places a new id's rank in it

    def __getstate__(self) -> dict:
        """Sent to another process (a cluster's workers) while other threads here may be
        matching with it: a copy of its attributes taken at once (the lazy ones may appear
        meanwhile), without the name index, which the receiver works out again."""
        state = dict(self.__dict__)
        state.pop("_names", None)
        return state

    def __copy__(self) -> ReportTable:
        other = object.__new__(type(self))  # all of it, not what `__getstate__` sends
        other.__dict__.update(self.__dict__)
        return other

    def __len__(self) -> int:
        """The live reports (a changed report counts once)."""
        return int(self.live.sum())

    def copy(self) -> ReportTable:
        """A table to change while this one is still matched in another thread: its own
        lists, maps and masks; the columns are shared until a change replaces them."""
        other = copy.copy(self)
        other.ids = list(self.ids)
        other.live = self.live.copy()
        other.row_of = dict(self.row_of)
        other._dna_rows = set(self._dna_rows)
        other._sorted_ids = list(self._sorted_ids)
        state = getattr(self, "_keyed_state", None)
        if state is not None:
            keyed, key_of = state
            other._keyed_state = (
                {k: (dict(reps), key) for k, (reps, key) in keyed.items()},
                {k: dict(v) for k, v in key_of.items()},
            )
        if self.face is not None:
            other.face = self.face.copy()
        if self.dna is not None:
            other.dna = copy.copy(self.dna)
        return other

    def live_ids(self) -> list[str]:
        """The ids of the live reports, in row order."""
        return [self.ids[row] for row in np.flatnonzero(self.live)]

    def add(self, missing: Sequence[dict[str, Any]], read_at: float | None = None) -> None:
        """Put parsed reports (`search.parse_records`) in the table, encoding only them: a
        new id is appended; a known id's old row is set aside and the report appended. A
        relative's DNA goes into a segment of the table's own DNA index (`bulk_dna`)."""
        ids = [r["id"] for r in missing]
        if len(set(ids)) != len(ids):
            raise ValueError("a report appears twice in one add")
        if not missing:
            return
        self.remove([i for i in ids if i in self.row_of])
        start = len(self.ids)
        rows = encode([feature_row(r) for r in missing], self.vocab)
        self.cols = append_columns(self.cols, rows)
        self.ids += ids
        self.live = np.concatenate([self.live, np.ones(len(ids), bool)])
        self.row_of.update({report_id: start + k for k, report_id in enumerate(ids)})
        self._rank_new(start)
        if self.face is not None:
            self.face.append(missing)
        if self.dna is not None:
            self.dna.grow(len(ids))
            self.dna.append(missing, start, read_at)
        self._dna_rows |= {r["id"] for r in missing if has_dna(r)}
        self._keyed_append(start)
        self._names = None
        self.encoded += len(ids)

    def _rank_new(self, start: int) -> None:
        """Ranks (`fusion.id_ranks`) for the rows from `start` on: each new id takes its
        place in sorted order, and the ids after it move one place down."""
        ranks = np.concatenate([self.id_rank, np.zeros(len(self.ids) - start, np.int64)])
        for row in range(start, len(self.ids)):
            place = bisect.bisect_right(self._sorted_ids, self.ids[row])
            ranks[:row][ranks[:row] >= place] += 1
            ranks[row] = place
            self._sorted_ids.insert(place, self.ids[row])
        self.id_rank = ranks

    def remove(self, ids: Iterable[str]) -> int:
        """Set the reports of `ids` aside (withdrawn, closed, changed); returns how many were
        in the table. Their rows stay, never compared again."""
        rows = [self.row_of.pop(i) for i in ids if i in self.row_of]
        if self.dna is not None:
            self.dna.tombstone(rows)
        self._dna_rows -= {self.ids[row] for row in rows}
        self.live[rows] = False
        return len(rows)

    def _keyed_append(self, start: int) -> None:
        """Give rows from `start` on their key in each keyed field: an existing value's key,
        or a new representative (no field is worked out again over every report)."""
        state = getattr(self, "_keyed_state", None)
        if state is None:
            return
        keyed, key_of = state
        for name in KEYED:
            columns = LEVELS[name][1]
            representatives, key = keyed[name]
            if any(self.cols[c].shape[:-1] != representatives[c].shape[:-1] for c in columns):
                self._keyed_state = None  # a list column grew wider: work them out anew
                return
            known = key_of[name]
            new_keys = np.empty(len(self.ids) - start, np.int32)
            for offset, row in enumerate(range(start, len(self.ids))):
                value = value_of(self.cols, columns, row)
                found = known.get(value)
                if found is None:
                    found = known[value] = len(known)
                    for c in columns:
                        column = representatives[c]
                        representatives[c] = np.concatenate(
                            [column, self.cols[c][..., row : row + 1]], axis=-1
                        )
                new_keys[offset] = found
            keyed[name] = (representatives, np.concatenate([key, new_keys]))

    def keyed(self) -> dict[str, tuple[dict[str, np.ndarray], np.ndarray]]:
        """For each field of KEYED: its columns at one row per distinct value, and the key
        (int32, a row of those) of every report; worked out on first use."""
        state = getattr(self, "_keyed_state", None)
        if state is None:
            keyed, key_of = {}, {}
            for name in KEYED:
                first, key = distinct_rows(self.cols, LEVELS[name][1])
                reps = {c: self.cols[c][..., first] for c in LEVELS[name][1]}
                keyed[name] = (reps, key)
                key_of[name] = value_keys(reps, LEVELS[name][1])
            state = self._keyed_state = (keyed, key_of)  # whole, in one assignment
        return state[0]

    def blocked(self, f: Mapping[str, Any]) -> np.ndarray:
        """Rows (int64, ascending) of the reports that found person `f`'s sex and age make
        plausible (`model.BLOCKING_SQL`; `match` adds the same name and a near face)."""
        m = self.cols
        sex_ok = (m["sex"] == f["sex"]) | (m["sex"] < 0) | (f["sex"] < 0)
        age_ok = (m["by_lo"] <= f["by_hi"] + AGE_SLACK) & (f["by_lo"] <= m["by_hi"] + AGE_SLACK)
        return np.flatnonzero(sex_ok & age_ok & self.live)

    def _beyond(self, f: Row, near: np.ndarray | None) -> np.ndarray:
        """Rows (int64, ascending) that found person `f` is compared with although the sex
        and age rules pass them by: the same full name (`model.NAME_RULE`), or `near`, the
        rows of a face within FACE_NEAR (`bulk_face.FaceColumns.nearest_all`)."""
        rows = [] if near is None else [near]
        if f["name"] > EMPTY and f["given_py"] > EMPTY:  # a full name (`model.NAME_RULE`)
            order, names = self._by_name()
            lo, hi = np.searchsorted(names, f["name"]), np.searchsorted(names, f["name"], "right")
            rows.append(order[lo:hi])
        if not rows:
            return np.zeros(0, np.int64)
        rows = np.unique(np.concatenate(rows))
        rows = rows[self.live[rows]]
        m = self.cols
        sex_ok = (m["sex"][rows] == f["sex"]) | (m["sex"][rows] < 0) | (f["sex"] < 0)
        age_ok = (m["by_lo"][rows] <= f["by_hi"] + AGE_SLACK) & (
            f["by_lo"] <= m["by_hi"][rows] + AGE_SLACK
        )
        return rows[~(sex_ok & age_ok)].astype(np.int64)

    def blocked_with(self, found_raw: Sequence[Mapping[str, Any]], report_id: str) -> list[str]:
        """`bulk_reverse.blocked_with`: who the blocking rules compare with this report."""
        return bulk_reverse.blocked_with(self, found_raw, report_id)

    def pairs_with(
        self, found_raw: Sequence[Mapping[str, Any]] | FoundPeople, report_id: str
    ) -> dict[str, Any]:
        """`bulk_reverse.pairs_with`: this report's pair with each of those people."""
        return bulk_reverse.pairs_with(self, found_raw, report_id)

    def _by_name(self) -> tuple[np.ndarray, np.ndarray]:
        """The reports' rows sorted by name code, and those codes: worked out on first use."""
        if getattr(self, "_names", None) is None:
            order = np.argsort(self.cols["name"], kind="stable")
            self._names = (order, self.cols["name"][order])
        return self._names

    def face_impostors(
        self, found_raw: Iterable[Mapping[str, Any]], *, pairs: int = 500_000, seed: int = 0
    ) -> np.ndarray:
        """`bulk_face.impostor_distances` of these found records against this table."""
        return bulk_face.impostor_distances(self, found_raw, pairs=pairs, seed=seed)

    def fit_face(self, found_raw: Iterable[Mapping[str, Any]], *, seed: int = 0) -> str:
        """`bulk_face.fit`: the face calibration's impostor side drawn from these records."""
        return bulk_face.fit(self, found_raw, seed=seed)

    def match(
        self,
        found_raw: Iterable[Mapping[str, Any]],
        *,
        top: int = 10,
        progress: Callable[[int, int], None] | None = None,
        keep_pairs: bool = False,
        batch: int = 64,
        pools: bool = False,
        parsed: bool = False,
    ) -> dict[str, Any]:
        """The top `top` candidates of each found person, as `search.match_records` gives
        them: {"candidates", "pairs" (blocked pairs in all), "bad", with `keep_pairs`
        "all": every blocked pair's found, missing, prior, parts, total, rivals,
        posterior; and with `pools` "pools": each found id's `pools.Pool`, what a new
        report's pair needs to be scored alone (`pairs_with`)}. With `parsed`, the
        records are parsed already (`FoundPeople.records`)."""
        from homeward.matching.search import parse_records

        found, bad = (list(found_raw), []) if parsed else parse_records(found_raw, "found")
        found_cols = encode([feature_row(r) for r in found], self.vocab)
        best: dict[int, list[_Chosen]] = {}
        kept: list[dict[str, np.ndarray]] = []
        summed: dict[str, Pool] = {}
        n_pairs = 0
        for rows in _batches(found_cols, batch):
            window = self._window(found_cols, rows)
            for row in rows:
                person = {k: v[..., row] for k, v in found_cols.items()}
                scored = self._score(found[row], person, window)
                n_pairs += len(scored.reports)
                order = self._order(scored, top)
                best[int(row)] = self._chosen(scored, order)
                if pools:
                    summed[found[row]["id"]] = self._pool(scored, order, top)
                if keep_pairs:
                    kept.append(self._every_pair(int(row), scored))
                if progress:
                    progress(len(best), len(found))
        out: dict[str, Any] = {
            "candidates": self._candidates(found, best),
            "pairs": n_pairs,
            "bad": bad,
        }
        if pools:
            out["pools"] = summed
        if keep_pairs:
            out["all"] = {k: np.concatenate([p[k] for p in kept]) for k in kept[0]} if kept else {}
        return out

    def _window(self, found_cols: Cols, rows: np.ndarray) -> _Window:
        """The reports any found person of one batch (one sex, near birth years) may be
        compared with by sex and age, with their name columns and field keys."""
        reports = self.cols
        sex = found_cols["sex"][rows[0]]
        low, high = found_cols["by_lo"][rows].min(), found_cols["by_hi"][rows].max()
        sex_ok = (reports["sex"] == sex) | (reports["sex"] < 0) | (sex < 0)
        age_ok = (reports["by_lo"] <= high + AGE_SLACK) & (low <= reports["by_hi"] + AGE_SLACK)
        positions = np.flatnonzero(sex_ok & age_ok & self.live)
        names = LEVELS["name"][1] + ("by_lo", "by_hi")
        return _Window(
            positions=positions,
            columns={k: reports[k][..., positions] for k in names},
            keys={name: key[positions] for name, (_, key) in self.keyed().items()},
        )

    def _score(self, record: Mapping[str, Any], person: Row, window: _Window) -> _Scored:
        """One found person against the reports the rules block with it: the window's
        reports of a plausible age, then those of the same full name or a near face that
        sex and age pass by. Each pair's field weights, evidence, total and rivals."""
        columns = window.columns
        same_age = np.flatnonzero(
            (columns["by_lo"] <= person["by_hi"] + AGE_SLACK)
            & (person["by_lo"] <= columns["by_hi"] + AGE_SLACK)
        )
        face = self.face.nearest_all(record) if self.face is not None else None
        near = None if face is None else np.flatnonzero(face[0] <= FACE_NEAR**2)
        beyond = self._beyond(person, near)
        reports = np.concatenate([window.positions[same_age], beyond])
        inside = len(same_age)  # the first `inside` pairs are in the window
        fields = np.empty((len(reports), len(COMPARISONS)), np.float32)
        name_field = FIELD["name"]
        beyond_names = {k: self.cols[k][..., beyond] for k in LEVELS["name"][1]}
        name_weights = self.weights[name_field]
        fields[:inside, name_field] = name_weights[name_levels(person, columns)[same_age]]
        fields[inside:, name_field] = name_weights[name_levels(person, beyond_names)]
        for name, (representatives, key) in self.keyed().items():
            field = FIELD[name]
            weight = self.weights[field][LEVELS[name][0](person, representatives)]
            fields[:inside, field] = weight[window.keys[name][same_age]]
            fields[inside:, field] = weight[key[beyond]]
        parts = {p: np.full(len(reports), np.nan) for p in EVIDENCE}
        if "attributes" in self.evidence:
            parts["attributes"] = self.intercept + self.slope * fields.sum(axis=1, dtype=np.float64)
        if face is not None:
            parts["face"] = self.face.log10_lr(np.sqrt(face[0][reports]), face[1][reports])
        if self.dna is not None:
            parts["dna"] = self.dna.scores_at(record, reports)
        total = _total(parts)
        return _Scored(
            reports=reports,
            fields=fields,
            parts=parts,
            prior=float(self.prior.log10_odds(len(reports))),
            total=total,
            rivals=self.prior.rivals(total),
        )

    def _order(self, scored: _Scored, top: int) -> np.ndarray:
        """Positions of the `top` best pairs of one found person, best first (`_top`)."""
        return _top(
            scored.total,
            top,
            fusion.strongest_part(scored.parts),
            self.cols["d_hi"][scored.reports],
            self.id_rank[scored.reports],
        )

    def _pool(self, scored: _Scored, order: np.ndarray, top: int) -> Pool:
        """One found person's `pools.Pool`: the size, the best pairs, the sum of the rest."""
        strongest = fusion.strongest_part({p: scored.parts[p][order] for p in EVIDENCE})
        rows = scored.reports[order]
        best = [
            (self.ids[row], float(s), float(self.cols["d_hi"][row]))
            for row, s in zip(rows, strongest, strict=True)
        ]
        return Pool.of(best, scored.total, order, top)

    def _chosen(self, scored: _Scored, order: np.ndarray) -> list[_Chosen]:
        return [
            _Chosen(
                report=int(scored.reports[k]),
                parts={p: float(scored.parts[p][k]) for p in EVIDENCE},
                fields=scored.fields[k].copy(),
                prior=scored.prior,
                rivals=float(scored.rivals[k]),
            )
            for k in order
        ]

    def _every_pair(self, row: int, scored: _Scored) -> dict[str, np.ndarray]:
        """Every blocked pair of one found person, for `keep_pairs`."""
        count = len(scored.reports)
        return {
            "found": np.full(count, row, np.int32),
            "missing": scored.reports.astype(np.int32),
            "prior": np.full(count, scored.prior),
            **scored.parts,
            "total": scored.total,
            "strongest": fusion.strongest_part(scored.parts),
            "recency": self.cols["d_hi"][scored.reports],
            "id_rank": self.id_rank[scored.reports],
            "rivals": scored.rivals,
            "posterior": fusion.posterior(
                scored.prior - scored.rivals, scored.total, self.calibration
            ),
        }

    def _candidates(
        self, found: Sequence[Mapping[str, Any]], best: Mapping[int, list[_Chosen]]
    ) -> list[dict[str, Any]]:
        """HWX candidates of each found person in input order, ranked from 1."""
        names = [c.name for c in COMPARISONS]
        candidates = []
        for row, record in enumerate(found):
            for rank, chosen in enumerate(best.get(row, []), start=1):
                shown = (chosen.fields * self.slope).astype(np.float32)  # as score_pairs shows
                breakdown = dict(zip(names, shown.tolist(), strict=True))
                breakdown["calibration"] = self.intercept
                candidates.append(
                    fusion.candidate(
                        record["id"],
                        self.ids[chosen.report],
                        rank,
                        chosen.prior,
                        chosen.parts,
                        breakdown if "attributes" in self.evidence else None,
                        self.calibration,
                        self.version,
                        chosen.rivals,
                    )
                )
        return candidates


@dataclass(frozen=True)
class _Window:
    """The reports one batch of found people is compared with: their positions in the
    table, their name and birth-year columns there, and their key in each keyed field."""

    positions: np.ndarray
    columns: dict[str, np.ndarray]
    keys: dict[str, np.ndarray]


@dataclass(frozen=True)
class _Scored:
    """One found person's blocked pairs: the reports (table positions), each pair's field
    weights, evidence parts, total log10 LR and rivals, and the pool's prior."""

    reports: np.ndarray
    fields: np.ndarray
    parts: dict[str, np.ndarray]
    prior: float
    total: np.ndarray
    rivals: np.ndarray


@dataclass(frozen=True)
class _Chosen:
    """A pair kept for the candidate list."""

    report: int
    parts: dict[str, float]
    fields: np.ndarray
    prior: float
    rivals: float


def _total(parts: Mapping[str, np.ndarray]) -> np.ndarray:
    """`fusion.total_log10_lr` of the parts, added in the same order without stacking
    them (the same floats, a third of the time)."""
    total = np.zeros(len(next(iter(parts.values()))))
    for value in parts.values():
        np.add(total, value, out=total, where=~np.isnan(value))
    return total


def _batches(fcols: Mapping[str, np.ndarray], size: int) -> list[np.ndarray]:
    """Found rows in runs of one sex code and near birth years (sorted by sex, first and
    last birth year), at most `size` a run: a run shares one window of reports."""
    order = np.lexsort((fcols["by_hi"], fcols["by_lo"], fcols["sex"]))
    out = []
    for sex in np.unique(fcols["sex"]):
        same = order[fcols["sex"][order] == sex]
        out += [same[k : k + size] for k in range(0, len(same), size)]
    return out


def _top(
    total: np.ndarray, k: int, strongest: np.ndarray, recency: np.ndarray, id_rank: np.ndarray
) -> np.ndarray:
    """Positions of the `k` best pairs, best first (`fusion.best_first`: ties broken by the
    strongest part, the recency of the report, then its id; as `search.rank_pairs`)."""
    if len(total) > k:
        kth = np.partition(-total, k - 1)[k - 1]
        pick = np.flatnonzero(-total <= kth)  # every pair tied with the k-th comes too
    else:
        pick = np.arange(len(total))
    order = fusion.best_first(total[pick], strongest[pick], recency[pick], id_rank[pick])
    return pick[order][:k]
