"""Each intake rule rejects a real photo made to break it and accepts the good original."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageFilter

from homeward.matching.face import (
    MESSAGES,
    QualityThresholds,
    analyse_photo,
    face_distance,
    load_photo,
)
from homeward.matching.face.quality import head_turn, laplacian_variance
from tests.matching.face.photos import photo, side_by_side, turned


def codes(analysis) -> list[str]:
    return [reason.code for reason in analysis.report.reasons]


@pytest.mark.parametrize("name", ["astronaut.jpg", "grace_hopper.jpg"])
def test_good_original_is_accepted_with_an_aligned_chip_and_embedding(model, name):
    analysis = analyse_photo(photo(name), model=model)

    assert analysis.report.accepted, analysis.report.as_dict()
    assert analysis.report.chosen == 0
    assert analysis.report.chip.shape == (150, 150, 3)
    assert analysis.report.chip.dtype == np.uint8
    assert analysis.embedding.shape == (128,)
    assert analysis.embedding.dtype == np.float32


def test_photo_without_a_face_is_rejected_with_no_face(model):
    rocket_and_flag = photo("astronaut.jpg").crop((300, 0, 512, 512))

    analysis = analyse_photo(rocket_and_flag, model=model)

    assert codes(analysis) == ["no_face"]
    assert analysis.embedding is None


def test_blurred_copy_is_rejected_as_blurred(model):
    blurred = photo("astronaut.jpg").filter(ImageFilter.GaussianBlur(3))

    analysis = analyse_photo(blurred, model=model)

    assert codes(analysis) == ["blurred"]
    reason = analysis.report.reasons[0]
    assert reason.value < reason.threshold == QualityThresholds().min_sharpness


def test_dark_copy_is_rejected_as_too_dark_but_not_as_blurred(model):
    dark = Image.eval(photo("grace_hopper.jpg"), lambda v: v // 5)

    analysis = analyse_photo(dark, model=model)

    assert codes(analysis) == ["too_dark"]


def test_overexposed_copy_is_rejected_as_too_bright(model):
    bright = Image.eval(photo("grace_hopper.jpg"), lambda v: min(255, int(v * 1.6 + 60)))

    analysis = analyse_photo(bright, model=model)

    assert codes(analysis) == ["too_bright"]


def test_face_made_tiny_is_rejected_as_too_small_rather_than_missing(model):
    original = photo("grace_hopper.jpg")
    far_away = Image.new("RGB", (600, 600), (90, 110, 160))
    far_away.paste(original.resize((original.width // 5, original.height // 5)), (250, 240))

    analysis = analyse_photo(far_away, model=model)

    assert "face_too_small" in codes(analysis)
    assert analysis.report.measures["eye_distance_px"] < QualityThresholds().min_eye_distance_px


def test_two_faces_side_by_side_are_all_listed_and_none_is_chosen(model):
    pair = side_by_side(photo("astronaut.jpg"), photo("grace_hopper.jpg"))

    analysis = analyse_photo(pair, model=model)

    assert codes(analysis) == ["several_faces"]
    assert len(analysis.report.faces) == 2
    assert analysis.report.faces[0].box[0] < analysis.report.faces[1].box[0]
    assert analysis.report.chosen is None
    assert analysis.embedding is None


def test_face_picked_by_staff_in_a_two_face_photo_is_accepted_and_embedded(model):
    pair = side_by_side(photo("astronaut.jpg"), photo("grace_hopper.jpg"))
    alone = analyse_photo(photo("grace_hopper.jpg"), model=model)

    analysis = analyse_photo(pair, model=model, face_index=1)

    assert analysis.report.accepted
    assert analysis.report.chosen == 1
    assert face_distance(analysis.embedding, alone.embedding) < 0.15


def test_face_index_outside_the_photo_is_reported(model):
    analysis = analyse_photo(photo("astronaut.jpg"), model=model, face_index=3)

    assert codes(analysis) == ["face_index_invalid"]
    assert analysis.embedding is None


def test_head_turned_copy_is_rejected_as_head_turned(model):
    mirrored = photo("grace_hopper.jpg").transpose(Image.Transpose.FLIP_LEFT_RIGHT)

    analysis = analyse_photo(turned(mirrored, model), model=model)

    assert codes(analysis) == ["head_turned"]
    assert analysis.report.measures["head_turn"] > QualityThresholds().max_head_turn


def test_exif_orientation_is_applied_before_detection(model):
    upright = photo("astronaut.jpg")
    sideways = upright.rotate(90, expand=True)  # as a phone held sideways stores it
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    tagged, untagged = io.BytesIO(), io.BytesIO()
    sideways.save(tagged, "JPEG", quality=95, exif=exif)
    sideways.save(untagged, "JPEG", quality=95)

    with_tag = analyse_photo(tagged.getvalue(), model=model)
    without_tag = analyse_photo(untagged.getvalue(), model=model)

    assert with_tag.report.accepted
    assert with_tag.report.orientation == 6
    assert with_tag.report.photo_size == upright.size
    assert codes(without_tag) == ["no_face"]


def test_large_photo_is_detected_on_a_downscaled_copy_but_measured_in_full_pixels(model):
    large = photo("astronaut.jpg").resize((2048, 2048), Image.Resampling.BICUBIC)

    loaded = load_photo(large)
    analysis = analyse_photo(large, model=model)

    assert max(loaded.working.shape[:2]) == 1024 and loaded.scale == 0.5
    assert analysis.report.accepted
    assert analysis.report.measures["eye_distance_px"] > 150  # ~4x the 512-px original's 43
    assert analysis.report.faces[0].box[2] > 1000  # boxes in the full photo's pixels


def test_every_reason_carries_code_value_threshold_and_an_english_message(model):
    dark_blur = Image.eval(photo("grace_hopper.jpg"), lambda v: v // 4).filter(
        ImageFilter.GaussianBlur(4)
    )

    data = analyse_photo(dark_blur, model=model).as_dict(with_embedding=False)

    assert {r["code"] for r in data["reasons"]} == {"too_dark", "blurred"}
    for reason in data["reasons"]:
        assert set(reason) == {"code", "value", "threshold", "message"}
        assert reason["message"] and "{" not in reason["message"]


def test_every_reason_code_has_a_message_template():
    from homeward.matching.face import quality

    declared = {v for k, v in vars(quality).items() if k.isupper() and isinstance(v, str)}
    assert declared == set(MESSAGES)


def test_laplacian_variance_of_a_flat_image_is_zero_and_of_a_checkerboard_is_large():
    flat = np.full((20, 20), 7.0)
    checker = (np.indices((20, 20)).sum(axis=0) % 2) * 100.0

    assert laplacian_variance(flat) == 0
    assert laplacian_variance(checker) > 1e4


def test_head_turn_is_zero_for_a_nose_between_the_eyes_and_grows_as_it_moves_aside():
    from homeward.matching.face.model import Landmarks

    def marks(nose_x: float) -> Landmarks:
        return Landmarks((40.0, 50.0), (80.0, 50.0), (nose_x, 75.0), np.zeros((5, 2)))

    assert head_turn(marks(60.0)) == 0
    assert head_turn(marks(68.0)) == pytest.approx(0.2)
    assert head_turn(marks(52.0)) == pytest.approx(0.2)
