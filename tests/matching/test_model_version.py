"""The attribute model's version names exactly its weights: the same weights read twice give
one version, any change of a weight another; every candidate carries it."""

from __future__ import annotations

import copy

from homeward.matching.attributes.model import AttributeModel
from homeward.matching.search import match_records


def test_the_version_changes_with_any_weight_and_only_then():
    model = AttributeModel.load()
    assert AttributeModel.load().version() == model.version()
    settings = copy.deepcopy(model.settings)
    level = next(
        lv
        for c in settings["comparisons"]
        for lv in c["comparison_levels"]
        if lv.get("m_probability") is not None
    )
    level["m_probability"] = level["m_probability"] * 0.9
    assert AttributeModel(settings, model.meta).version() != model.version()


def test_each_candidate_names_the_model_that_scored_it():
    found = {"kind": "found", "id": "F-1", "sex": "M", "name": "李明"}
    report = {"kind": "missing", "id": "M-1", "sex": "M", "name": "李明"}
    got = match_records([found], [report]).candidates
    assert got and got[0]["model"] == AttributeModel.load().version()
