import json

import numpy as np

from homeward.cli import main as homeward_main
from homeward.matching.attributes.model import AttributeModel
from homeward.matching.search import match_records, parse_records, score_pairs
from homeward.matching.world import WorldConfig, build_world, write_world


def test_homeward_match_gives_the_same_candidates_as_the_in_app_search(tmp_path, capsys):
    world = build_world(WorldConfig(n_missing=300, n_found=60, n_true=40, seed=21))
    paths = write_world(world, tmp_path)
    with paths["found"].open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
        handle.write(json.dumps({"kind": "found", "id": "F-bad", "sex": "X"}) + "\n")
    out = tmp_path / "candidates.jsonl"
    rc = homeward_main(
        [
            "match",
            "--found",
            str(paths["found"]),
            "--missing",
            str(paths["missing"]),
            "--top",
            "5",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert rc == 0
    err = capsys.readouterr().err
    assert "found.jsonl:61: record: not JSON" in err
    assert "found.jsonl:62: sex: must be M, F or U" in err
    from_cli = [json.loads(line) for line in out.open(encoding="utf-8")]
    in_app = match_records(world.found, world.missing, top=5).candidates
    assert from_cli == json.loads(json.dumps(in_app))
    ranks = {}
    for cand in from_cli:
        ranks.setdefault(cand["found"], []).append(cand["rank"])
        assert set(cand["log10_lr"]) == {"attributes", "face", "dna", "total"}
    assert all(r == list(range(1, len(r) + 1)) and len(r) <= 5 for r in ranks.values())
    hits = sum(
        1 for c in from_cli if c["rank"] == 1 and world.truth.get(c["found"]) == c["missing"]
    )
    assert hits >= 0.8 * len(world.truth)


def test_a_missing_input_file_is_an_error_not_a_crash(tmp_path):
    rc = homeward_main(
        [
            "match",
            "--found",
            str(tmp_path / "nope.jsonl"),
            "--missing",
            str(tmp_path / "x"),
            "--out",
            str(tmp_path / "c.jsonl"),
        ]
    )
    assert rc == 2


def test_the_posterior_is_calibrated_on_a_simulated_world():
    """Of pairs given a posterior in a band, about that share are true (reliability table)."""
    world = build_world(WorldConfig(n_missing=4000, n_found=1000, n_true=400, seed=31))
    found, _ = parse_records(world.found, "found")
    missing, _ = parse_records(world.missing, "missing")
    pairs = score_pairs(found, missing, model=AttributeModel.load())
    fid = np.array([r["id"] for r in found])
    mid = np.array([r["id"] for r in missing])
    truth = np.array([world.truth.get(f) for f in fid[pairs["found"]]]) == mid[pairs["missing"]]
    print("\nposterior band | pairs | share true")
    bands = [(0.0, 0.1), (0.1, 0.5), (0.5, 0.8), (0.8, 0.9), (0.9, 0.99), (0.99, 1.01)]
    shares = {}
    for lo, hi in bands:
        sel = (pairs["posterior"] >= lo) & (pairs["posterior"] < hi)
        shares[lo] = truth[sel].mean() if sel.any() else float("nan")
        print(f"{lo:.2f}-{min(hi, 1):.2f} | {int(sel.sum())} | {shares[lo]:.3f}")
    # Few pairs land in 0.8-0.9 in a small world: judge the broader 0.5-0.99 bands.
    sel = (pairs["posterior"] >= 0.5) & (pairs["posterior"] < 0.99)
    expected = pairs["posterior"][sel].mean()
    assert abs(truth[sel].mean() - expected) < 0.15
    assert shares[0.99] > 0.97
    assert shares[0.0] < 0.01
