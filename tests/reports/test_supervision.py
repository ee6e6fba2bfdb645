"""Open days, complaints and facility safety checks; supervisors only read."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from homeward.reports import services
from homeward.reports.models import Complaint, OpenDay
from homeward.stations import selectors as station_selectors
from homeward.stations.models import SafetyCheck
from homeward.stations.services import safety_check_fix, safety_check_record, safety_check_schedule


def test_a_station_head_records_an_open_day_and_a_supervisor_reads_it(
    client, suzhou_head, jiangsu_supervisor, suzhou
):
    client.force_login(suzhou_head)
    response = client.post(
        "/reports/supervision/",
        {
            "form": "open_day",
            "station": suzhou.pk,
            "held_on": "2024-06-19",
            "theme": "携手相助、让爱团聚",
            "visitors": 35,
            "visitor_groups": "人大代表、政协委员、媒体记者",
            "feedback": "房间整洁，伙食丰盛",
        },
    )
    assert response.status_code == 302
    assert OpenDay.objects.get().visitors == 35
    client.force_login(jiangsu_supervisor)
    page = client.get("/reports/supervision/").content.decode()
    assert "携手相助" in page and 'id="open-day-form"' not in page
    assert client.post("/reports/supervision/", {"form": "complaint"}).status_code == 403


def test_a_complaint_is_handled_once_and_not_before_it_arrived(suzhou, suzhou_head):
    complaint = services.complaint_record(
        station=suzhou,
        received_on=date(2024, 7, 1),
        source="phone",
        summary="夜间接待慢",
        by=suzhou_head,
    )
    with pytest.raises(ValidationError):
        services.complaint_handle(
            complaint=complaint, handling="已整改", handled_on=date(2024, 6, 1), by=suzhou_head
        )
    services.complaint_handle(
        complaint=complaint, handling="增加夜班人员", handled_on=date(2024, 7, 3), by=suzhou_head
    )
    assert Complaint.objects.get().status == "handled"
    with pytest.raises(ValidationError):
        services.complaint_handle(
            complaint=complaint, handling="再次", handled_on=date(2024, 7, 4), by=suzhou_head
        )


def test_supervisors_cannot_write(suzhou, jiangsu_supervisor):
    with pytest.raises(PermissionDenied):
        services.complaint_record(
            station=suzhou,
            received_on=date(2024, 7, 1),
            source="phone",
            summary="x",
            by=jiangsu_supervisor,
        )
    with pytest.raises(PermissionDenied):
        safety_check_schedule(
            station=suzhou, area="gas", due_on=date(2024, 7, 1), by=jiangsu_supervisor
        )


def test_the_complaint_list_takes_the_same_queries_for_many_complaints(client, suzhou, suzhou_head):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(suzhou_head)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/reports/supervision/").status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            services.complaint_record(
                station=suzhou, received_on=date(2024, 7, 1), source="letter", summary=f"第{i}件"
            )

    add(1)
    one = queries()
    add(11)
    assert queries() == one


def test_a_check_done_schedules_the_next_and_a_hazard_waits_for_its_fix(suzhou, suzhou_head):
    check = safety_check_schedule(
        station=suzhou, area="gas", due_on=date(2024, 7, 1), every_days=30, by=suzhou_head
    )
    with pytest.raises(ValidationError):
        safety_check_record(
            check=check, done_on=date(2024, 7, 1), hazard_found=True, by=suzhou_head
        )
    safety_check_record(
        check=check,
        done_on=date(2024, 7, 2),
        hazard_found=True,
        findings="厨房燃气管老化",
        by=suzhou_head,
    )
    nxt = SafetyCheck.objects.get(done_on__isnull=True)
    assert (nxt.area, nxt.due_on) == ("gas", date(2024, 8, 1))
    assert list(station_selectors.safety_hazards_unfixed(suzhou_head)) == [check]
    safety_check_fix(check=check, fixed_on=date(2024, 7, 5), fix="更换燃气管", by=suzhou_head)
    assert not station_selectors.safety_hazards_unfixed(suzhou_head).exists()


def test_overdue_checks_show_on_the_station_heads_dashboards(client, suzhou, hangzhou, suzhou_head):
    safety_check_schedule(station=suzhou, area="fire", due_on=date(2020, 1, 1))
    safety_check_schedule(station=suzhou, area="video", due_on=date(2099, 1, 1))
    safety_check_schedule(station=hangzhou, area="water", due_on=date(2020, 1, 1))
    overdue = station_selectors.safety_checks_overdue(suzhou_head, date(2024, 1, 1))
    assert [c.area for c in overdue] == ["fire"]
    client.force_login(suzhou_head)
    fragment = client.get("/reports/safety/overdue/").content.decode()
    assert "2020-01-01" in fragment and fragment.count("<li>") == 1
    assert 'id="overdue-checks"' in client.get("/reports/").content.decode()


def test_a_head_schedules_and_records_a_check_through_the_pages(client, suzhou, suzhou_head):
    client.force_login(suzhou_head)
    client.post(
        "/reports/safety/",
        {"station": suzhou.pk, "area": "electricity", "due_on": "2024-07-01", "every_days": 90},
    )
    check = SafetyCheck.objects.get()
    client.post(
        f"/reports/safety/{check.pk}/",
        {"action": "record", "done_on": "2024-07-01", "findings": ""},
    )
    check.refresh_from_db()
    assert check.done_on == date(2024, 7, 1) and not check.hazard_found
    assert SafetyCheck.objects.get(done_on__isnull=True).due_on == date(2024, 9, 29)
