"""Distance -> likelihood ratio: fitted honestly, monotone, weaker across the years."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeward.matching.face import fit_curve, shipped_calibration
from homeward.matching.face.calibration import (
    dump_calibration,
    fit_logistic,
    fit_shipped,
    load_calibration,
    pseudo_pairs,
)


def test_fit_recovers_the_true_lr_of_two_equal_variance_normals():
    # For N(ms, s) vs N(md, s): ln LR(d) = (ms - md)(2d - ms - md) / (2 s^2), a straight line.
    ms, md, s = 0.4, 0.85, 0.09
    distances, same = pseudo_pairs(ms, s, 20_000, md, s, 20_000, np.random.default_rng(1))

    a, b = fit_logistic(distances, same)

    assert b == pytest.approx((ms - md) / s**2, rel=0.05)
    assert a == pytest.approx(-(ms - md) * (ms + md) / (2 * s**2), rel=0.05)


def test_fit_does_not_depend_on_the_share_of_same_person_pairs():
    rng = np.random.default_rng(2)
    few_same = pseudo_pairs(0.4, 0.09, 2_000, 0.85, 0.09, 40_000, rng)
    many_same = pseudo_pairs(0.4, 0.09, 40_000, 0.85, 0.09, 2_000, rng)

    crossing = [
        fit_curve(*pairs, floor=-9, ceiling=9).distance_at(0) for pairs in (few_same, many_same)
    ]

    assert crossing[0] == pytest.approx(0.625, abs=0.01)
    assert crossing[1] == pytest.approx(0.625, abs=0.01)


def test_fit_refuses_pairs_where_the_same_person_is_farther():
    distances, same = pseudo_pairs(0.9, 0.05, 100, 0.4, 0.05, 100, np.random.default_rng(3))

    with pytest.raises(ValueError):
        fit_curve(distances, same, floor=-3, ceiling=3)


@given(
    st.floats(0, 2, allow_nan=False),
    st.floats(0, 2, allow_nan=False),
    st.one_of(st.none(), st.floats(0, 60)),
)
def test_shipped_lr_never_rises_with_distance(d1, d2, years):
    calibration = shipped_calibration()
    near, far = sorted((d1, d2))

    assert calibration.log10_lr(near, years) >= calibration.log10_lr(far, years)


def test_shipped_curves_are_clipped_and_cross_even_odds_near_dlibs_threshold():
    calibration = shipped_calibration()

    assert calibration.log10_lr(0.0, 0) == calibration.same_era.ceiling == 3
    assert calibration.log10_lr(2.0, 0) == calibration.same_era.floor == -3
    assert 0.55 < calibration.same_era.distance_at(0) < 0.65


def test_photos_many_years_apart_or_undated_get_the_weaker_curve():
    calibration = shipped_calibration()
    strong, weak = calibration.same_era, calibration.years_apart

    assert calibration.curve_for(2) is strong
    assert calibration.curve_for(15) is weak and calibration.curve_for(None) is weak
    assert weak.ceiling < strong.ceiling and weak.floor > strong.floor
    assert abs(weak.slope) < abs(strong.slope)
    # The same-person distances drift with age, so a middling distance still favours "same".
    assert calibration.log10_lr(0.65, 20) > 0 > calibration.log10_lr(0.65, 0)


def test_shipped_file_is_exactly_what_the_documented_fit_produces(tmp_path):
    shipped = tmp_path / "refit.json"
    shipped.write_text(dump_calibration(fit_shipped()))

    refit, ship = load_calibration(shipped), shipped_calibration()
    for name in ("same_era", "years_apart"):
        mine, theirs = getattr(refit, name), getattr(ship, name)
        assert (mine.intercept, mine.slope) == pytest.approx((theirs.intercept, theirs.slope))
        assert (mine.floor, mine.ceiling, mine.fitted_on) == (
            theirs.floor,
            theirs.ceiling,
            theirs.fitted_on,
        )
    assert refit.min_years_apart == ship.min_years_apart
    assert "109 public photos" in shipped_calibration().same_era.fitted_on


def test_lr_of_a_curve_is_ten_to_the_line():
    calibration = shipped_calibration()
    curve = calibration.same_era
    d = curve.distance_at(1.0)

    assert calibration.log10_lr(d, 0) == pytest.approx(1.0)
    assert math.isclose(10 ** curve.log10_lr(d), 10.0)
