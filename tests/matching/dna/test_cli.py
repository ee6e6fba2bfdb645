"""`homeward dna ...` from the command line, and power advice."""

from __future__ import annotations

import json

import pytest

from homeward.cli import main as homeward_main
from homeward.matching.dna.case import parse_case
from homeward.matching.dna.power import power_advice

PERSON = {
    "D3S1358": ["16"],
    "vWA": ["17", "18"],
    "FGA": ["23", "25"],
    "D18S51": ["18"],
    "Amelogenin": ["X", "X"],
}
MOTHER = {"D3S1358": ["16"], "vWA": ["17", "18"], "FGA": ["25", "27"], "D18S51": ["14", "18"]}
FATHER = {"D3S1358": ["15", "16"], "vWA": ["18", "20"], "FGA": ["21", "23"], "D18S51": ["18", "20"]}


def run(tmp_path, capsys, case, *extra):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    status = homeward_main(["dna", "lr", str(path), *extra])
    out = capsys.readouterr()
    return status, out


def test_lr_prints_the_report_with_defaults_spelled_out(tmp_path, capsys):
    case = {
        "person": PERSON,
        "relatives": [
            {"relation": "mother", "profile": MOTHER},
            {"relation": "father", "profile": FATHER},
        ],
    }
    status, out = run(tmp_path, capsys, case)
    report = json.loads(out.out)
    assert status == 0
    assert set(report) >= {
        "lr",
        "log10_lr",
        "per_locus",
        "posterior",
        "inconsistent_loci",
        "settings",
    }
    assert report["posterior"] is None
    assert report["settings"]["population"] == "nist1036"
    assert report["settings"]["theta"] == 0.0 and report["settings"]["mutation"] is None
    assert report["lr"] == pytest.approx(
        report["per_locus"]["D3S1358"]
        * report["per_locus"]["vWA"]
        * report["per_locus"]["FGA"]
        * report["per_locus"]["D18S51"]
    )


def test_lab_frequencies_replace_the_population_table_for_named_loci(tmp_path, capsys):
    case = {
        "person": {"vWA": ["17"]},
        "relatives": [{"relation": "father", "profile": {"vWA": ["17"]}}],
        "frequencies": {"vWA": {"17": 0.25, "18": 0.75}},
        "prior": 0.5,
    }
    report = json.loads(run(tmp_path, capsys, case)[1].out)
    assert report["per_locus"]["vWA"] == pytest.approx(4.0)
    assert report["posterior"] == pytest.approx(0.8)
    assert report["settings"]["frequency_overrides"] == ["vWA"]


def test_mutation_scored_loci_are_listed_as_inconsistent(tmp_path, capsys):
    case = {
        "person": {"vWA": ["17", "18"]},
        "relatives": [{"relation": "father", "profile": {"vWA": ["19", "20"]}}],
        "mutation": {"model": "stepwise", "rate": 0.002},
    }
    report = json.loads(run(tmp_path, capsys, case)[1].out)
    [entry] = report["inconsistent_loci"]
    assert entry["locus"] == "vWA" and entry["model"] == "stepwise" and 0 < entry["lr"] < 0.01


def test_bad_input_exits_2_with_an_error_naming_the_locus(tmp_path, capsys):
    case = {
        "person": {"TPOX": ["8", "9", "11"]},
        "relatives": [{"relation": "father", "profile": {"TPOX": ["8"]}}],
    }
    status, out = run(tmp_path, capsys, case)
    error = json.loads(out.err)
    assert status == 2
    assert error["locus"] == "TPOX" and error["field"] == "person"


def test_lr_with_power_shows_the_best_extra_relative(tmp_path, capsys):
    case = {"person": PERSON, "relatives": [{"relation": "mother", "profile": MOTHER}]}
    report = json.loads(run(tmp_path, capsys, case, "--power", "--draws", "300")[1].out)
    power = report["power"]
    assert 0 <= power["p_lr_at_least_10000"] <= 1
    assert power["best_addition"] == power["add_relative"][0]["relation"]
    assert "mother" not in [o["relation"] for o in power["add_relative"]]


def test_adding_the_other_parent_raises_power_the_most_for_a_mother_only_family():
    loci = ["D3S1358", "vWA", "FGA", "D18S51", "TH01", "D8S1179", "D21S11", "D5S818"]
    mother = {locus: ["10", "11"] for locus in loci[:0]}
    mother.update(MOTHER)
    mother.update(
        {
            "TH01": ["6", "9.3"],
            "D8S1179": ["12", "14"],
            "D21S11": ["29", "31.2"],
            "D5S818": ["11", "13"],
        }
    )
    case = parse_case({"person": PERSON, "relatives": [{"relation": "mother", "profile": mother}]})
    advice = power_advice(
        [r for r, _ in case.relatives],
        [p for _, p in case.relatives],
        case.settings,
        draws=500,
        seed=1,
    )
    assert advice["best_addition"] in ("father", "child")
    by = {o["relation"]: o["p_lr_at_least_10000"] for o in advice["add_relative"]}
    assert by["father"] >= advice["p_lr_at_least_10000"]


def test_build_db_and_search_from_the_command_line(tmp_path, capsys):
    records = tmp_path / "records.jsonl"
    records.write_text(
        json.dumps(
            {
                "kind": "missing",
                "id": "M-1",
                "relatives": [
                    {"relation": "mother", "dna": MOTHER},
                    {"relation": "father", "dna": FATHER},
                ],
            }
        )
        + "\n"
        + json.dumps(
            {
                "kind": "missing",
                "id": "M-2",
                "relatives": [
                    {"relation": "father", "dna": {"vWA": ["14", "15"], "FGA": ["19", "20"]}}
                ],
            }
        )
        + "\n"
    )
    db = tmp_path / "db"
    assert homeward_main(["dna", "build-db", str(db), str(records)]) == 0
    capsys.readouterr()
    profile = tmp_path / "found.json"
    profile.write_text(json.dumps({"kind": "found", "id": "F-1", "dna": PERSON}))
    assert homeward_main(["dna", "search", str(db), str(profile), "--top", "2"]) == 0
    hits = json.loads(capsys.readouterr().out)["candidates"]
    assert hits[0]["family"] == "M-1"
    assert hits[0]["log10_lr"] > hits[1]["log10_lr"]


def test_the_cli_duo_lr_is_the_textbook_paternity_index(tmp_path, capsys):
    # Child 17/18, mother 17/19 at vWA, father untyped: the mother passes 17 (1/2) and the
    # father 18 (p18), so LR = (1/2 * p18) / (2 * p17 * p18) = 1 / (4 p17), worked by hand.
    from homeward.matching.dna.frequencies import load_table

    alleles, freqs = load_table().distribution("vWA")
    p17 = float(freqs[alleles.index("17")])
    case = {
        "person": {"vWA": ["17", "18"]},
        "relatives": [{"relation": "mother", "profile": {"vWA": ["17", "19"]}}],
    }
    status, out = run(tmp_path, capsys, case)
    assert status == 0
    assert json.loads(out.out)["per_locus"]["vWA"] == pytest.approx(1 / (4 * p17), rel=1e-9)
