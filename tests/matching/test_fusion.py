import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeward.matching import fusion

logs = st.one_of(st.none(), st.floats(-8, 8))


@given(st.integers(1, 100_000), st.floats(0.05, 1.0), logs, logs, logs)
def test_the_posterior_is_prior_odds_times_the_product_of_the_parts(pool, has, a, f, d):
    prior = fusion.Prior(has)
    lo = float(prior.log10_odds(pool))
    parts = {"attributes": a, "face": f, "dna": d}
    cand = fusion.candidate(
        "F-1", "M-1", 1, lo, {k: math.nan if v is None else v for k, v in parts.items()}
    )
    p0 = min(has / pool, 1 - 1e-12)
    expected = fusion.posterior_reference(
        p0, [None if v is None else 10.0**v for v in parts.values()]
    )
    assert cand["posterior"] == pytest.approx(expected, abs=2e-6)
    assert cand["log10_lr"]["total"] == pytest.approx(
        sum(v for v in parts.values() if v is not None), abs=1e-3
    )


def test_absent_evidence_is_null_in_the_candidate_and_counts_zero():
    cand = fusion.candidate(
        "F-1",
        "M-9",
        2,
        -3.0,
        {"attributes": 2.0, "face": math.nan, "dna": math.nan},
        calibration=fusion.IDENTITY,
    )
    assert cand["log10_lr"] == {"attributes": 2.0, "face": None, "dna": None, "total": 2.0}
    assert cand["rank"] == 2 and cand["found"] == "F-1" and cand["missing"] == "M-9"
    assert cand["posterior"] == pytest.approx(10**-1 / (1 + 10**-1), abs=1e-6)


def test_the_prior_is_one_match_among_the_reports_searched():
    prior = fusion.Prior(has_report=0.5)
    odds = prior.log10_odds(np.array([1, 1000]))
    assert odds[0] == pytest.approx(0.0, abs=1e-6)  # one report, even chances
    assert odds[1] == pytest.approx(math.log10(0.0005 / 0.9995))


def test_fusion_multiplies_independent_evidence_vectorised():
    a, f, d = np.array([1.0, np.nan]), np.array([2.0, 0.5]), np.array([np.nan, np.nan])
    np.testing.assert_allclose(fusion.total_log10_lr(a, f, d), [3.0, 0.5])
    np.testing.assert_allclose(
        fusion.posterior(np.array([-3.0, 0.0]), np.array([3.0, 0.0]), fusion.IDENTITY), [0.5, 0.5]
    )


def test_without_calibration_the_posterior_is_the_bare_product_of_odds():
    cand = fusion.candidate(
        "F-1",
        "M-1",
        1,
        -3.0,
        {"attributes": 2.0, "face": 1.5, "dna": math.nan},
        calibration=fusion.IDENTITY,
    )
    assert cand["posterior"] == pytest.approx(10**0.5 / (1 + 10**0.5), abs=1e-6)


def test_the_shipped_calibration_maps_the_products_log_odds_as_its_file_says():
    import json

    data = json.loads(fusion.CALIBRATION_FILE.read_text(encoding="utf-8"))
    assert "fitted_on" in data and data["slope"] > 0  # monotone: ranks never change
    odds = np.array([-4.0, -1.0, 0.0, 2.0])
    got = fusion.posterior(odds, np.zeros(4))
    z = data["intercept"] + data["slope"] * odds
    np.testing.assert_allclose(got, 1 / (1 + 10**-z))
    assert np.all(np.diff(got) > 0)
    # The candidate keeps the parts and their product as they were.
    cand = fusion.candidate("F-1", "M-1", 1, -1.0, {"attributes": 1.0, "face": 0.0, "dna": 0.0})
    assert cand["log10_lr"]["total"] == 1.0 and cand["prior_log10_odds"] == -1.0
    assert cand["posterior"] == pytest.approx(1 / (1 + 10 ** -data["intercept"]), abs=1e-6)


def _rivals_by_hand(prior: fusion.Prior, totals: list[float]) -> list[float]:
    """The rivals term from its definition, one pair at a time, in Python floats."""
    pi = min(prior.has_report / len(totals), 1 - 1e-12)
    out = []
    for i in range(len(totals)):
        rest = sum(pi * 10.0**t for j, t in enumerate(totals) if j != i)
        out.append(math.log10((rest + 1 - prior.has_report) / (1 - pi)))
    return out


@given(
    st.lists(st.floats(-12, 12), min_size=1, max_size=30),
    st.floats(0.05, 0.95),
)
def test_the_rivals_are_the_other_reports_weight_against_a_neutral_field(totals, has):
    prior = fusion.Prior(has)
    got = prior.rivals(np.array(totals))
    np.testing.assert_allclose(got, _rivals_by_hand(prior, totals), atol=1e-9)


