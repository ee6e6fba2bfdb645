"""The balanced logistic fit recovers a known log likelihood ratio."""

from __future__ import annotations

import numpy as np
import pytest

from homeward.matching.logistic import fit_logistic


def _pairs(ms, s, n_same, md, n_diff, seed):
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(ms, s, n_same), rng.normal(md, s, n_diff)])
    return x, np.concatenate([np.ones(n_same, bool), np.zeros(n_diff, bool)])


def test_fit_recovers_the_true_lr_of_two_equal_variance_normals():
    # For N(ms, s) vs N(md, s): ln LR(x) = (ms - md)(2x - ms - md) / (2 s^2), a straight line.
    ms, md, s = 0.4, 0.85, 0.09
    a, b = fit_logistic(*_pairs(ms, s, 20_000, md, 20_000, 1))

    assert b == pytest.approx((ms - md) / s**2, rel=0.05)
    assert a == pytest.approx(-(ms - md) * (ms + md) / (2 * s**2), rel=0.05)


def test_fit_does_not_depend_on_the_share_of_same_person_pairs():
    crossings = []
    for n_same, n_diff in ((2_000, 40_000), (40_000, 2_000)):
        a, b = fit_logistic(*_pairs(0.4, 0.09, n_same, 0.85, n_diff, 2))
        crossings.append(-a / b)

    assert crossings == pytest.approx([0.625, 0.625], abs=0.01)


def test_fit_needs_both_kinds_of_pair():
    with pytest.raises(ValueError):
        fit_logistic(np.array([0.1, 0.2]), np.array([True, True]))
