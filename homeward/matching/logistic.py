"""Class-balanced logistic regression: turns a score into an honest log likelihood ratio.

Used where a sum of weights must become a likelihood ratio (`attributes.model` recalibrates
its Fellegi-Sunter total on labelled pairs with it).
"""

from __future__ import annotations

import math

import numpy as np

LN10 = math.log(10.0)


def fit_logistic(
    scores: np.ndarray, same: np.ndarray, *, iterations: int = 100
) -> tuple[float, float]:
    """Class-balanced logistic regression of `same` on `scores`, by Newton's method.

    `scores` float (n,), `same` bool (n,) with both classes present. Returns (a, b) with
    ln LR(x) = a + b * x: weighting each class to half the total makes the fitted log-odds
    the log likelihood ratio, whatever the share of same-person pairs in the sample.
    """
    x = np.asarray(scores, dtype=np.float64)
    y = np.asarray(same, dtype=bool)
    n_same, n_diff = int(y.sum()), int((~y).sum())
    if n_same == 0 or n_diff == 0:
        raise ValueError("need both same-person and different-person pairs")
    weight = np.where(y, 0.5 / n_same, 0.5 / n_diff)
    design = np.column_stack([np.ones_like(x), x])
    target = y.astype(np.float64)
    beta = np.zeros(2)
    for _ in range(iterations):
        logits = design @ beta
        p = 0.5 * (1.0 + np.tanh(0.5 * logits))  # the logistic function without overflow
        gradient = design.T @ (weight * (target - p))
        # A tiny ridge keeps Newton's step finite when the classes separate perfectly.
        hessian = (design.T * (weight * p * (1 - p))) @ design + 1e-9 * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    return float(beta[0]), float(beta[1])
