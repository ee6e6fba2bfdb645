"""An erased family leaves the DNA indexes kept on disk: every kind of family (one
relative, both parents, a pedigree), in the kept index, in a table's own index of added
reports, in an index being built while the erasure happens, and in the kept generations
beside them; while a family read after its erasure (the report as it is now) stays."""

from __future__ import annotations

import copy
import json
import time

import numpy as np
import pytest

from homeward.matching.bulk import ReportTable
from homeward.matching.dna_forget import FORGOTTEN, forget, held
from homeward.matching.search import parse_records
from homeward.matching.world import WorldConfig, build_world
from tests.matching.dna_on_disk import genotypes, rows_hold_dna, stored


@pytest.fixture(scope="module")
def world():
    return build_world(WorldConfig(n_missing=240, n_found=60, n_true=40, seed=41))


@pytest.fixture(scope="module")
def reports(world):
    """The world's reports, one of whose families of both parents also has a full sibling
    (a child of theirs): the engine keeps that one as a pedigree."""
    both = next(
        r for r in world.missing if sorted(x["relation"] for x in r.get("relatives", [])) == [
            "father", "mother"]
    )  # fmt: skip
    by = {x["relation"]: x["dna"] for x in both["relatives"]}
    sibling = {locus: [by["father"][locus][0], by["mother"][locus][1]] for locus in by["father"]}
    pedigree = copy.deepcopy(both)
    pedigree["relatives"].append({"relation": "full_sibling", "dna": sibling})
    others = [r for r in world.missing if r is not both]
    missing, bad = parse_records([*others, pedigree], "missing")
    assert not bad
    return missing


def _family_kinds(record) -> str:
    relations = sorted(r["relation"] for r in record["relatives"] if r.get("dna"))
    if relations == ["father", "mother"]:
        return "parents"
    return "pedigree" if len(relations) > 1 else "single"


def _one_of_each_kind(reports) -> list[dict]:
    """A family of each kind whose relatives gave DNA for no other report (a second report
    of the same person carries the same relatives)."""
    chosen: dict[str, dict] = {}
    for r in reports:
        if any(x.get("dna") for x in r["relatives"]) and not _all_genotypes([r]) & (
            _all_genotypes([o for o in reports if o is not r])
        ):
            chosen.setdefault(_family_kinds(r), r)
    assert set(chosen) == {"single", "parents", "pedigree"}, "the world must hold each kind"
    return list(chosen.values())


def _all_genotypes(records) -> set[frozenset]:
    return {genotypes(x["dna"]) for r in records for x in r["relatives"] if x.get("dna")}


def test_an_erased_family_of_each_kind_leaves_the_kept_index_and_scores_nothing(
    reports, world, tmp_path
):
    root = tmp_path / "dna"
    read = time.time()
    table = ReportTable(reports, evidence=("dna",), dna_index=root, read_at=read)
    erased = _one_of_each_kind(reports)
    others = [r for r in reports if r not in erased]
    assert _all_genotypes(erased) <= stored(root)
    rows = np.array([table.row_of[r["id"]] for r in erased])
    found = [f for f in world.found if f.get("dna")]
    before = np.array([table.dna.scores_at(parse_records([f], "found")[0][0], rows) for f in found])

    listing = table.dna.index.path / "families.json"
    used = listing.stat().st_mtime_ns
    assert forget(root, [r["id"] for r in erased], at=read + 1) == len(erased)
    assert listing.stat().st_mtime_ns == used  # blanking is no use: the clean-up keeps order

    on_disk = stored(root)
    assert not _all_genotypes(erased) & on_disk  # no relative of theirs, decoded or in JSON
    assert _all_genotypes(others) - _all_genotypes(erased) <= on_disk  # the rest stays
    assert not {r["id"] for r in erased} & held(root)
    for report in erased:  # every code, table value and record of theirs is gone
        assert rows_hold_dna(root, report["id"]) == []
    assert rows_hold_dna(root, others[0]["id"]) or not any(
        x.get("dna") for x in others[0]["relatives"]
    )
    # A table that had the index open reads the blanks at once: no evidence either way.
    after = np.array([table.dna.scores_at(parse_records([f], "found")[0][0], rows) for f in found])
    assert np.abs(before).max() > 1 and np.allclose(after, 0)
    # Done twice (a replay after a restore), nothing more is blanked.
    assert forget(root, [r["id"] for r in erased], at=read + 2) == 0


def test_a_family_read_after_its_erasure_is_the_report_as_it_is_now_and_stays(reports, tmp_path):
    root = tmp_path / "dna"
    erased_at = time.time()
    (family,) = _one_of_each_kind(reports)[:1]
    assert forget(root, [family["id"]], at=erased_at) == 0  # no index yet: only listed
    ReportTable(reports, evidence=("dna",), dna_index=root, read_at=erased_at + 1)
    assert _all_genotypes([family]) <= stored(root)
    assert family["id"] in held(root)


