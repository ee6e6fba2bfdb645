import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeward.matching.attributes.comparisons import COMPARISONS, reference_level
from homeward.matching.attributes.model import AGE_SLACK, AttributeModel, passes_blocking
from homeward.matching.attributes.records import feature_row, parse_found, parse_missing
from homeward.matching.world import WorldConfig, build_world

NAMES = ["李明华", "李铭华", "明华", "李", "張偉", "张伟", "臧伟", "伟张", "王强", None]
DIVS = ["41", "4101", "410102", "410105", "320500", "130402", "650102", None]
MARKS = [[], ["scar:head"], ["scar:head", "mole:face"], ["scar:back"], ["burn:chest"]]
CONDS = [[], ["dementia"], ["intellectual_disability"], ["none_observed"]]


def hand_model() -> AttributeModel:
    """Every level gets its own weight, so a level is recognisable from the weight."""
    probs = {}
    for comp in COMPARISONS:
        k = len(comp.levels) - 1
        probs[comp.name] = [((k - i) / (k + 1), (i + 1) / (k + 1) / 3) for i in range(k)]
    return AttributeModel.from_probabilities(probs)


found_records = st.builds(
    lambda i, sex, lo, span, name, dial, div, day, h, marks, cond: {
        "id": f"F-{i}",
        "sex": sex,
        "age_estimate": [lo, lo + span],
        "name": name,
        "dialect_division": dial,
        "found_division": div,
        "found_date": day,
        "height_cm": h,
        "marks": marks,
        "conditions": cond,
    },
    st.integers(0, 10**6),
    st.sampled_from("MFU"),
    st.integers(2, 80),
    st.integers(0, 10),
    st.sampled_from(NAMES),
    st.sampled_from(DIVS),
    st.sampled_from(DIVS),
    st.sampled_from(["2019", "2020-03", "2021-06-01", "2024-11-30", None]),
    st.sampled_from([None, 150, 165, 171, 180]),
    st.sampled_from(MARKS),
    st.sampled_from(CONDS),
)
missing_records = st.builds(
    lambda i, sex, birth, name, aliases, home, div, day, h, marks, cond: {
        "id": f"M-{i}",
        "sex": sex,
        "birth_date": birth,
        "name": name,
        "aliases": aliases,
        "home_division": home,
        "lost_division": div,
        "lost_date": day,
        "height_cm": h,
        "marks": marks,
        "conditions": cond,
    },
    st.integers(0, 10**6),
    st.sampled_from("MFU"),
    st.sampled_from(["1950", "1975-05", "1988-02-03", "1990", "2010-07", None]),
    st.sampled_from(NAMES),
    st.sampled_from([[], ["王小强"], ["明李"]]),
    st.sampled_from(DIVS),
    st.sampled_from(DIVS),
    st.sampled_from(["2015-01-01", "2020", "2021-06-01", None]),
    st.sampled_from([None, 150, 168, 172, 185]),
    st.sampled_from(MARKS),
    st.sampled_from(CONDS),
)


def unique_ids(records):
    for i, rec in enumerate(records):
        rec["id"] = f"{rec['id'][0]}-{i}"
    return records


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(found_records, min_size=1, max_size=25).map(unique_ids),
    st.lists(missing_records, min_size=1, max_size=25).map(unique_ids),
)
def test_splink_sql_levels_and_blocking_agree_with_the_python_reference(fs, ms):
    model = hand_model()
    f_rows = [feature_row(parse_found(r)) for r in fs]
    m_rows = [feature_row(parse_missing(r)) for r in ms]
    scored = model.score(f_rows, m_rows)
    got = {(int(a), int(b)) for a, b in zip(scored.found, scored.missing, strict=True)}
    want = {
        (i, j) for i, a in enumerate(f_rows) for j, b in enumerate(m_rows) if passes_blocking(a, b)
    }
    assert got == want
    for k, (i, j) in enumerate(zip(scored.found, scored.missing, strict=True)):
        for c, comp in enumerate(COMPARISONS):
            level = reference_level(comp, f_rows[i], m_rows[j])
            expected = model.weights[comp.name][level]
            assert scored.log10_bf[k, c] == pytest.approx(expected, abs=1e-5), (comp.name, i, j)


