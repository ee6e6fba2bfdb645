"""The world generator's noise settings do what they say (the sweep draws worlds with them),
and the default settings draw the very world the benchmarks were measured on."""

from __future__ import annotations

import numpy as np

from homeward.matching.attributes.names import name_features
from homeward.matching.world import Noise, WorldConfig, build_world

SMALL = {"n_missing": 600, "n_found": 300, "n_true": 300, "faces": False, "dna": False}


def _pairs(world):
    missing = {r["id"]: r for r in world.missing}
    return [(f, missing[world.truth[f["id"]]]) for f in world.found if f["id"] in world.truth]


def test_clean_intake_writes_every_name_and_sex_right():
    noise = Noise(name_exact=1.0, swapped_share=0.0, name_unknown_scale=0.0, sex_unknown=0.0)
    world = build_world(WorldConfig(**SMALL, seed=1, noise=noise))
    pairs = _pairs(world)
    assert pairs and all(f["name"] == m["name"] for f, m in pairs)
    assert all(f["sex"] == m["sex"] for f, m in pairs)


def test_swapped_names_and_wrong_sexes_appear_at_their_rates():
    noise = Noise(name_exact=0.0, swapped_share=1.0, name_unknown_scale=0.0, sex_wrong=1.0,
                  sex_unknown=0.0)  # fmt: skip
    world = build_world(WorldConfig(**SMALL, seed=2, noise=noise))
    pairs = _pairs(world)
    swapped = [
        name_features(f["name"]).sorted_py == name_features(m["name"]).sorted_py
        and f["name"] != m["name"]
        for f, m in pairs
    ]
    assert np.mean(swapped) > 0.95
    assert all(f["sex"] != m["sex"] for f, m in pairs)


def test_people_found_where_they_were_lost_or_anywhere():
    near = build_world(WorldConfig(**SMALL, seed=3, noise=Noise(found_same_county=1.0)))
    assert all(f["found_division"] == m["lost_division"] for f, m in _pairs(near))
    far = build_world(
        WorldConfig(
            **SMALL,
            seed=3,
            noise=Noise(found_same_county=0.0, found_same_city=0.0, found_same_province=0.0),
        )  # fmt: skip
    )
    same = np.mean([f["found_division"][:2] == m["lost_division"][:2] for f, m in _pairs(far)])
    assert same < 0.2


def test_drawn_settings_vary_and_repeat_from_their_seed():
    a = Noise.draw(np.random.default_rng(7))
    assert a == Noise.draw(np.random.default_rng(7)) != Noise.draw(np.random.default_rng(8))
    assert 0.0 <= a.found_same_county + a.found_same_city + a.found_same_province <= 1.0


def test_a_clerk_copies_look_alike_characters_at_their_rate():
    from homeward.matching.attributes.names import LOOKALIKE, shape_key
    from homeward.matching.world_noise import noisy_name

    rng = np.random.default_rng(3)
    said = [
        noisy_name(rng, "李", "明", 0.0, exact=1.0, swapped=0.0, lookalike=0.3) for _ in range(2000)
    ]
    changed = [name for name in said if name != "李明"]
    assert 0.25 < len(changed) / len(said) < 0.35
    assert all(shape_key(name) == "李明" for name in changed)  # only look-alikes
    assert {"季明", "李朋"} <= set(changed)
    # A name without such characters stays as it was; without the setting nothing changes.
    assert "张" not in LOOKALIKE and "刚" not in LOOKALIKE
    rng = np.random.default_rng(3)
    assert {
        noisy_name(rng, "张", "刚", 0.0, exact=1.0, swapped=0.0, lookalike=0.3) for _ in range(50)
    } == {"张刚"}
    assert {noisy_name(rng, "李", "明", 0.0, exact=1.0, swapped=0.0) for _ in range(50)} == {"李明"}
