import json
import math

import pytest

from homeward.cli import main as homeward_main
from homeward.matching.calibrate import TRAINING_WORLDS, reliability, world_pairs
from homeward.matching.search import match_records
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
            "--chunk",
            "7",  # streamed in runs of 7 found people: line numbers still right
            "--dna-index",
            str(tmp_path / "dna"),
        ]
    )
    assert rc == 0
    err = capsys.readouterr().err
    assert "300 reports ready" in err
    assert "[##############################] 62/62 found people" in err  # the progress bar
    assert "wrote" in err and "candidates to" in err
    assert (tmp_path / "dna").is_dir()  # the DNA index kept for the next run
    assert "found.jsonl:61: line: not valid JSON" in err
    assert "found.jsonl:62: sex: must be M, F or U" in err
    from_cli = [json.loads(line) for line in out.open(encoding="utf-8")]
    # In two processes, the same candidates in the same order.
    two = tmp_path / "two.jsonl"
    argv = ["match", "--found", str(paths["found"]), "--missing", str(paths["missing"])]
    assert homeward_main([*argv, "--top", "5", "--out", str(two), "--workers", "2", "--quiet"]) == 0
    assert two.read_text(encoding="utf-8") == out.read_text(encoding="utf-8")
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


def test_bad_options_are_named_and_nothing_is_written(tmp_path, capsys):
    found, missing, out = tmp_path / "f.jsonl", tmp_path / "m.jsonl", tmp_path / "c.jsonl"
    found.write_text("")
    missing.write_text("")
    (tmp_path / "a-file").write_text("keep me")
    argv = ["match", "--found", str(found), "--missing", str(missing), "--out", str(out)]
    assert homeward_main([*argv, "--workers", "0"]) == 2
    assert "--workers" in capsys.readouterr().err
    assert homeward_main([*argv, "--dna-index", str(tmp_path / "a-file")]) == 2
    assert "--dna-index: not a folder" in capsys.readouterr().err
    assert (tmp_path / "a-file").read_text() == "keep me"
    assert not out.exists()


# Worlds the calibration was not fitted on (calibrate.TRAINING_WORLDS): other seeds, other
# sizes of the report pool, so another prior per pair.
HELD_OUT_WORLDS = [
    {"n_missing": 8000, "n_found": 5000, "n_true": 2000, "seed": 31},
    {"n_missing": 6000, "n_found": 4000, "n_true": 1500, "seed": 7},
    {"n_missing": 10000, "n_found": 3000, "n_true": 1200, "seed": 113},
]


@pytest.mark.parametrize("world", HELD_OUT_WORLDS, ids=lambda w: f"seed{w['seed']}")
def test_the_posterior_is_calibrated_on_worlds_it_was_not_fitted_on(world):
    """Of pairs given a posterior in a band, about that share are true (reliability table):
    in every band, the share of true pairs is within three binomial standard errors of the
    band's mean posterior (and never 0.2 away), on each held-out world."""
    assert world["seed"] not in {w["seed"] for w in TRAINING_WORLDS}  # held out indeed
    pairs, same = world_pairs(world, calibration=None)  # the shipped calibration
    table = reliability(pairs["posterior"], same)
    print(f"\n{world}\nposterior band | pairs | share true | mean posterior")
    for lo, hi, n, share, mean in table:
        print(f"{lo:.2f}-{hi:.2f} | {n} | {share:.3f} | {mean:.3f}")
    for lo, _hi, n, share, mean in table:
        assert n >= 30, (lo, n)  # enough pairs in the band to judge it
        error = math.sqrt(mean * (1 - mean) / n)
        assert abs(share - mean) <= min(3 * error + 0.01, 0.2), (lo, n, share, mean)
    shares = {lo: share for lo, _hi, _n, share, _mean in table}
    assert 0.75 <= shares[0.8] <= 0.95  # "of pairs scored 0.8-0.9, about 80-90% are true"
    if world["seed"] == 31:  # the world this test has always read: its bound stays as tight
        assert all(abs(share - mean) < 0.1 for *_, share, mean in table)
    assert shares[0.99] > 0.99 and shares[0.0] < 0.001
    assert list(shares.values()) == sorted(shares.values())  # a higher band is truer
