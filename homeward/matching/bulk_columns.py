"""Found people and reports as column arrays, and each comparison's level as array code.

`encode` turns feature rows (`attributes.records.feature_row`) into columns: strings as
int32 codes of one shared `Vocab`, lists padded, numbers as float64. `LEVELS` gives, for
every field of `comparisons.COMPARISONS`, the function that evaluates its levels between
one found person and many reports, first level that holds wins, nulls as in the SQL;
`tests/matching/test_bulk.py` holds them to the Python twins level by level. The table
(`bulk.ReportTable`) keeps its reports in these columns; the helpers at the end append
rows to them and key a row's value, for a table changed in place.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from homeward.matching.attributes.comparisons import COMPARISONS, UNKNOWN_AGE_SPAN
from homeward.matching.attributes.model import LOG10_2, AttributeModel

_STRINGS = ("name", "name_py", "name_fuzzy", "name_shape", "name_sorted", "surname_py", "given_py")
_LISTS = ("given_syllables", "alias_py", "marks", "mark_types", "conditions")
FIELD = {c.name: i for i, c in enumerate(COMPARISONS)}


EMPTY = 0  # the code of "" in every Vocab


class Vocab(dict):
    """Strings to int32 codes (shared by all string columns, so they compare across)."""

    def __init__(self) -> None:
        super().__init__({"": EMPTY})
        self._lock = threading.Lock()  # tables changed in place encode while others match

    def __getstate__(self) -> dict:
        return {}  # the lock is this process's (a table sent to a cluster's workers)

    def __setstate__(self, _state: dict) -> None:
        self._lock = threading.Lock()

    def code(self, s: str | None) -> int:
        if s is None:
            return -1
        found = self.get(s)
        if found is None:
            with self._lock:
                found = self.setdefault(s, len(self))
        return found


def encode(rows: Sequence[Mapping[str, Any]], vocab: Vocab) -> dict[str, np.ndarray]:
    """Feature rows (`records.feature_row`) as column arrays: string codes int32 (-1 null),
    lists padded int32 (width, n) with -1 and a null flag, division prefixes of 2, 4 and 6
    characters, numbers float64 (NaN null); `d_lo`, `d_hi` the found or lost date; `xyz`
    float64 (3, n) the place's seat as a unit vector (NaN unknown)."""
    n = len(rows)
    out: dict[str, np.ndarray] = {}
    out["sex"] = np.array([vocab.code(r["sex"]) for r in rows], np.int32)
    for col in ("by_lo", "by_hi"):
        out[col] = np.array([r[col] for r in rows], np.int32)
    for col in _STRINGS:
        out[col] = np.array([vocab.code(r[col]) for r in rows], np.int32)
    for col in _LISTS:
        width = max((len(r[col] or ()) for r in rows), default=0)
        arr = np.full((max(width, 1), n), -1, np.int32)
        for i, r in enumerate(rows):
            for k, s in enumerate(r[col] or ()):
                arr[k, i] = vocab.code(s)
        out[col] = arr
        out[col + "_null"] = np.array([r[col] is None for r in rows], bool)
    for col in ("home", "place"):
        out[col + "_null"] = np.array([r[col] is None for r in rows], bool)
        for w in (2, 4, 6):
            # -1 where the division is shorter than w: left() never compares then.
            out[f"{col}{w}"] = np.array(
                [vocab.code(r[col][:w]) if r[col] and len(r[col]) >= w else -1 for r in rows],
                np.int32,
            )
    for col in ("place_lat", "place_lon", "height"):
        out[col] = np.array([np.nan if r[col] is None else r[col] for r in rows], np.float64)
    lo = [r["found_lo"] if r["found_lo"] is not None else r["lost_lo"] for r in rows]
    hi = [r["found_hi"] if r["found_hi"] is not None else r["lost_hi"] for r in rows]
    out["d_lo"] = np.array([np.nan if v is None else v for v in lo], np.float64)
    out["d_hi"] = np.array([np.nan if v is None else v for v in hi], np.float64)
    lat, lon = np.radians(out["place_lat"]), np.radians(out["place_lon"])
    out["xyz"] = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    return out


def _count_of(codes: np.ndarray, padded: np.ndarray) -> np.ndarray:
    """For each column of `padded` (w, n): how many of the distinct valid `codes` it holds
    (a list holds each value once). `codes` (w', n), one list per column, counts pair by
    pair: column i of `codes` in column i of `padded` (`ReportTable.pairs_with`)."""
    hit = np.zeros(padded.shape[1], np.int8)
    if codes.ndim == 2:
        for k, code in enumerate(codes):
            fresh = code >= 0
            for earlier in codes[:k]:
                fresh &= earlier != code
            hit += (fresh & (padded == code)).sum(axis=0, dtype=np.int8)
        return hit
    for c in np.unique(codes[codes >= 0]):
        for row in padded:
            hit += row == c
    return hit


