"""A report table changed in place (`ReportTable.add`, `remove`) gives the candidates a
table built anew from the same reports gives, and encodes only the reports that changed."""

from __future__ import annotations

import copy

import pytest

from homeward.matching.bulk import ReportTable
from homeward.matching.search import parse_records
from homeward.matching.world import WorldConfig, build_world


def _close(a, b):
    if a is None or b is None:
        return a is b
    return abs(a - b) <= 2e-4


@pytest.fixture(scope="module")
def world():
    return build_world(WorldConfig(n_missing=300, n_found=60, n_true=40, seed=35))


def _has_dna(record):
    return any(relative.get("dna") for relative in record.get("relatives") or ())


def test_a_table_changed_in_place_matches_like_one_built_anew(world):
    missing, _ = parse_records(world.missing, "missing")
    with_dna = [r for r in missing if _has_dna(r)]
    without = [r for r in missing if not _has_dna(r)]
    assert with_dna and len(without) > 120
    first, later, last = without[:70], without[70:100], without[100:]
    table = ReportTable(with_dna + first)
    table.keyed()  # worked out before the changes, so that they must keep it right
    table.match(world.found[:5], top=5)
    encoded = table.encoded

    table.add(later)  # the first add makes room: the next ones write in place
    table.match(world.found[:5], top=5)  # slot stores worked out before those adds
    changed = [copy.deepcopy(r) for r in first[:10]]
    for record in changed:  # the family corrected the height and the name
        record["height_cm"] = (record.get("height_cm") or 160) + 7
        record["name"] = (record.get("name") or "") + "华"
    widest = max(len(r["marks"]) for r in with_dna + first + later)
    types = ["scar", "tattoo", "mole", "burn", "birthmark", "deformity", "glasses", "other"]
    changed[0]["marks"] = [f"{t}:head" for t in types[: widest + 2]]  # a list column widens
    table.add(changed + last)
    gone = [r["id"] for r in first[10:20]]
    assert table.remove(gone) == 10
    assert table.encoded == encoded + len(later) + len(changed) + len(last)

    kept = {r["id"]: r for r in with_dna + first + later}
    kept.update({r["id"]: r for r in changed + last})
    for report_id in gone:
        del kept[report_id]
    assert len(table) == len(kept)
    fresh = ReportTable(list(kept.values()))
    got = table.match(world.found, top=5)
    want = fresh.match(world.found, top=5)
    assert got["pairs"] == want["pairs"]
    assert [(c["found"], c["missing"], c["rank"]) for c in got["candidates"]] == [
        (c["found"], c["missing"], c["rank"]) for c in want["candidates"]
    ]
    assert any(c["missing"] in {r["id"] for r in changed} for c in got["candidates"])
    assert not any(c["missing"] in gone for c in got["candidates"])
    for a, b in zip(want["candidates"], got["candidates"], strict=True):
        assert abs(a["posterior"] - b["posterior"]) <= 1e-5, (a, b)
        for part, value in a["log10_lr"].items():
            assert _close(value, b["log10_lr"][part]), (a, b)


