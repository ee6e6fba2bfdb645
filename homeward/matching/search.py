"""Matching found people against missing reports: the one code path for the batch matcher
(`homeward match`) and the web app's search.

parse -> feature rows -> attribute model (block + compare, Splink) -> face and DNA LRs for
the blocked pairs -> fusion with the pool-size prior and the rivals -> the top K reports
per found person.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from homeward.matching import fusion
from homeward.matching.attributes.comparisons import COMPARISONS
from homeward.matching.attributes.model import AttributeModel
from homeward.matching.attributes.records import feature_row, parse_found, parse_missing
from homeward.matching.evidence import DnaEvidence, FaceEvidence

EVIDENCE = fusion.PARTS


@dataclass
class MatchResult:
    """Candidates (HWX dicts, by found person then rank), every blocked pair's parts (for
    benchmarks: int32 found/missing row indices, float64 log10 LRs, posteriors) and stats."""

    candidates: list[dict[str, Any]]
    found_ids: list[str]
    missing_ids: list[str]
    pairs: dict[str, np.ndarray] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)


def parse_records(
    raw: Iterable[Mapping[str, Any]], kind: str
) -> tuple[list[dict[str, Any]], list[tuple[int, str, str]]]:
    """Checked records of `kind` and the problems as (position, field, message)."""
    parse = parse_found if kind == "found" else parse_missing
    good, bad = [], []
    for pos, rec in enumerate(raw):
        try:
            good.append(parse(rec))
        except ValueError as exc:
            bad.append((pos, getattr(exc, "field", "record"), getattr(exc, "message", str(exc))))
    return good, bad


def score_pairs(
    found: Sequence[dict[str, Any]],
    missing: Sequence[dict[str, Any]],
    *,
    model: AttributeModel,
    evidence: Sequence[str] = EVIDENCE,
    prior: fusion.Prior = fusion.DEFAULT_PRIOR,
    calibration: fusion.Calibration | None = None,
) -> dict[str, np.ndarray]:
    """Every blocked pair of parsed records with each part of its evidence.

    Returns int32 "found", "missing" (row indices); float64 "attributes", "face", "dna"
    (log10 LR, NaN when absent or not used), "prior" (log10 odds), "total", "rivals" (the
    found person's other reports, `fusion.Prior.rivals`), "posterior" (through
    `calibration`, default the shipped one);
    float32 "fields" (n, len(COMPARISONS)) the attribute breakdown and "intercept" (0-d) the
    model's calibration term: attributes = intercept + the sum of the fields; for breaking
    ties, "strongest" (the strongest part), "recency" (the report's last possible day of
    loss) and "id_rank" (the report id's place in sorted order).
    """
    near = near_faces(found, missing, model) if "face" in evidence else []
    scored = model.score(
        [feature_row(r) for r in found], [feature_row(r) for r in missing], also=near
    )
    fi, mi = scored.found, scored.missing
    n = len(fi)
    parts = {k: np.full(n, np.nan) for k in EVIDENCE}
    if "attributes" in evidence:
        parts["attributes"] = scored.total()
    if "face" in evidence and n:
        from homeward.matching.face.calibration import for_model

        face = FaceEvidence(found, missing, for_model(model.meta))
        parts["face"] = face.log10_lr(fi, mi)
    if "dna" in evidence and n:
        parts["dna"] = DnaEvidence(found, missing).log10_lr(fi, mi)
    pool = np.bincount(fi, minlength=len(found))[fi] if n else np.zeros(0)
    prior_odds = prior.log10_odds(pool)
    total = fusion.total_log10_lr(*parts.values())
    rivals = prior.rivals(total, fi) if n else np.zeros(0)
    recency = np.array(
        [np.nan if r["lost_date"] is None else r["lost_date"][1] for r in missing], np.float64
    )
    return {
        "found": fi,
        "missing": mi,
        **parts,
        "strongest": fusion.strongest_part(parts) if n else np.zeros(0),
        "recency": recency[mi] if n else np.zeros(0),
        "id_rank": fusion.id_ranks([r["id"] for r in missing])[mi] if n else np.zeros(0, int),
        "prior": prior_odds,
        "total": total,
        "rivals": rivals,
        "posterior": fusion.posterior(prior_odds - rivals, total, calibration),
        "fields": (scored.log10_bf * scored.slope).astype(np.float32),
        "intercept": np.array(scored.intercept),
    }


def near_faces(
    found: Sequence[dict[str, Any]], missing: Sequence[dict[str, Any]], model: AttributeModel
) -> list[tuple[int, int]]:
    """(found row, report row) of every pair whose best photo pair is within
    `model.FACE_NEAR`: compared whatever their sex and age say (`model.passes_blocking`)."""
    from homeward.matching.attributes.model import FACE_NEAR
    from homeward.matching.bulk_face import FaceColumns

    rows = [i for i, r in enumerate(found) if r["face_embeddings"]]
    if not rows or not missing:
        return []
    faces = FaceColumns(missing, model.meta)
    reports = np.flatnonzero(faces.with_photo())
    got = faces.distances([found[i] for i in rows], reports) if len(reports) else None
    if got is None:
        return []
    f, m = np.nonzero(got[0] <= FACE_NEAR)
    return [(rows[a], int(reports[b])) for a, b in zip(f.tolist(), m.tolist(), strict=True)]


def rank_pairs(pairs: Mapping[str, np.ndarray], top: int) -> np.ndarray:
    """Indices of each found person's `top` best pairs, by found row then rank (int64),
    best first by the total evidence, ties broken as `fusion.best_first` says (never by the
    order the reports were read in)."""
    fi = pairs["found"]
    if len(fi) == 0:
        return np.zeros(0, np.int64)
    recent = np.where(np.isnan(pairs["recency"]), -np.inf, pairs["recency"])
    order = np.lexsort((pairs["id_rank"], -recent, -pairs["strongest"], -pairs["total"], fi))
    sorted_f = fi[order]
    starts = np.searchsorted(sorted_f, sorted_f, side="left")
    rank = np.arange(len(order)) - starts
    return order[rank < top]


def match_records(
    found_raw: Iterable[Mapping[str, Any]],
    missing_raw: Iterable[Mapping[str, Any]],
    *,
    model: AttributeModel | None = None,
    top: int = 10,
    evidence: Sequence[str] = EVIDENCE,
    prior: fusion.Prior = fusion.DEFAULT_PRIOR,
    calibration: fusion.Calibration | None = None,
    progress: Callable[[str], None] | None = None,
) -> MatchResult:
    """The top `top` candidate reports for every found person (HWX candidates).

    Bad records are skipped; `stats["bad"]` lists them as (kind, position, field, message).
    """
    say = progress or (lambda _msg: None)
    model = model or AttributeModel.load()
    found, bad_f = parse_records(found_raw, "found")
    missing, bad_m = parse_records(missing_raw, "missing")
    say(f"{len(found)} found people, {len(missing)} reports")
    pairs = score_pairs(
        found, missing, model=model, evidence=evidence, prior=prior, calibration=calibration
    )
    say(f"{len(pairs['found'])} pairs passed blocking")
    chosen = rank_pairs(pairs, top)
    names = [c.name for c in COMPARISONS]
    version = model.version()
    candidates = []
    rank, last = 0, -1
    for k in chosen:
        f = int(pairs["found"][k])
        rank = rank + 1 if f == last else 1
        last = f
        parts = {p: float(pairs[p][k]) for p in EVIDENCE}
        breakdown = dict(zip(names, pairs["fields"][k].tolist(), strict=True))
        breakdown["calibration"] = float(pairs["intercept"])
        candidates.append(
            fusion.candidate(
                found[f]["id"],
                missing[int(pairs["missing"][k])]["id"],
                rank,
                float(pairs["prior"][k]),
                parts,
                breakdown if "attributes" in evidence else None,
                calibration,
                version,
                float(pairs["rivals"][k]),
            )
        )
    stats = {
        "bad": [("found", *b) for b in bad_f] + [("missing", *b) for b in bad_m],
        "pairs": int(len(pairs["found"])),
    }
    return MatchResult(
        candidates, [r["id"] for r in found], [r["id"] for r in missing], pairs, stats
    )