def _any_of(codes: np.ndarray, padded: np.ndarray) -> np.ndarray:
    return _count_of(codes, padded) > 0


def _first(conditions: Sequence[np.ndarray | bool], n: int) -> np.ndarray:
    """Level index: the first condition that holds; the last level (else) when none."""
    level = np.full(n, len(conditions), np.int8)
    for i in range(len(conditions) - 1, -1, -1):
        np.copyto(level, np.int8(i), where=conditions[i])
    return level


# Seats within km of each other: squared half-chord of two unit vectors at most sin^2(km/2R)
# (the haversine of SQL_HAVERSINE, without the trigonometry per pair).
_HALF_CHORD_SQ = {km: math.sin(km / (2 * 6371.0)) ** 2 for km in (300, 1000)}


Row = Mapping[str, Any]
Cols = Mapping[str, np.ndarray]


def name_levels(f: Row, m: Cols) -> np.ndarray:
    given_eq = (f["given_py"] >= 0) & (m["given_py"] == f["given_py"])
    given_eq &= f["given_py"] != EMPTY
    surname = (f["surname_py"] != EMPTY) & (m["surname_py"] == f["surname_py"])
    return _first(
        [
            (f["name_py"] < 0) | (m["name_py"] < 0),
            m["name"] == f["name"],
            m["name_py"] == f["name_py"],
            m["name_fuzzy"] == f["name_fuzzy"],
            m["name_shape"] == f["name_shape"],
            (m["name_sorted"] == f["name_sorted"]) | _any_of(f["alias_py"], m["alias_py"]),
            given_eq | (m["given_py"] == f["name_py"]) | (m["name_py"] == f["given_py"]),
            surname & _any_of(f["given_syllables"], m["given_syllables"]),
            surname & ((f["given_py"] == EMPTY) | (m["given_py"] == EMPTY)),
            surname,
        ],
        len(m["name"]),
    )


def _sex(f: Row, m: Cols) -> np.ndarray:
    return _first([(f["sex"] < 0) | (m["sex"] < 0), m["sex"] == f["sex"]], len(m["sex"]))


def _age(f: Row, m: Cols) -> np.ndarray:
    gap = np.maximum(np.maximum(m["by_lo"] - f["by_hi"], f["by_lo"] - m["by_hi"]), 0)
    unknown = (f["by_hi"] - f["by_lo"] > UNKNOWN_AGE_SPAN) | (
        m["by_hi"] - m["by_lo"] > UNKNOWN_AGE_SPAN
    )
    return _first([unknown, gap <= 0, gap <= 2, gap <= 5, gap <= 10], len(gap))


def _division(col: str) -> Callable[[Row, Cols], np.ndarray]:
    def level(f: Row, m: Cols) -> np.ndarray:
        n = len(m[col + "_null"])
        null = f[col + "_null"] | m[col + "_null"]
        same = [(f[f"{col}{w}"] >= 0) & (m[f"{col}{w}"] == f[f"{col}{w}"]) for w in (6, 4, 2)]
        if col == "place":
            h = np.zeros(n)
            for k in range(3):
                h += (m["xyz"][k] - f["xyz"][k]) ** 2
            h /= 4
            with np.errstate(invalid="ignore"):
                same += [h <= _HALF_CHORD_SQ[300], h <= _HALF_CHORD_SQ[1000]]
        return _first([null, *same], n)

    return level


def _dates(f: Row, m: Cols) -> np.ndarray:
    gap_days = ((f["d_lo"] + f["d_hi"]) - (m["d_lo"] + m["d_hi"])) / 2
    with np.errstate(invalid="ignore"):
        return _first(
            [
                np.isnan(f["d_lo"]) | np.isnan(m["d_lo"]),
                f["d_hi"] < m["d_lo"],
                gap_days <= 90,
                gap_days <= 730,
                gap_days <= 3652,
            ],
            len(gap_days),
        )


def _height(f: Row, m: Cols) -> np.ndarray:
    dh = np.abs(m["height"] - f["height"])
    with np.errstate(invalid="ignore"):
        return _first([np.isnan(dh), dh <= 3, dh <= 8, dh <= 15], len(dh))