def test_blocking_keeps_every_true_pair_that_shares_sex_and_a_plausible_age():
    world = build_world(
        WorldConfig(n_missing=600, n_found=150, n_true=100, seed=7, faces=False, dna=False)
    )
    found = {r["id"]: feature_row(parse_found(r)) for r in world.found}
    missing = {r["id"]: feature_row(parse_missing(r)) for r in world.missing}
    pairs = [(found[f], missing[m]) for f, m in world.truth.items()]
    kept = [passes_blocking(a, b) for a, b in pairs]
    eligible = [
        (a["sex"] is None or b["sex"] is None or a["sex"] == b["sex"])
        and max(a["by_lo"] - b["by_hi"], b["by_lo"] - a["by_hi"]) <= AGE_SLACK
        for a, b in pairs
    ]
    assert kept == eligible
    assert sum(kept) / len(kept) >= 0.97  # the world's age estimates are rarely that far off


def test_a_saved_model_loads_with_the_same_weights_and_refuses_other_versions(tmp_path):
    model = hand_model()
    path = tmp_path / "model.json"
    model.save(path)
    again = AttributeModel.load(path)
    for name, w in model.weights.items():
        np.testing.assert_allclose(again.weights[name], w)
    data = json.loads(path.read_text())
    data["version"] = 999
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="version"):
        AttributeModel.load(path)
    data["version"] = 1
    data["comparisons_hash"] = "0" * 16
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="other comparisons"):
        AttributeModel.load(path)


def test_the_shipped_model_loads_and_weighs_an_exact_name_above_a_different_one():
    model = AttributeModel.load()
    w = model.weights["name"]
    assert w[1] > 2 and w[-1] < 0
    assert model.meta["recalibration"]["slope"] > 0
    assert math.isfinite(model.meta["recalibration"]["intercept"])


def test_training_by_em_and_labels_learns_that_same_names_are_evidence():
    world = build_world(
        WorldConfig(n_missing=1200, n_found=300, n_true=150, seed=5, faces=False, dna=False)
    )
    f_rows = [feature_row(parse_found(r)) for r in world.found]
    m_rows = [feature_row(parse_missing(r)) for r in world.missing]
    model = AttributeModel.train(f_rows, m_rows, labels=sorted(world.truth.items()))
    assert model.weights["name"][1] > 1.5
    assert model.weights["dates"][1] < -1  # found before lost, fixed m
    assert model.meta["labels"] == 150


def _level(m, u, label="x", null=False):
    out = {"label_for_charts": label, "m_probability": m, "u_probability": u}
    if null:
        out["is_null_level"] = True
    return out


def test_a_closer_level_never_seen_in_training_weighs_what_the_next_looser_one_weighs():
    from homeward.matching.attributes.model import neutralise_untrained

    home = {
        "output_column_name": "home",
        "comparison_levels": [
            _level(None, None, "unknown", null=True),
            _level(None, None, "same county"),  # never seen: an ID number's birthplace
            _level(0.3, 0.01, "same city"),
            _level(0.2, 0.1, "same province"),
            _level(None, 0.5, "else"),
        ],
    }
    name = {  # not an ordered comparison: a level never seen stays neutral
        "output_column_name": "name",
        "comparison_levels": [_level(None, None, "same characters"), _level(0.5, 0.01, "else")],
    }
    settings = {"comparisons": [home, name]}
    neutralise_untrained(settings)
    county, city, province, other = home["comparison_levels"][1:]
    assert county["m_probability"] / county["u_probability"] == pytest.approx(30.0)
    assert (city["m_probability"], city["u_probability"]) == (0.3, 0.01)
    assert other["m_probability"] == other["u_probability"] == 0.5  # weight 0
    assert name["comparison_levels"][0]["m_probability"] == 0.5  # m = u
    # A looser level that counts against the pair is not handed down: the closer one is 0.
    home["comparison_levels"][1] = _level(None, None, "same county")
    home["comparison_levels"][2] = _level(0.01, 0.3, "same city")
    neutralise_untrained(settings)
    county = home["comparison_levels"][1]
    assert county["m_probability"] == county["u_probability"]


def test_in_the_shipped_model_a_closer_home_or_place_never_weighs_less():
    model = AttributeModel.load()
    for field in ("home", "place"):
        weights = model.weights[field][1:-1]  # past the unknown level, before else
        assert np.all(np.diff(weights) <= 1e-9), (field, weights)
