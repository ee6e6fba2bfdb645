"""The matcher learns from this site's records: nightly, the attribute model is fitted to
the people and reports the search compares (`matching.attributes.fit`), with completed
reunions as labelled pairs when there are enough (and rejected candidates to check that the
fit separates the two no worse than the shipped model), with the face's impostor distances
drawn from the photos here, saved where the search reads it (`settings.ATTRIBUTE_MODEL_FILE`).
Each candidate then records the version that scored it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings

from homeward.cases.models import Person
from homeward.tracing import matcher
from homeward.tracing.models import Candidate, Reunion


def _records() -> tuple[list[dict], list[dict], list[dict], list, list]:
    """HWX found records, the same parsed, parsed missing records, completed reunions and
    rejected candidates."""
    from homeward.matching.search import parse_records

    people = Person.objects.filter(merged_into__isnull=True, stays__isnull=False).distinct()
    found_raw = [record for _person, record in matcher.found_records(people.iterator())]
    found, _bad = parse_records(found_raw, "found")
    missing_raw = [matcher.missing_hwx(r) for r in matcher.searchable_reports()]
    missing, _bad = parse_records(missing_raw, "missing")
    labels = [
        (matcher.found_id(r.stay.person_id), matcher.missing_id(r.candidate.report_id))
        for r in Reunion.objects.filter(completed_at__isnull=False).select_related(
            "stay", "candidate"
        )
    ]
    rejected = [
        (matcher.found_id(c.person_id), matcher.missing_id(c.report_id))
        for c in Candidate.objects.filter(status=Candidate.Status.REJECTED)
    ]
    return found_raw, found, missing, labels, rejected


def attribute_model_refit(*, seed: int = 0):
    """Fit the attribute model to the records here; save it when the fit replaced the start
    model. Returns the fit report (also saved beside the model as JSON)."""
    from homeward.matching.attributes.fit import fit_model
    from homeward.matching.attributes.model import AttributeModel
    from homeward.matching.attributes.records import feature_row
    from homeward.matching.bulk import ReportTable

    found_raw, found, missing, labels, rejected = _records()
    model, report = fit_model(
        [feature_row(r) for r in found],
        [feature_row(r) for r in missing],
        start=AttributeModel.load(),
        labels=labels,
        rejected=rejected,
        seed=seed,
        min_found=settings.ATTRIBUTE_FIT_MIN_FOUND,
        min_missing=settings.ATTRIBUTE_FIT_MIN_MISSING,
    )
    target = Path(settings.ATTRIBUTE_MODEL_FILE)
    target.parent.mkdir(parents=True, exist_ok=True)
    if report.status == "fitted":
        # The face's impostor side from this site's photos too (the genuine side is shipped).
        table = ReportTable(missing, model=model, evidence=("face",))
        report.face = table.fit_face(found_raw, seed=seed)
        report.version = model.version()
        partial = target.with_suffix(".json.part")
        model.save(partial)
        os.replace(partial, target)  # the search never reads half a model
    target.with_name(target.stem + "-fit.json").write_text(
        json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str), "utf-8"
    )
    return report
