"""The face's impostor side drawn from the records at hand: real blocked pairs' best photo
distances, a ceiling the sample can vouch for, kept in the model and its version, and used by
`homeward match` and `homeward model fit` by default."""

from __future__ import annotations

import json

import numpy as np
import pytest

from homeward.cli import main as homeward_main
from homeward.matching.attributes.model import AttributeModel
from homeward.matching.attributes.records import feature_row
from homeward.matching.bulk import ReportTable
from homeward.matching.bulk_columns import encode
from homeward.matching.evidence import FaceEvidence
from homeward.matching.face.calibration import shipped_calibration
from homeward.matching.search import parse_records
from homeward.matching.world import WorldConfig, build_world, write_world


@pytest.fixture(scope="module")
def world():
    return build_world(WorldConfig(n_missing=2500, n_found=500, n_true=250, seed=12, dna=False))


def test_the_sample_is_of_blocked_pairs_best_photo_distances(world):
    missing, _ = parse_records(world.missing, "missing")
    found, _ = parse_records(world.found, "found")
    table = ReportTable(missing, model=AttributeModel.load(), evidence=("face",))
    ev = FaceEvidence(found, missing)
    assert ev.found.shape[1] == ev.missing.shape[1] == 1  # one photo a record in this world
    cols = encode([feature_row(r) for r in found], table.vocab)
    raw = {r["id"]: r for r in world.found}

    for i in np.flatnonzero(ev.found_mask[:, 0])[:5]:
        # One found person, a sample larger than its pairs: all its blocked photo pairs.
        sample = table.face_impostors([raw[found[i]["id"]]], pairs=10_000, seed=3)

        rows = table.blocked({k: v[..., i] for k, v in cols.items()})
        rows = rows[ev.missing_mask[rows, 0]]
        expected = np.linalg.norm(ev.found[i, 0] - ev.missing[rows, 0], axis=1)
        assert 0 < len(rows) < ev.missing_mask[:, 0].sum()  # blocking kept some apart
        assert np.sort(sample) == pytest.approx(np.sort(expected), abs=1e-4)

    assert len(table.face_impostors(world.found, pairs=20_000, seed=3)) == 20_000


def test_fitting_the_face_raises_the_ceiling_and_changes_the_models_version(world):
    missing, _ = parse_records(world.missing, "missing")
    model = AttributeModel.load()
    before = model.version()
    table = ReportTable(missing, model=model)

    line = table.fit_face(world.found, seed=1)

    assert line.startswith("face: impostor distances from")
    calibration = table.face.calibration
    assert calibration.impostors.n >= 100_000
    assert calibration.ceiling(0) > shipped_calibration().ceiling(0) + 0.5
    assert model.version() != before == AttributeModel.load().version()
    assert table.version == model.version()
    # The candidates carry it; a close pair of photos counts for more than the shipped bound.
    result = table.match(world.found, top=3)
    assert {c["model"] for c in result["candidates"]} == {model.version()}
    faces = [c["log10_lr"]["face"] for c in result["candidates"] if c["log10_lr"].get("face")]
    assert max(faces) > shipped_calibration().ceiling(0)


def test_too_few_photos_keep_the_shipped_impostor_measurement(world):
    missing, _ = parse_records(world.missing[:300], "missing")
    table = ReportTable(missing, model=AttributeModel.load())

    line = table.fit_face(world.found[:20], seed=1)

    assert "the shipped impostor measurement stays" in line
    assert table.face.calibration is shipped_calibration()
    assert "face_impostors" not in table.model.meta


def test_match_and_model_fit_draw_the_face_from_their_input(world, tmp_path, capsys):
    paths = write_world(world, tmp_path)
    args = ["--found", str(paths["found"]), "--missing", str(paths["missing"])]
    model_file, out = tmp_path / "model.json", tmp_path / "c.jsonl"

    assert homeward_main(["model", "fit", *args, "--out", str(model_file)]) == 0
    assert "face: impostor distances from" in capsys.readouterr().err
    saved = AttributeModel.load(model_file)
    assert saved.meta["face_impostors"]["n"] >= 100_000

    assert homeward_main(["match", *args, "--out", str(out)]) == 0
    assert "face: impostor distances from" in capsys.readouterr().err
    assert homeward_main(["match", *args, "--out", str(out), "--model", str(model_file)]) == 0
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert first["model"] == saved.version()