@given(
    st.lists(st.floats(-40, 40), min_size=1, max_size=40),
    st.floats(0.05, 0.95),
)
def test_the_pool_posteriors_of_a_found_person_and_none_of_them_sum_to_one(totals, has):
    """Without calibration the posterior is the many-hypotheses one: exactly one of the
    reports is theirs, or none is (probability 1 - has_report a priori)."""
    prior = fusion.Prior(has)
    total = np.array(totals)
    lo = prior.log10_odds(len(total))
    post = fusion.posterior(lo - prior.rivals(total), total, fusion.IDENTITY)
    pi = has / len(total)
    weights = [pi * 10.0**t for t in totals]
    none = (1 - has) / (sum(weights) + 1 - has)
    assert float(post.sum()) + none == pytest.approx(1.0, abs=1e-9)
    assert np.all(np.isfinite(post))


def test_rivals_are_worked_out_within_each_found_person():
    prior = fusion.Prior(0.5)
    total = np.array([1.0, 2.0, 3.0, 0.0, 5.0])
    group = np.array([7, 7, 2, 2, 9])
    got = prior.rivals(total, group)
    np.testing.assert_allclose(got[:2], _rivals_by_hand(prior, [1.0, 2.0]), atol=1e-12)
    np.testing.assert_allclose(got[2:4], _rivals_by_hand(prior, [3.0, 0.0]), atol=1e-12)
    np.testing.assert_allclose(got[4:], _rivals_by_hand(prior, [5.0]), atol=1e-12)


def test_a_chance_dna_hit_shares_its_posterior_with_a_better_supported_report():
    """A found person compared with 5,000 reports: an unrelated family's lone DNA index
    of 10^4.2 would read 'likely' on its own, but beside the true report backed by a face
    and what is known (10^6 together) it is the second, and unlikely."""
    prior = fusion.Prior(0.5)
    pool = 5_000
    total = np.zeros(pool)
    total[0], total[1] = 4.2, 6.0
    lo = prior.log10_odds(pool)
    alone = fusion.posterior(lo + np.array([4.2]), np.zeros(1), fusion.IDENTITY)[0]
    post = fusion.posterior(lo - prior.rivals(total), total, fusion.IDENTITY)
    assert alone > 0.5
    assert post[1] > 0.9 and post[0] < 0.05
    # Two families both at 10^4.2 and nothing else: neither is called more likely than not.
    total[1] = 4.2
    post = fusion.posterior(lo - prior.rivals(total), total, fusion.IDENTITY)
    assert post[0] == pytest.approx(post[1]) and post[0] < 0.5


def test_the_candidate_carries_its_rivals_and_its_posterior_counts_them():
    cand = fusion.candidate(
        "F-1",
        "M-1",
        1,
        -3.0,
        {"attributes": 2.0, "face": 1.5, "dna": math.nan},
        calibration=fusion.IDENTITY,
        rivals=1.0,
    )
    assert cand["rivals_log10"] == 1.0
    assert cand["posterior"] == pytest.approx(10**-0.5 / (1 + 10**-0.5), abs=1e-6)


def _rivals_decimal(has: float, totals: list[float]) -> list[float]:
    """The definition in 60-digit decimals: no overflow, no cancellation."""
    from decimal import Decimal, getcontext

    getcontext().prec = 60
    pi = min(Decimal(has) / len(totals), 1 - Decimal("1e-12"))
    weights = [pi * Decimal(10) ** Decimal(t) for t in totals]
    none = 1 - Decimal(has)
    out = []
    for i in range(len(totals)):
        rest = sum(weights[:i] + weights[i + 1 :], Decimal(0)) + none
        out.append(float((rest / (1 - pi)).log10()) if rest > 0 else -math.inf)
    return out


@given(
    st.lists(st.floats(-400, 400), min_size=1, max_size=12),
    st.lists(st.integers(0, 2), min_size=12, max_size=12),
    st.floats(0.05, 1.0),
)
def test_rivals_hold_for_overwhelming_evidence_and_many_found_people(totals, groups, has):
    """Evidence far beyond what floats hold as odds (10^400) and a report certain to be
    among those searched (has_report 1) still give finite rivals, within each found person."""
    prior = fusion.Prior(has)
    group = np.array(groups[: len(totals)])
    got = prior.rivals(np.array(totals), group)
    assert np.all(np.isfinite(got))
    for g in set(group.tolist()):
        members = [t for t, k in zip(totals, group, strict=True) if k == g]
        want = _rivals_decimal(has, members)
        alone = prior.rivals(np.array(members))  # one found person: the ungrouped sums
        np.testing.assert_allclose(alone, got[group == g], atol=1e-9)
        for a, b in zip(got[group == g], want, strict=True):
            if math.isfinite(b):
                assert a == pytest.approx(b, abs=1e-9)
            else:
                assert a < -250  # nothing else can explain them: as low as floats go
