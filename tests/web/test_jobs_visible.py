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


def test_station_heads_see_their_stations_failed_jobs_and_desk_staff_none(client, suzhou, hangzhou):
    fail_on_purpose("boom")  # a job for every station: the national level sees it
    JobFailure.objects.create(
        task="search_for_report_job", error="ours", retries_left=0, station=suzhou
    )
    JobFailure.objects.create(
        task="search_for_report_job", error="theirs", retries_left=0, station=hangzhou
    )
    client.force_login(make_user("sz.head", Role.STATION_HEAD, station=suzhou))
    page = client.get("/jobs/").content.decode()
    assert "ours" in page and "theirs" not in page and "boom" not in page
    client.force_login(make_user("nat", Role.NATIONAL_ADMIN))
    page = client.get("/jobs/").content.decode()
    assert "ours" in page and "theirs" in page and "boom" in page
    client.force_login(make_user("sz.intake", Role.INTAKE, station=suzhou))
    assert client.get("/jobs/").status_code == 403


def test_a_failed_job_is_filed_under_the_station_of_its_record(suzhou):
    from homeward.web.jobs import station_of
    from tests.cases.conftest import admit

    desk = make_user("sz.desk", Role.INTAKE, station=suzhou)
    stay = admit(suzhou, desk)
    assert station_of("homeward.tracing.tasks.search_for_person_job", (stay.person_id,)) == (
        suzhou.pk
    )
    assert station_of("homeward.tracing.tasks.notices_sync_job", ()) is None
