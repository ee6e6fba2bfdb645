"""A job that fails is retried, and every failure is visible to those who watch the jobs."""

from __future__ import annotations

from homeward.accounts.models import Role
from homeward.web.models import JobFailure
from homeward.web.tasks import fail_on_purpose
from tests.conftest import make_user


def test_a_failing_job_is_retried_and_each_failure_is_recorded(db):
    fail_on_purpose("the lab server did not answer")
    failures = list(JobFailure.objects.order_by("id"))
    assert [f.retries_left for f in failures] == [1, 0]
    assert [f.final for f in failures] == [False, True]
    assert "the lab server did not answer" in failures[-1].error


def test_station_heads_see_failed_jobs_and_desk_staff_do_not(client, suzhou):
    fail_on_purpose("boom")
    head = make_user("sz.head", Role.STATION_HEAD, station=suzhou)
    client.force_login(head)
    page = client.get("/jobs/").content.decode()
    assert "fail_on_purpose" in page and "boom" in page
    client.force_login(make_user("sz.intake", Role.INTAKE, station=suzhou))
    assert client.get("/jobs/").status_code == 403
