"""Searching a DnaIndex: a found person against every family, and a family against every
found person. Scan scores are closed-form log10 LRs; the top candidates are rescored with
the exact pedigree LR and given a posterior that accounts for the whole database
(Brenner's "many hypotheses" posterior for a database search, P_i = LR_i / (sum_j LR_j +
N (1 - prior) / prior); docs/matching.md)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import numpy as np

from homeward.matching.dna import closed, scan
from homeward.matching.dna.index import DnaIndex
from homeward.matching.dna.lr import family_lr, family_table
from homeward.matching.dna.pedigree import Relative, build_family
from homeward.matching.dna.profiles import Profile


def _segment_array(index: DnaIndex, seg: dict, key: str) -> np.ndarray:
    return np.load(index.path / seg["name"] / f"{key}.npy", mmap_mode="r")


def scan_found_person(
    index: DnaIndex, profile: Profile, mp_sex: str = "U", threads: int = 2
) -> list[tuple[dict, np.ndarray]]:
    """(segment, float32 log10 scan score per record) for every family segment."""
    tables: dict[str, list[np.ndarray]] = {}
    out = []
    codes = index.encode([profile])[:, 0]
    for seg in index.meta["segments"]:
        kind = seg["kind"]
        if kind == "found":
            continue
        if kind == "pedigree":
            tabs = _segment_array(index, seg, "tables")
            offsets = np.concatenate([[0], np.cumsum(seg["sizes"])[:-1]])
            score = np.zeros(seg["n"], dtype=np.float32)
            for i, c in enumerate(codes):
                if 0 < c < seg["sizes"][i]:
                    score += tabs[:, offsets[i] + c]
            out.append((seg, score))
            continue
        if kind not in tables:
            tables[kind] = index.query_tables(profile, kind, mp_sex)
        tabs = tables[kind]
        if kind == "parents":
            tabs = [_shrink(t, s) for t, s in zip(tabs, seg["strides"], strict=True)]
        out.append((seg, scan.gather_sum(_segment_array(index, seg, "codes"), tabs, threads)))
    return out


def _shrink(table: np.ndarray, stride: int) -> np.ndarray:
    size = math.isqrt(table.size)
    if size == stride:
        return table
    return np.ascontiguousarray(table.reshape(size, size)[:stride, :stride]).ravel()


def search_found_person(
    index: DnaIndex | Sequence[DnaIndex],
    profile: Profile,
    *,
    top: int = 10,
    mp_sex: str | None = None,
    prior_in_db: float = 0.5,
) -> list[dict[str, object]]:
    """Top families for a found person, best first, with exact LRs and posteriors.

    `index` may be several region shards; their candidates are merged and the posterior's
    denominator covers every family in every shard. Each candidate names its shard.
    """
    shards = [index] if isinstance(index, DnaIndex) else list(index)
    scored = [
        (shard, seg, scores)
        for shard in shards
        for seg, scores in scan_found_person(shard, profile, mp_sex or profile.sex or "U")
    ]
    if not scored:
        return []
    flat = np.concatenate([s for *_, s in scored])
    n = flat.size
    total = float(np.sum(np.power(10.0, flat.astype(np.float64))))
    where = np.concatenate([np.full(seg["n"], i) for i, (_, seg, _) in enumerate(scored)])
    local = np.concatenate([np.arange(seg["n"]) for _, seg, _ in scored])
    picked = []
    for j in scan.top_k(flat, top):
        shard, seg, _ = scored[where[j]]
        family = _family(shard, seg, int(local[j]))
        exact = family_lr(profile, family[1], shard.settings(), mp_sex=mp_sex)
        # Exact LRs replace the scan's for the candidates in the posterior's denominator.
        total += exact.lr - 10.0 ** float(flat[j])
        picked.append((shard, family, float(flat[j]), exact))
    hits = []
    for rank, (shard, family, score, exact) in enumerate(picked, start=1):
        hit = _candidate(rank, family, score, exact, total, n, prior_in_db)
        hits.append({**hit, "shard": shard.path.name})
    return hits


def _candidate(rank, family, scan_score, exact, total, n, prior_in_db) -> dict[str, object]:
    odds_none = n * (1 - prior_in_db) / prior_in_db
    return {
        "rank": rank,
        "family": family[0],
        "relatives": [r.relation for r, _ in family[1]],
        "scan_log10_lr": round(scan_score, 4),
        "lr": exact.lr,
        "log10_lr": exact.log10_lr,
        "inconsistent_loci": [x["locus"] for x in exact.inconsistent],
        "posterior": exact.lr / (total + odds_none),
    }


def _family(index: DnaIndex, seg: dict, j: int) -> tuple[str, list[tuple[Relative, Profile]]]:
    fid = str(_segment_array(index, seg, "ids")[j])
    kind = seg["kind"]
    if kind == "pedigree":
        records = json.loads((index.path / seg["name"] / "records.json").read_text("utf-8"))
        rec = records[j]
        return fid, [
            (
                Relative(r["relation"], r["sex"], r["via"]),
                Profile({k: tuple(v) for k, v in r["dna"].items()}),
            )
            for r in rec["relatives"]
        ]
    codes = np.asarray(_segment_array(index, seg, "codes")[:, j])
    if kind == "parents":
        strides = np.array(seg["strides"])
        mother, father = codes // strides, codes % strides
        return fid, [
            (Relative("mother", "F"), index.decode(mother)),
            (Relative("father", "M"), index.decode(father)),
        ]
    return fid, [(Relative(kind, {"father": "M", "mother": "F"}.get(kind)), index.decode(codes))]


def family_tables(
    index: DnaIndex, relatives: Sequence[tuple[Relative, Profile]]
) -> list[np.ndarray]:
    """Per-locus float32 log10 LR over found-person genotype codes for one family."""
    kind = sorted(r.relation for r, _ in relatives)
    fam_codes = index.encode([p for _, p in relatives])
    out = []
    for i, locus in enumerate(index.loci):
        ladder = index.meta["ladders"][locus]
        p = index.frequencies(locus)
        mut, theta = index.mutation, index.meta["theta"]
        if len(kind) == 1:
            column = fam_codes[i, 0]
            lr = index._matrix(kind[0], locus, "U")[:, column]
            out.append(np.ascontiguousarray(lr))
            continue
        if kind == ["father", "mother"]:
            by = {r.relation: int(fam_codes[i, j]) for j, (r, _) in enumerate(relatives)}
            mm, mf = index.mutation_matrix(locus, "F"), index.mutation_matrix(locus, "M")
            lr = closed.parents_column(by["mother"], by["father"], p, theta, mf, mm)
        else:
            ped, ids = build_family([r for r, _ in relatives])
            data = {
                pid: prof.genotypes[locus]
                for pid, (_, prof) in zip(ids, relatives, strict=True)
                if locus in prof.genotypes
            }
            size = len(ladder) * (len(ladder) + 1) // 2 + 1
            lr = family_table(ped, data, locus, ladder, p, mut) if data else np.ones(size)
        with np.errstate(divide="ignore"):
            out.append(np.log10(lr).astype(np.float32))
    return out


def search_family(
    index: DnaIndex,
    relatives: Sequence[tuple[Relative, Profile]],
    *,
    top: int = 10,
    prior_in_db: float = 0.5,
) -> list[dict[str, object]]:
    """Top found persons for a family's relatives, best first, with exact LRs."""
    tables = family_tables(index, relatives)
    segs = [s for s in index.meta["segments"] if s["kind"] == "found"]
    if not segs:
        return []
    scores = []
    for seg in segs:
        codes = _segment_array(index, seg, "codes")
        tabs = [np.pad(t, (0, max(0, int(codes.max(initial=0)) + 1 - t.size))) for t in tables]
        scores.append(scan.gather_sum(codes, tabs))
    flat = np.concatenate(scores)
    total = float(np.sum(np.power(10.0, flat.astype(np.float64))))
    where = np.concatenate([np.full(s["n"], i) for i, s in enumerate(segs)])
    local = np.concatenate([np.arange(s["n"]) for s in segs])
    picked = []
    for j in scan.top_k(flat, top):
        seg = segs[where[j]]
        fid = str(_segment_array(index, seg, "ids")[local[j]])
        person = index.decode(np.asarray(_segment_array(index, seg, "codes")[:, local[j]]))
        exact = family_lr(person, list(relatives), index.settings())
        total += exact.lr - 10.0 ** float(flat[j])
        picked.append((fid, float(flat[j]), exact))
    hits = []
    for rank, (fid, score, exact) in enumerate(picked, start=1):
        hit = _candidate(rank, ("", list(relatives)), score, exact, total, flat.size, prior_in_db)
        hit.pop("family")
        hits.append({"found": fid, **hit})
    return hits
