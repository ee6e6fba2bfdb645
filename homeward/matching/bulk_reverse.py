"""The other direction of the bulk matcher: one report against many found people.

`ReportTable.match` scores found people against every report. A new report needs the
opposite: the people the blocking rules compare it with (`blocked_with`), and its pair with
each of them (`pairs_with`), scored by the same level functions, weights, face
calibration and DNA tables, so that a person's kept pool (`pools.Pool`) can take it in
without matching them again. `ReportTable.blocked_with` and `ReportTable.pairs_with` call
these.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from homeward.matching import fusion
from homeward.matching.attributes.comparisons import COMPARISONS
from homeward.matching.attributes.model import AGE_SLACK, FACE_NEAR
from homeward.matching.bulk_columns import EMPTY, FIELD, LEVELS
from homeward.matching.found_people import FoundPeople

if TYPE_CHECKING:
    from homeward.matching.bulk import ReportTable

EVIDENCE = fusion.PARTS


def blocked_with(
    table: ReportTable, found_raw: Sequence[Mapping[str, Any]], report_id: str
) -> list[str]:
    """The ids of the found records the blocking rules compare with report `report_id`
    (the other direction of `match`'s window and `_beyond`: sex and age, the same full
    name, a near face), so that a new report is scored against those people only."""
    people = _people(table, found_raw)
    row = table.row_of.get(report_id)
    if row is None or not len(people):
        return []
    return [people.records[k]["id"] for k in _admitted(table, people, row)]


def _people(table: ReportTable, found: Sequence[Mapping[str, Any]] | FoundPeople) -> FoundPeople:
    """Found records as `FoundPeople` encoded with this table's vocabulary."""
    from homeward.matching.search import parse_records

    if isinstance(found, FoundPeople):
        return found.for_vocab(table.vocab)
    return FoundPeople(parse_records(found, "found")[0], table.vocab)


def _admitted(table: ReportTable, people: FoundPeople, row: int) -> np.ndarray:
    """The rows (int64, ascending) of the live found people that the blocking rules
    compare with the report at `row`: exactly those `match` pairs with it. The faces
    are screened in float64 a little beyond FACE_NEAR, then each one so near is
    settled by `match`'s own distance."""
    rows = np.flatnonzero(people.live)
    f = {k: people.cols[k][rows] for k in ("sex", "by_lo", "by_hi", "name", "given_py")}
    m = {k: v[..., row] for k, v in table.cols.items()}
    sex_ok = (f["sex"] == m["sex"]) | (m["sex"] < 0) | (f["sex"] < 0)
    age_ok = (m["by_lo"] <= f["by_hi"] + AGE_SLACK) & (f["by_lo"] <= m["by_hi"] + AGE_SLACK)
    full_name = (f["name"] > EMPTY) & (f["given_py"] > EMPTY)
    admitted = (sex_ok & age_ok) | (full_name & (f["name"] == m["name"]))
    if table.face is not None and table.face.missing_mask[row].any():
        photos = table.face.missing[row][table.face.missing_mask[row]].astype(np.float64)
        others = rows[~admitted & people.face_mask[rows].any(axis=1)]
        if len(others) and people.faces.shape[2] == photos.shape[1]:
            faces = people.faces[others].astype(np.float64)  # (n, slots, dim)
            gaps = (
                (faces**2).sum(axis=2)[:, :, None]
                + (photos**2).sum(axis=1)[None, None, :]
                - 2 * faces @ photos.T
            )
            gaps[~people.face_mask[others]] = np.inf
            near = others[gaps.min(axis=(1, 2)) <= (FACE_NEAR * 1.01) ** 2]
            # Those near the line are settled by `match`'s own rule (its float32
            # distances), so that a pair is scored exactly when a full match has it.
            exact = [k for k in near if _near_face(table, people.records[k], row)]
            admitted[np.searchsorted(rows, np.asarray(exact, np.int64))] = True
    return rows[admitted]


def _near_face(table: ReportTable, record: Mapping[str, Any], row: int) -> bool:
    """Whether `match` compares this found record with the report at `row` for a near
    face (`_score`: `FaceColumns.nearest_all` within FACE_NEAR)."""
    face = table.face.nearest_all(record) if table.face is not None else None
    return face is not None and bool(face[0][row] <= FACE_NEAR**2)


def pairs_with(
    table: ReportTable, found_raw: Sequence[Mapping[str, Any]] | FoundPeople, report_id: str
) -> dict[str, Any]:
    """Report `report_id` scored against the found records the blocking rules compare
    it with (`blocked_with`), one pair each: the other direction of `match`'s kernel,
    the same level functions, weights, face calibration and DNA scan. Returns "found"
    (their ids), "fields" float32 (n, fields), "parts" (log10 LR per part, NaN when
    absent), "total", "strongest" and the report's "recency"; with a found person's
    `pools.Pool` from `match`, each pair's prior and rivals follow without matching
    the person again (`Pool.add`). `found_raw` may be `FoundPeople` kept for many
    reports.

    The attribute fields, their sum and the DNA are those `match` gives; the face's
    distances are worked out in float64 here, so its log10 LR agrees to about 1e-4."""
    people = _people(table, found_raw)
    row = table.row_of.get(report_id)
    if row is None or not len(people):
        return {
            "found": [],
            "fields": np.zeros((0, len(COMPARISONS)), np.float32),
            "parts": {p: np.zeros(0) for p in EVIDENCE},
            "total": np.zeros(0),
            "strongest": np.zeros(0),
            "recency": math.nan,
        }
    chosen = _admitted(table, people, row)
    pair_people = {k: v[..., chosen] for k, v in people.cols.items()}
    report = {k: v[..., np.full(len(chosen), row)] for k, v in table.cols.items()}
    fields = np.empty((len(chosen), len(COMPARISONS)), np.float32)
    for name, (level_of, _columns) in LEVELS.items():
        fields[:, FIELD[name]] = table.weights[FIELD[name]][level_of(pair_people, report)]
    parts = {p: np.full(len(chosen), np.nan) for p in EVIDENCE}
    if "attributes" in table.evidence:
        parts["attributes"] = table.intercept + table.slope * fields.sum(axis=1, dtype=np.float64)
    records = [people.records[k] for k in chosen]
    if table.face is not None and table.face.missing_mask[row].any():
        with_face = [k for k, r in enumerate(records) if r["face_embeddings"]]
        got = table.face.distances([records[k] for k in with_face], np.array([row]))
        if got is not None and with_face:
            parts["face"][with_face] = table.face.log10_lr(got[0][:, 0], got[1][:, 0])
    if table.dna is not None and table.dna.has_family[row]:
        parts["dna"] = table.dna.scores_of_family(records, row)
    from homeward.matching import bulk  # (bulk imports this module)

    return {
        "found": [r["id"] for r in records],
        "fields": fields,
        "parts": parts,
        "total": bulk._total(parts),
        "strongest": fusion.strongest_part(parts),
        "recency": float(table.cols["d_hi"][row]),
    }
