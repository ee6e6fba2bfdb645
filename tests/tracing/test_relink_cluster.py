"""The nightly re-link on a Dask cluster (`settings.MATCH_CLUSTER`) stores the candidates
it stores in the job's own process."""

from __future__ import annotations

import logging

import pytest

from homeward.tracing.models import Candidate
from homeward.tracing.services import relink_all
from tests.cases.conftest import admit
from tests.tracing.conftest import staff_report


@pytest.fixture
def stations_and_reports(suzhou, desk, tracer):
    for name, sex, low in (("李明", "M", 60), ("王秀英", "F", 70), ("张伟", "M", 30)):
        staff_report(tracer, name=name, sex=sex, contact_phone=f"1370000{low:04d}")
        admit(suzhou, desk, name=name, sex=sex, age_estimate_min=low, age_estimate_max=low + 8)
    staff_report(tracer, name="李明亮", contact_phone="13700000099")


def _stored():
    return sorted(
        (c.person_id, c.report_id, round(c.posterior, 9), c.log10_total)
        for c in Candidate.objects.all()
    )


def test_the_nightly_relink_on_a_cluster_stores_what_it_stores_here(stations_and_reports, settings):
    from distributed import LocalCluster

    relink_all()
    here = _stored()
    assert len(here) >= 3
    Candidate.objects.all().delete()
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        settings.MATCH_CLUSTER = cluster.scheduler_address
        relink_all()
        ran = cluster.scheduler.task_prefixes["match_run"].state_counts
    assert _stored() == here
    assert ran["forgotten"] >= 1  # matched on the workers, its result taken


def test_a_cluster_that_is_down_leaves_the_relink_to_the_job_and_says_so(
    stations_and_reports, settings, caplog
):
    relink_all()
    here = _stored()
    Candidate.objects.all().delete()
    settings.MATCH_CLUSTER, settings.MATCH_CLUSTER_TIMEOUT = "tcp://127.0.0.1:9", 2
    with caplog.at_level(logging.ERROR, logger="homeward.tracing.matcher"):
        relink_all()
    assert _stored() == here
    assert "the cluster failed: OSError: no Dask scheduler answers at" in caplog.text
