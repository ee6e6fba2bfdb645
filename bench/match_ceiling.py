"""How far a matcher can go on a sweep world: two upper bounds on recall@1.

    cd bench && ../.venv/bin/python match_ceiling.py 10 4 [--missing 6000 --found 1500 --true 600]

For each world (the sweep's, `match_quality.sweep_config`) and each true pair, a bound
credits:
- 0 when the pair fails blocking (it is never compared: `model.passes_blocking`);
- 1 when both sides carry a photo or DNA (assumed always found first: optimistic);
- otherwise, with only what is known to go on, 1 / (1 + k), where k counts rivals: other
  reports compared with that found person that the true report cannot be told from, or
  that must rank at least as high.

"same levels": a rival has the same comparison level as the true report on every field
(`comparisons.COMPARISONS`). Any matcher that reads only these levels gives them the same
score; breaking the tie by anything unrelated to who is who (file order, the report's id
or age) finds the true one first 1 / (1 + k) of the time on average.

"monotone": a rival is at least as close on every field (a field unknown on either side
only matches one unknown too; the order of each field's levels, with the exceptions in
FARTHEST and UNRANKED). This bounds the matchers whose score never falls when a field
agrees more closely. A fitted Fellegi-Sunter model need not be one of them: a level the
data never showed keeps weight 0 (the shipped model's "same county" of the home), so this
bound is about what the fields can tell, not a limit on every engine.

Both bounds are about what the comparison levels resolve: a matcher reading finer values
(the exact age gap inside a level) could do a little better.
"""

from __future__ import annotations

import argparse
import sys
import warnings

import numpy as np
from match_quality import sweep_config

from homeward.matching.attributes.comparisons import COMPARISONS
from homeward.matching.attributes.model import FACE_NEAR
from homeward.matching.attributes.records import feature_row
from homeward.matching.bulk import ReportTable
from homeward.matching.bulk_columns import encode, levels
from homeward.matching.search import parse_records
from homeward.matching.world import build_world

# Levels whose order is not their closeness: the dates' "found before lost" is an
# impossibility, the farthest of all; the name's middle levels are not ranked among
# themselves, so neither is counted as closer than another.
FARTHEST = {"dates": ("found before lost",)}
UNRANKED = {
    "name": (
        "swapped order or an alias",
        "same given name, surname different or not said",
        "same surname, given names share a syllable",
        "same surname, one given name not said",
        "same surname only",
    )
}


def at_least_as_close(comp) -> np.ndarray:
    """bool (levels, levels): [r, t] whether level r agrees at least as closely as level
    t, by the order of `comp.levels` (closest first, "else" last) with the exceptions
    above; an unknown field only with an unknown one."""
    n = len(comp.levels)
    labels = [lv.label for lv in comp.levels]
    last = [i for i, label in enumerate(labels) if label in FARTHEST.get(comp.name, ())]
    order = [i for i in range(n) if i not in last] + last  # closest first
    place = {level: k for k, level in enumerate(order)}
    unranked = {i for i, label in enumerate(labels) if label in UNRANKED.get(comp.name, ())}
    assert len(unranked) == len(UNRANKED.get(comp.name, ())), "a level was renamed"
    out = np.zeros((n, n), bool)
    for r in range(n):
        for t in range(n):
            if comp.levels[r].null or comp.levels[t].null or r in unranked and t in unranked:
                out[r, t] = r == t
            else:
                out[r, t] = place[r] <= place[t]
    return out


def ceiling(seed: int, args: argparse.Namespace) -> dict[str, float]:
    config, _cover = sweep_config(seed, args.missing, args.found, args.true)
    world = build_world(config)
    found, _ = parse_records(world.found, "found")
    missing, _ = parse_records(world.missing, "missing")
    table = ReportTable(missing, evidence=("attributes", "face"))
    fcols = encode([feature_row(r) for r in found], table.vocab)
    row_of = {r["id"]: j for j, r in enumerate(missing)}
    closer = [at_least_as_close(c) for c in COMPARISONS]
    credit, credit_same, attribute_only, tied, dominated = 0.0, 0.0, 0, 0, 0
    for i, rec in enumerate(found):
        want = world.truth.get(rec["id"])
        if want is None:
            continue
        j = row_of[want]
        f = {k: v[..., i] for k, v in fcols.items()}
        face = table.face.nearest_all(rec)
        near = None if face is None else np.flatnonzero(face[0] <= FACE_NEAR**2)
        rows = np.union1d(table.blocked(f), table._beyond(f, near))
        if j not in rows:
            continue
        other = missing[j]
        if (rec["face_embeddings"] and other["face_embeddings"]) or (
            rec["dna"] and any(r.get("dna") for r in other["relatives"] or ())
        ):
            credit += 1
            credit_same += 1
            continue
        attribute_only += 1
        lv = np.stack(levels(f, {k: v[..., rows] for k, v in table.cols.items()}))
        at = int(np.searchsorted(rows, j))
        true, others = lv[:, at], np.delete(lv, at, axis=1)
        close = np.all([closer[c][others[c], true[c]] for c in range(len(closer))], axis=0)
        k = int(close.sum())
        same = int((others == true[:, None]).all(axis=0).sum())
        tied += same > 0
        dominated += k > 0
        credit += 1 / (1 + k)
        credit_same += 1 / (1 + same)
    n = len(world.truth)
    return {
        "same levels": credit_same / n,
        "monotone": credit / n,
        "attribute_only": attribute_only / n,
        "tied": tied / max(attribute_only, 1),
        "dominated": dominated / max(attribute_only, 1),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("seeds", type=int, nargs="+")
    parser.add_argument("--missing", type=int, default=6000)
    parser.add_argument("--found", type=int, default=1500)
    parser.add_argument("--true", type=int, default=600)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    print("command: cd bench && ../.venv/bin/python match_ceiling.py " + " ".join(argv))
    print(
        "| world | recall@1 bound: same levels | bound: monotone | true pairs with only what "
        "is known | of those: a rival on the same levels | a rival at least as close |"
    )
    print("|---|---|---|---|---|---|")
    for seed in args.seeds:
        c = ceiling(seed, args)
        print(
            f"| {seed} | {c['same levels']:.3f} | {c['monotone']:.3f} | "
            f"{c['attribute_only']:.3f} | {c['tied']:.3f} | {c['dominated']:.3f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