def test_an_index_built_from_reports_read_before_an_erasure_blanks_the_family_itself(
    reports, tmp_path
):
    """The erasure looked through the folders while this index was being built from
    reports read before it: the builder finds the erasure on the list."""
    root = tmp_path / "dna"
    read = time.time()
    family = _one_of_each_kind(reports)[1]
    forget(root, [family["id"]], at=read + 5)  # committed after the read, before the build
    assert (root / FORGOTTEN).is_file()
    table = ReportTable(reports, evidence=("dna",), dna_index=root, read_at=read)
    assert not _all_genotypes([family]) & stored(root)
    # The blanked index is not opened again: the same reports read now get one of their own.
    again = ReportTable(reports, evidence=("dna",), dna_index=root, read_at=read + 10)
    assert again.dna.index.path != table.dna.index.path
    assert again.dna.index.path.name.endswith("-1")
    assert _all_genotypes([family]) <= stored(again.dna.index.path.parent)


def test_a_family_added_to_a_table_and_then_erased_leaves_the_tables_own_index(reports, tmp_path):
    root = tmp_path / "dna"
    read = time.time()
    with_dna = [r for r in reports if any(x.get("dna") for x in r["relatives"])]
    first, later = with_dna[:-3], with_dna[-3:]
    table = ReportTable(first, evidence=("dna",), dna_index=root, read_at=read)
    table.add(later, read_at=read + 1)
    added = next(p for p in root.iterdir() if p.name.startswith(".added-"))
    assert _all_genotypes(later) <= stored(root)

    forget(root, [later[0]["id"]], at=read + 2)
    assert not _all_genotypes(later[:1]) & stored(root)
    assert _all_genotypes(later[1:]) <= stored(root)
    listing = json.loads((added / "ids.json").read_text())
    assert len(listing["blanked"]) == 1

    # The report as it is after the erasure (its other relatives' DNA, say) comes back.
    table.add(later[:1], read_at=read + 3)
    assert _all_genotypes(later[:1]) <= stored(root)


def test_an_erasure_reaches_the_generations_kept_beside_and_removes_what_it_cannot_read(
    reports, tmp_path
):
    root = tmp_path / "dna"
    read = time.time()
    with_dna = [r for r in reports if any(x.get("dna") for x in r["relatives"])]
    ReportTable(with_dna[:-1], evidence=("dna",), dna_index=root, read_at=read)
    ReportTable(with_dna, evidence=("dna",), dna_index=root, read_at=read)  # a day later
    legacy = root / ("0" * 24)  # kept by a version that did not say whose each row is
    legacy.mkdir()
    (legacy / "families.json").write_text(json.dumps({"family_row": {}, "errors": []}))
    forget(root, [with_dna[0]["id"]], at=read + 1)
    assert not _all_genotypes(with_dna[:1]) & stored(root)
    assert not legacy.exists()
    # An index of the old version is also removed by the next build, erasure or not.
    legacy.mkdir()
    (legacy / "families.json").write_text(json.dumps({"family_row": {}, "errors": []}))
    ReportTable(with_dna[2:], evidence=("dna",), dna_index=root, read_at=read + 2)
    assert not legacy.exists()


def test_a_folder_that_cannot_be_blanked_stops_no_other_and_the_caller_hears_of_it(
    reports, tmp_path
):
    root = tmp_path / "dna"
    read = time.time()
    family = _one_of_each_kind(reports)[0]
    ReportTable(reports, evidence=("dna",), dna_index=root, read_at=read)
    # A table's own index half removed (its list left, its settings gone), and one whose
    # settings cannot be read; and a folder this code never made (a volume's lost+found),
    # which is not looked into at all.
    gone = root / ".added-gone"
    gone.mkdir()
    (gone / "ids.json").write_text(json.dumps({"ids": {"0": family["id"]}, "read_at": {"0": 0}}))
    broken = root / ".added-broken"
    broken.mkdir()
    (broken / "ids.json").write_text(json.dumps({"ids": {"0": family["id"]}, "read_at": {"0": 0}}))
    (broken / "meta.json").write_text("{not json")
    (root / "lost+found").mkdir()
    (root / "lost+found" / "families.json").write_text("{not json")
    with pytest.raises(OSError, match=".added-broken") as err:
        forget(root, [family["id"]], at=read + 1)
    assert ".added-gone" in str(err.value) and "lost+found" not in str(err.value)
    assert not _all_genotypes([family]) & stored(root, skip=[gone, broken])  # blanked all the same


def test_a_building_folder_left_by_a_crash_long_ago_goes_with_the_next_erasure(tmp_path):
    import os

    root = tmp_path / "dna"
    crashed = root / ".building-crash"
    (crashed / "seg-000001-mother").mkdir(parents=True)
    (crashed / "seg-000001-mother" / "codes.npy").write_bytes(b"...")
    building = root / ".building-now"
    building.mkdir()
    # The files' times on the clock the erasure reads (the suite's may not be the disk's).
    long_ago, just_now = time.time() - 7 * 3600, time.time() - 60
    for path in (crashed / "seg-000001-mother" / "codes.npy", crashed / "seg-000001-mother",
                 crashed):  # fmt: skip
        os.utime(path, (long_ago, long_ago))
    os.utime(building, (just_now, just_now))
    forget(root, ["M-1"])
    assert not crashed.exists() and building.exists()  # one being built now stays