def _marks(f: Row, m: Cols) -> np.ndarray:
    common = _count_of(f["marks"], m["marks"])
    null = f["marks_null"] | m["marks_null"]
    types = _any_of(f["mark_types"], m["mark_types"])
    return _first([null, common >= 2, common >= 1, types], len(common))


def _conditions(f: Row, m: Cols) -> np.ndarray:
    null = f["conditions_null"] | m["conditions_null"]
    return _first([null, _any_of(f["conditions"], m["conditions"])], len(null))


# Each field's level function and the report columns it reads.
LEVELS: dict[str, tuple[Callable[[Row, Cols], np.ndarray], tuple[str, ...]]] = {
    "name": (name_levels, (*_STRINGS, "given_syllables", "alias_py")),
    "sex": (_sex, ("sex",)),
    "age": (_age, ("by_lo", "by_hi")),
    "home": (_division("home"), ("home_null", "home2", "home4", "home6")),
    "place": (_division("place"), ("place_null", "place2", "place4", "place6", "xyz")),
    "dates": (_dates, ("d_lo", "d_hi")),
    "height": (_height, ("height",)),
    "marks": (_marks, ("marks_null", "marks", "mark_types")),
    "conditions": (_conditions, ("conditions_null", "conditions")),
}
# Fields scored once per distinct value of their report columns, then gathered per pair.
KEYED = tuple(c.name for c in COMPARISONS if c.name != "name")


def levels(f: Row, m: Cols) -> list[np.ndarray]:
    """Comparison level (index into `comparison.levels`) of one found person `f` (column
    i of an `encode` dict) against reports `m`: int8 (n,) per field, as COMPARISONS."""
    return [LEVELS[c.name][0](f, m) for c in COMPARISONS]


def distinct_rows(cols: Cols, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(first row of each distinct value of columns `names`, int32 key of every row)."""
    parts = []
    for name in names:
        v = cols[name]
        v = v.reshape(-1, v.shape[-1]) if v.ndim > 1 else v[None, :]
        parts.append(v.astype(np.float64).view(np.int64))  # NaN keeps one bit pattern
    stacked = np.ascontiguousarray(np.concatenate(parts).T)
    void = stacked.view(np.dtype((np.void, stacked.shape[1] * 8))).ravel()
    _, first, key = np.unique(void, return_index=True, return_inverse=True)
    return first, key.astype(np.int32)


def weight_table(model: AttributeModel) -> np.ndarray:
    """float32 (fields, levels): each level's log10 BF as `model.score` reads it from Splink
    (log2 of m/u, times log10 2, in float32); 0 at null levels and past a field's levels."""
    by_name = {c["output_column_name"]: c for c in model.settings["comparisons"]}
    out = np.zeros((len(COMPARISONS), max(len(c.levels) for c in COMPARISONS)), np.float32)
    for i, comp in enumerate(COMPARISONS):
        for j, level in enumerate(by_name[comp.name]["comparison_levels"]):
            m, u = level.get("m_probability"), level.get("u_probability")
            if level.get("is_null_level") or not m or not u:
                continue
            out[i, j] = np.float32(np.float64(math.log2(m / u)) * LOG10_2)
    return out


def has_dna(record: Mapping[str, Any]) -> bool:
    return any(relative.get("dna") for relative in record.get("relatives") or ())


def append_columns(columns: Cols, new: Cols) -> dict[str, np.ndarray]:
    """Encoded columns with `new`'s rows after theirs; a list column (width, n) takes the
    wider of the two widths, padded with -1."""
    out = {}
    for name, old in columns.items():
        more = new[name]
        if old.ndim == 2 and old.shape[0] != more.shape[0]:
            width = max(old.shape[0], more.shape[0])
            old, more = (pad_rows(a, width) for a in (old, more))
        out[name] = np.concatenate([old, more], axis=-1)
    return out


def pad_rows(array: np.ndarray, width: int) -> np.ndarray:
    if array.shape[0] == width:
        return array
    fill = np.full((width - array.shape[0], array.shape[1]), -1, array.dtype)
    return np.concatenate([array, fill])


def value_of(columns: Cols, names: Sequence[str], row: int) -> bytes:
    """One row's value in columns `names`, as `distinct_rows` compares them."""
    parts = [np.asarray(columns[c][..., row], np.float64).reshape(-1) for c in names]
    return np.concatenate(parts).view(np.int64).tobytes()


def value_keys(representatives: Cols, names: Sequence[str]) -> dict[bytes, int]:
    count = representatives[names[0]].shape[-1]
    return {value_of(representatives, names, k): k for k in range(count)}