def test_a_family_added_goes_into_the_dna_index_without_building_it_again(world, tmp_path):
    """A report with a relative's DNA is appended to the table's own DNA index; a changed
    family is tombstoned and appended again; and each found person's DNA evidence is what a
    table built anew from the same reports gives."""
    missing, _ = parse_records(world.missing, "missing")
    by_id = {r["id"]: r for r in missing}
    with_dna = [r for r in missing if _has_dna(r)]
    found_dna = [f for f in world.found if f.get("dna") and world.truth.get(f["id"]) in by_id]
    families = {world.truth[f["id"]] for f in found_dna} & {r["id"] for r in with_dna}
    assert len(families) >= 6, "the world must hold found people whose family gave DNA"
    later = [by_id[i] for i in sorted(families)[:4]]  # true families, filed after the build
    first = [r for r in missing if r["id"] not in {x["id"] for x in later}][:150]
    table = ReportTable(first, dna_index=tmp_path / "dna")
    kept_index = table.dna.index.path
    table.match(found_dna, top=5)

    table.add(later)
    held = [r for r in first if _has_dna(r)]
    assert len(held) >= 3
    corrected = copy.deepcopy(held[0])  # the lab re-entered a relative: a family anew
    corrected["relatives"] = [dict(corrected["relatives"][0], relation="father")]
    no_longer = copy.deepcopy(held[1])  # the relative's sample was withdrawn
    no_longer["relatives"] = []
    table.add([corrected, no_longer])
    table.remove([held[2]["id"]])

    assert table.dna.index.path == kept_index  # the shared index was not built again
    assert table.dna.appended == len(later) + 1
    beside = sorted(p.name for p in (tmp_path / "dna").iterdir() if p.is_dir())
    assert beside[1:] == [kept_index.name] and beside[0].startswith(".added-")

    kept = {r["id"]: r for r in first + later}
    kept.update({corrected["id"]: corrected, no_longer["id"]: no_longer})
    del kept[held[2]["id"]]
    fresh = ReportTable(list(kept.values()), dna_index=tmp_path / "fresh")
    got = table.match(found_dna, top=5)["candidates"]
    want = fresh.match(found_dna, top=5)["candidates"]
    assert [(c["found"], c["missing"], c["rank"]) for c in got] == [
        (c["found"], c["missing"], c["rank"]) for c in want
    ]
    added_dna = [c for c in got if c["missing"] in families and c["log10_lr"].get("dna")]
    assert len(added_dna) >= 4, "the appended families must give DNA evidence"
    for a, b in zip(want, got, strict=True):
        assert _close(a["log10_lr"].get("dna"), b["log10_lr"].get("dna")), (a, b)
        assert abs(a["posterior"] - b["posterior"]) <= 1e-5, (a, b)
    for gone in (no_longer["id"], held[2]["id"]):
        assert not any(c["missing"] == gone and c["log10_lr"].get("dna") for c in got)


def test_a_copy_changed_leaves_the_table_it_came_from_as_it_was(world):
    """Another thread may still be matching with the older table while the newer one takes
    the changes."""
    missing, _ = parse_records(world.missing, "missing")
    without = [r for r in missing if not _has_dna(r)]
    table = ReportTable(without[:60])
    before = table.match(world.found[:20], top=5)["candidates"]
    newer = table.copy()
    newer.add(without[60:])
    newer.remove([without[0]["id"]])
    newer.match(world.found[:20], top=5)
    assert table.match(world.found[:20], top=5)["candidates"] == before
    assert (len(table), len(newer)) == (60, len(without) - 1)
    seen_by_newer = newer.match(world.found[:20], top=5)["candidates"]
    third = newer.copy()  # the newest again: appends in place, into stores it shares
    third.add([dict(without[1], id="M-new")])
    assert "M-new" in third.live_ids() and "M-new" not in newer.live_ids()
    assert newer.match(world.found[:20], top=5)["candidates"] == seen_by_newer


def test_copies_that_take_families_in_turn_share_their_dna_folder_until_the_last_goes(
    world, tmp_path
):
    """As the web app does: each change on a copy of the newest table, the older ones
    dropped. The table's own DNA index lives beside the kept one, and stays while any copy
    that reads it is alive."""
    import gc

    missing, _ = parse_records(world.missing, "missing")
    with_dna = [r for r in missing if _has_dna(r)]
    without = [r for r in missing if not _has_dna(r)]
    table = ReportTable(without[:80] + with_dna[:20], dna_index=tmp_path / "dna")
    newest = table
    for family in with_dna[20:23]:
        newest = newest.copy()
        newest.add([family])
    added = [p for p in (tmp_path / "dna").iterdir() if p.name.startswith(".added-")]
    assert len(added) == 1 and newest.dna.appended == 3  # one folder, shared by the copies
    want = ReportTable(without[:80] + with_dna[:23]).match(world.found, top=5)["candidates"]
    del table
    gc.collect()
    assert added[0].is_dir()
    assert newest.match(world.found, top=5)["candidates"] == want
    last = newest.copy()
    last.add([with_dna[23]])
    del newest, last
    gc.collect()
    assert not added[0].exists()  # the last copy gone: the folder with it
