"""Distance -> likelihood ratio: a ratio of densities, monotone, weaker across the years, and
never stronger than the impostor sample behind it can vouch for."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeward.matching.face import shipped_calibration
from homeward.matching.face.calibration import (
    CALIBRATION_FILE,
    Impostors,
    for_model,
    load_calibration,
)


def _log10_normal(x: float, mean: float, sd: float) -> float:
    return (-0.5 * ((x - mean) / sd) ** 2 - math.log(sd * math.sqrt(2 * math.pi))) / math.log(10)


def test_between_the_bounds_the_lr_is_the_ratio_of_the_two_densities():
    c = shipped_calibration()
    g, imp = c.genuine, c.impostors
    for d in (0.55, 0.6):  # on the grid, inside floor and ceiling
        expected = _log10_normal(d, g.mean, g.sd) - _log10_normal(d, imp.mean, imp.sd)
        assert c.log10_lr(d, 0) == pytest.approx(expected, abs=1e-9)
    # Photos 20 years apart: the same-person distances have moved out and spread.
    mean, sd = g.mean + 20 * g.drift, g.sd + 20 * g.spread
    expected = _log10_normal(0.7, mean, sd) - _log10_normal(0.7, imp.mean, imp.sd)
    assert c.log10_lr(0.7, 20) == pytest.approx(expected, abs=1e-9)


def test_the_shipped_ceiling_is_what_5656_measured_impostor_pairs_can_vouch_for():
    c = shipped_calibration()

    # None of 5,656 different-person pairs was below 0.52, so impostors come that near at most
    # 3 in 5,656 times (95%); same-era same-person pairs are below 0.52 about 92% of the time.
    share = 0.5 * math.erfc(-(0.52 - 0.408) / 0.081 / math.sqrt(2))
    assert c.ceiling(0) == pytest.approx(math.log10(share * 5656 / 3), abs=0.02)
    assert c.log10_lr(0.3, 0) == c.log10_lr(0.0, 0) == pytest.approx(c.ceiling(0))
    # The floor: 230 same-person pairs cannot say the same person is rarer than 3 in 230.
    assert c.log10_lr(1.2, 0) == pytest.approx(math.log10(3 / 230))


def test_a_large_impostor_sample_lets_a_close_face_outweigh_an_attribute_coincidence():
    # 500,000 impostor pairs of the records at hand, none nearer than 0.5 (a clean world).
    rng = np.random.default_rng(7)
    sample = np.clip(rng.normal(0.87, 0.09, 500_000), 0.5, None)
    c = shipped_calibration().with_impostors(Impostors.from_distances(sample, "test"))

    # A county coincidence counts about 10^3 in the shipped attribute model (place, same county).
    assert c.log10_lr(0.40, 0) > 4.0 > shipped_calibration().log10_lr(0.40, 0)
    assert c.log10_lr(0.44, 2) > 3.5
    # The bound still holds: log10(P(D <= 0.5 | same) x 500,000 / 3) at most.
    assert c.ceiling(0) <= math.log10(500_000 / 3) + 1e-9


def test_true_pairs_hidden_in_the_sample_only_lower_the_ceiling():
    rng = np.random.default_rng(8)
    clean = np.clip(rng.normal(0.87, 0.09, 200_000), 0.5, None)
    # Some same-person pairs among the random ones: they look like near impostors.
    dirty = np.concatenate([clean, rng.normal(0.41, 0.08, 40)])
    base = shipped_calibration()

    with_clean = base.with_impostors(Impostors.from_distances(clean, "clean"))
    with_dirty = base.with_impostors(Impostors.from_distances(dirty, "dirty"))

    assert with_dirty.ceiling(0) < with_clean.ceiling(0)
    # The density's impostor normal is a median and MAD: 40 in 200,000 do not move it.
    assert with_dirty.impostors.mean == pytest.approx(with_clean.impostors.mean, abs=1e-3)


@given(
    st.floats(0, 2, allow_nan=False),
    st.floats(0, 2, allow_nan=False),
    st.one_of(st.none(), st.floats(0, 60)),
)
def test_shipped_lr_never_rises_with_distance(d1, d2, years):
    calibration = shipped_calibration()
    near, far = sorted((d1, d2))

    assert calibration.log10_lr(near, years) >= calibration.log10_lr(far, years) - 1e-12


@given(st.floats(0, 1.5, allow_nan=False))
def test_photos_years_apart_are_weaker_at_their_best_and_kinder_at_middling_distances(d):
    c = shipped_calibration()

    assert c.log10_lr(d, 20) <= c.ceiling(20) <= c.ceiling(0)
    assert c.ceiling(None) == c.ceiling(c.genuine.unknown_years)  # undated: the weak case


def test_same_era_even_odds_sit_near_dlibs_threshold_and_move_out_with_the_years():
    c = shipped_calibration()

    assert 0.58 < c.distance_at(0.0, 0) < 0.66
    assert c.distance_at(0.0, 0) < c.distance_at(0.0, 10) < c.distance_at(0.0, 20)
    # The same-person distances drift with age, so a middling distance still favours "same".
    assert c.log10_lr(0.65, 20) > 0 > c.log10_lr(0.65, 0)


def test_arrays_and_single_pairs_agree_and_unknown_years_read_as_the_undated_case():
    c = shipped_calibration()
    d = np.array([0.2, 0.45, 0.58, 0.61, 0.7, 1.3])
    y = np.array([0.0, 3.4, np.nan, 12.0, 45.0, np.nan])

    many = c.log10_lrs(d, y)

    single = [c.log10_lr(a, None if math.isnan(b) else b) for a, b in zip(d, y, strict=True)]
    assert many == pytest.approx(single)
    assert c.log10_lr(0.6, None) == c.log10_lr(0.6, c.genuine.unknown_years)


def test_a_models_meta_brings_its_impostor_sample_and_the_file_round_trips():
    sample = Impostors.from_distances(np.linspace(0.55, 1.2, 10_000), "ten thousand")
    from dataclasses import asdict

    fitted = for_model({"face_impostors": asdict(sample)})

    assert fitted.impostors == sample and fitted.genuine == shipped_calibration().genuine
    assert for_model({}) is shipped_calibration()
    assert load_calibration(CALIBRATION_FILE).as_dict() == shipped_calibration().as_dict()
