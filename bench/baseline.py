"""A simple hand-weighted matcher, written for comparison: the sweep in match_quality.py holds
the engine to it on every world. Names, sex, age, face distance and the DNA LR, with weights
set by hand once (never fitted to any world), on the same blocked pairs as the engine.

    score = name points + sex points + age points + 12 x (0.6 - face distance) + DNA log10 LR
"""

from __future__ import annotations

from typing import Any

import numpy as np

from homeward.matching.attributes.names import name_features
from homeward.matching.attributes.records import birth_years


def _name_points(a: str | None, b: str | None) -> float:
    fa, fb = name_features(a), name_features(b)
    if fa is None or fb is None:
        return 0.0
    if fa.name == fb.name:
        return 4.0
    if fa.py == fb.py:
        return 3.0
    if fa.sorted_py == fb.sorted_py:
        return 2.0
    if fa.surname_py and fa.surname_py == fb.surname_py:
        shared = set(fa.given_syllables) & set(fb.given_syllables)
        return 1.0 if shared else 0.5
    if fa.given_py and fa.given_py == fb.given_py:
        return 1.0
    return -1.0


def _age_points(f: dict[str, Any], m: dict[str, Any]) -> float:
    a_lo, a_hi = birth_years(f)
    b_lo, b_hi = birth_years(m)
    if a_hi - a_lo > 60 or b_hi - b_lo > 60:
        return 0.0
    gap = abs((a_lo + a_hi) / 2 - (b_lo + b_hi) / 2)
    return 1.0 if gap <= 2 else 0.5 if gap <= 5 else 0.0 if gap <= 10 else -2.0


def _face_points(f: dict[str, Any], m: dict[str, Any]) -> float:
    if not f["face_embeddings"] or not m["face_embeddings"]:
        return 0.0
    a = np.asarray(f["face_embeddings"], dtype=np.float64)
    b = np.asarray(m["face_embeddings"], dtype=np.float64)
    d = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)).min()
    return 12.0 * (0.6 - float(d))


def baseline_scores(
    found: list[dict[str, Any]], missing: list[dict[str, Any]], pairs: dict[str, np.ndarray]
) -> np.ndarray:
    """The baseline's score of each of the engine's blocked pairs (parsed records; `pairs`
    the bulk matcher's kept pairs, whose "dna" column is the DNA log10 LR)."""
    out = np.empty(len(pairs["found"]))
    for k, (i, j) in enumerate(zip(pairs["found"], pairs["missing"], strict=True)):
        f, m = found[int(i)], missing[int(j)]
        score = _name_points(f["name"], m["name"])
        if f["sex"] != "U" and m["sex"] != "U":
            score += 0.3 if f["sex"] == m["sex"] else -3.0
        score += _age_points(f, m) + _face_points(f, m)
        dna = pairs["dna"][k]
        if not np.isnan(dna):
            score += float(dna)
        out[k] = score
    return out
