"""`homeward match` on the exported records gives the candidates the web app found."""

from __future__ import annotations

import json

import pytest

from homeward.matching.cli import main as match_main
from homeward.tracing import matcher
from homeward.tracing.models import Candidate
from tests.cases.conftest import admit
from tests.tracing.conftest import face_file, staff_report


def test_the_batch_matcher_and_the_app_agree_on_the_same_records(
    tmp_path, suzhou, desk, tracer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        staff_report(tracer)
        staff_report(tracer, name="李明亮", contact_phone="13700000003")
        staff_report(
            tracer,
            name="张三",
            birth_date=None,
            contact_phone="13700000004",
            photos=[(face_file("obama.jpg"), 2009)],
        )
        admit(suzhou, desk, name="李明", age_estimate_min=60, age_estimate_max=66)
        admit(suzhou, desk, name="赵大", age_estimate_min=30, age_estimate_max=40)
    in_app = {
        (matcher.found_id(c.person_id), matcher.missing_id(c.report_id)): c.posterior
        for c in Candidate.objects.all()
    }
    assert in_app  # the app found something to compare
    found = [matcher.found_hwx(p) for p in matcher.searchable_people()]
    missing = [matcher.missing_hwx(r) for r in matcher.searchable_reports()]
    (tmp_path / "found.jsonl").write_text("\n".join(json.dumps(r) for r in found))
    (tmp_path / "missing.jsonl").write_text("\n".join(json.dumps(r) for r in missing))
    out = tmp_path / "candidates.jsonl"
    code = match_main(
        [
            "--found",
            str(tmp_path / "found.jsonl"),
            "--missing",
            str(tmp_path / "missing.jsonl"),
            "--top",
            "10",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0
    batch = {
        (c["found"], c["missing"]): c["posterior"]
        for c in map(json.loads, out.read_text().splitlines())
        if c["posterior"] >= 0.01  # the app's floor
    }
    assert batch.keys() == in_app.keys()
    for pair, posterior in in_app.items():
        assert batch[pair] == pytest.approx(posterior, abs=1e-5)
