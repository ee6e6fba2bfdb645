"""`homeward face check|embed|compare` print JSON and exit 0 / 1 / 2."""

from __future__ import annotations

import json

from PIL import Image

from homeward.cli import main as homeward
from homeward.matching.face.cli import main
from tests.matching.face.photos import IMAGES, photo, side_by_side


def run(capsys, argv: list[str]) -> tuple[int, dict]:
    code = main(argv)
    return code, json.loads(capsys.readouterr().out)


def test_check_prints_an_accepted_report_for_a_good_photo(capsys, model):
    code, report = run(capsys, ["check", str(IMAGES / "grace_hopper.jpg")])

    assert code == 0
    assert report["accepted"] is True and report["reasons"] == []
    assert report["measures"]["eye_distance_px"] > 32
    assert report["landmarks"]["left_eye"][0] < report["landmarks"]["right_eye"][0]
    assert "embedding" not in report


def test_check_of_a_two_face_photo_exits_1_and_accepts_the_face_picked(capsys, tmp_path, model):
    pair = tmp_path / "pair.jpg"
    side_by_side(photo("astronaut.jpg"), photo("grace_hopper.jpg")).save(pair, quality=95)

    code, report = run(capsys, ["check", str(pair)])
    picked_code, picked = run(capsys, ["check", str(pair), "--face", "0"])

    assert code == 1 and report["reasons"][0]["code"] == "several_faces"
    assert len(report["faces"]) == 2
    assert picked_code == 0 and picked["chosen_face"] == 0


def test_embed_prints_128_numbers_and_writes_the_aligned_chip(capsys, tmp_path, model):
    chip = tmp_path / "chip.png"

    code, report = run(capsys, ["embed", str(IMAGES / "astronaut.jpg"), "--chip", str(chip)])

    assert code == 0
    assert len(report["embedding"]) == 128 and report["model"] == "dlib_resnet_v1"
    assert Image.open(chip).size == (150, 150)


def test_unreadable_file_exits_2_with_an_error(capsys, tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not a jpeg")

    code, report = run(capsys, ["check", str(bad)])

    assert code == 2 and "cannot read" in report["error"]


def test_compare_prints_distance_and_log10_lr(capsys, model):
    code, report = run(
        capsys,
        [
            "compare",
            str(IMAGES / "astronaut.jpg"),
            str(IMAGES / "grace_hopper.jpg"),
            "--years-apart",
            "0",
        ],
    )

    assert code == 0
    assert report["distance"] > 0.6 and report["log10_lr"] < 0 and report["ceiling"] > 3


def test_homeward_command_dispatches_face_to_the_engine(capsys, model):
    code = homeward(["face", "check", str(IMAGES / "astronaut.jpg")])

    assert code == 0
    assert json.loads(capsys.readouterr().out)["accepted"] is True
