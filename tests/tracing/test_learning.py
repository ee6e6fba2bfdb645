"""The web app fits the attribute model to its own records (nightly, or `homeward
refit_model`), with completed reunions as labels; the search then scores with it and every
candidate records its version. Too little data keeps the shipped model and says so."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import call_command

from homeward.matching.attributes.model import AttributeModel
from homeward.tracing import matcher
from homeward.tracing.models import Candidate
from homeward.tracing.services import relink_all
from tests.cases.conftest import admit
from tests.tracing.conftest import staff_report

NAMES = [
    "王伟",
    "李娜",
    "张敏",
    "刘洋",
    "陈静",
    "杨帆",
    "赵磊",
    "黄婷",
    "周杰",
    "吴昊",
    "徐丽",
    "孙强",
]


@pytest.fixture
def model_file(settings, tmp_path):
    settings.ATTRIBUTE_MODEL_FILE = tmp_path / "attribute-model.json"
    return settings.ATTRIBUTE_MODEL_FILE


def test_too_little_data_keeps_the_shipped_model_and_says_so(model_file, suzhou, desk, tracer):
    admit(suzhou, desk, name="王伟")
    out = io.StringIO()
    call_command("refit_model", stdout=out)
    assert "kept" in out.getvalue() and "too few records" in out.getvalue()
    assert not model_file.exists()
    fit = json.loads(model_file.with_name("attribute-model-fit.json").read_text("utf-8"))
    assert fit["status"] == "kept"


def test_a_refit_on_this_sites_records_is_used_by_the_search(
    model_file, settings, suzhou, desk, tracer
):
    settings.ATTRIBUTE_FIT_MIN_FOUND, settings.ATTRIBUTE_FIT_MIN_MISSING = 10, 20
    for k, name in enumerate(NAMES):
        admit(suzhou, desk, name=name, age_estimate_min=30 + k, age_estimate_max=40 + k)
    for k in range(24):
        staff_report(
            tracer,
            name=NAMES[k % len(NAMES)] if k % 2 else f"路人{k}",
            birth_date=date(1980 + k % 10, 1, 1),
            contact_phone=f"139000{k:05d}",
        )
    out = io.StringIO()
    call_command("refit_model", stdout=out)
    assert "attribute model: fitted" in out.getvalue(), out.getvalue()
    # Too few photos here for the face's impostor side: the shipped measurement stays.
    assert "the shipped impostor measurement stays" in out.getvalue()
    fitted = AttributeModel.load(model_file)
    assert fitted.version() != AttributeModel.load().version()
    assert matcher.current_model().version() == fitted.version()
    relink_all()
    versions = set(Candidate.objects.values_list("model_version", flat=True))
    assert versions == {fitted.version()}


def test_a_site_model_saved_for_other_comparisons_gives_way_to_the_shipped_one(model_file, caplog):
    """After an upgrade that adds a comparison level, the search keeps working on the
    shipped model (and says why) until the nightly refit writes a new site model."""
    data = AttributeModel.load().to_json()
    data["comparisons_hash"] = "0" * 16  # saved by an earlier release
    model_file.write_text(json.dumps(data), encoding="utf-8")
    with caplog.at_level("WARNING", logger="homeward.tracing.matcher"):
        model = matcher.current_model()
    assert model.version() == AttributeModel.load().version()
    assert "site model not used" in caplog.text and "retrain" in caplog.text
