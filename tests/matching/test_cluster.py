"""The all-against-all run on a Dask cluster (two worker processes on this machine) gives
the candidates one process gives."""

from __future__ import annotations

import pytest

from homeward.cli import main as homeward_main
from homeward.matching.bulk import ReportTable
from homeward.matching.cluster import match_all
from homeward.matching.search import parse_records
from homeward.matching.world import WorldConfig, build_world, write_world


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def world():
    return build_world(WorldConfig(n_missing=400, n_found=90, n_true=50, seed=41))


def test_homeward_match_on_a_cluster_writes_what_one_process_writes(
    cluster, world, tmp_path, capsys
):
    paths = write_world(world, tmp_path)
    with paths["found"].open("a", encoding="utf-8") as handle:
        handle.write('{"kind": "found", "id": "F-bad", "sex": "X"}\n')
    argv = ["match", "--found", str(paths["found"]), "--missing", str(paths["missing"])]
    argv += ["--top", "5", "--dna-index", str(tmp_path / "dna"), "--chunk", "11"]
    here, there = tmp_path / "here.jsonl", tmp_path / "there.jsonl"
    assert homeward_main([*argv, "--out", str(here)]) == 0
    capsys.readouterr()
    assert homeward_main([*argv, "--out", str(there), "--cluster", cluster]) == 0
    err = capsys.readouterr().err
    assert "found.jsonl:91: sex: must be M, F or U" in err  # line numbers across the runs
    written = there.read_text(encoding="utf-8")
    assert written == here.read_text(encoding="utf-8")
    assert written.count("\n") > 200 and '"dna": -' in written  # DNA evidence went along


def test_a_table_changed_in_place_matches_on_the_workers_as_here(cluster, world):
    """The app's table: changed in place (a family's DNA appended to its own index) and
    sent as it is; the workers read both DNA indexes."""
    missing, _ = parse_records(world.missing, "missing")
    table = ReportTable(missing[:300])
    table.add(missing[300:])
    assert table.dna.appended > 0
    here = table.match(world.found, top=5)
    there = match_all(cluster, table, world.found, top=5, run=16)
    assert there["candidates"] == here["candidates"]
    assert there["pairs"] == here["pairs"] and here["pairs"] > 0
    assert any(c["log10_lr"]["dna"] is not None for c in there["candidates"])


def test_a_cluster_that_does_not_answer_is_named_before_any_work(tmp_path, capsys):
    found, missing = tmp_path / "f.jsonl", tmp_path / "m.jsonl"
    found.write_text("")
    missing.write_text("")
    argv = ["match", "--found", str(found), "--missing", str(missing)]
    argv += ["--out", str(tmp_path / "c.jsonl"), "--cluster", "tcp://127.0.0.1:9"]
    dna = ["--dna-index", str(tmp_path / "dna")]
    assert homeward_main([*argv, *dna, "--cluster-timeout", "2"]) == 2
    err = capsys.readouterr().err
    assert "--cluster: no Dask scheduler answers at tcp://127.0.0.1:9" in err
    assert not (tmp_path / "c.jsonl").exists()
    assert homeward_main([*argv, *dna, "--workers", "2"]) == 2
    assert "one or the other" in capsys.readouterr().err
    # The workers read the DNA index from its folder: it must be named (on shared storage).
    assert homeward_main(argv) == 2
    assert "--cluster needs --dna-index" in capsys.readouterr().err
