"""Dates survive every hour of the day and the server's time zone.

Each round trip runs with the clock stopped at 00:30 (the date in UTC is still
yesterday), 11:59 and 12:01 (either side of noon) and 23:59 Beijing time, with the
server in Beijing time and in UTC. A record of today must never be refused as "in the
future", and what goes out as a day comes back as the same day.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from homeward.cases.hwx import export_found, import_found
from homeward.cases.models import Stay
from homeward.cases.services import IntakeData, intake_admit
from homeward.common.clock import moment_of_day
from homeward.tracing.hwx import export_missing, import_missing
from homeward.tracing.models import MissingReport, Notice
from homeward.tracing.pfif import check_pfif, export_pfif, import_pfif, parse_pfif
from homeward.tracing.services import notices_sync
from tests.cases.conftest import admit
from tests.conftest import frozen_at
from tests.tracing.conftest import staff_report

HOURS = ["00:30", "11:59", "12:01", "23:59"]
ZONES = ["Asia/Shanghai", "UTC"]


@pytest.fixture(params=ZONES)
def zone(request, settings):
    settings.TIME_ZONE = request.param
    return request.param


@pytest.mark.parametrize("hour", HOURS)
def test_a_person_found_today_goes_out_and_comes_back_as_found_today(
    hour, zone, suzhou, hangzhou, desk
):
    with frozen_at(hour):
        today = timezone.localdate()
        admit(suzhou, desk, found_at=timezone.now().replace(second=0, microsecond=0))
        buffer = io.StringIO()
        export_found(Stay.objects.filter(station=suzhou), buffer)
        (line,) = buffer.getvalue().splitlines()
        assert json.loads(line)["found_date"] == today.isoformat()

        report = import_found([line], station=hangzhou, by=None)
        assert (report.imported, report.errors) == (1, [])
        copy = Stay.objects.get(station=hangzhou)
        assert copy.found_precision == Stay.FoundPrecision.DAY
        assert copy.found_at <= timezone.now()
        assert timezone.localdate(copy.found_at) == today

        again = io.StringIO()
        export_found(Stay.objects.filter(station=hangzhou), again)
        assert json.loads(again.getvalue())["found_date"] == today.isoformat()


@pytest.mark.parametrize("hour", HOURS)
def test_a_partner_record_of_today_is_accepted_and_of_tomorrow_refused(
    hour, zone, suzhou, hangzhou
):
    with frozen_at(hour):
        today = timezone.localdate()
        lines = [
            json.dumps({"kind": "found", "id": "today", "found_date": today.isoformat()}),
            json.dumps(
                {"kind": "found", "id": "tomorrow", "found_date": str(today + timedelta(days=1))}
            ),
        ]
        report = import_found(lines, station=hangzhou, by=None)
        assert report.imported == 1
        assert [(e.line, e.field) for e in report.errors] == [(2, "found_at")]
        stay = Stay.objects.get()
        assert timezone.localdate(stay.found_at) == today


@pytest.mark.parametrize("hour", HOURS)
def test_a_day_only_moment_keeps_its_day_and_is_never_later_than_now(hour, zone):
    with frozen_at(hour):
        today = timezone.localdate()
        for day in (today - timedelta(days=400), today - timedelta(days=1), today):
            moment = moment_of_day(day)
            assert timezone.localdate(moment) == day
            assert moment <= timezone.now()


@pytest.mark.parametrize("hour", HOURS)
def test_a_report_lost_today_goes_out_and_comes_back_with_the_same_day(
    hour, zone, suzhou, hangzhou, tracer
):
    with frozen_at(hour):
        today = timezone.localdate()
        report = staff_report(
            tracer, lost_date=today, lost_at=timezone.now().replace(second=0, microsecond=0)
        )
        assert report.lost_date == today
        buffer = io.StringIO()
        export_missing([report], buffer)
        assert json.loads(buffer.getvalue())["lost_date"] == today.isoformat()
        result = import_missing(buffer.getvalue().splitlines(), station=hangzhou, by=None)
        assert (result.imported, result.errors) == (1, [])
        assert MissingReport.objects.get(station=hangzhou).lost_date == today


@pytest.mark.parametrize("hour", HOURS)
def test_pfif_keeps_the_birth_day_and_the_reunion_day(
    hour, zone, settings, suzhou, hangzhou, tracer
):
    from homeward.tracing.models import Candidate, Reunion

    settings.PUBLIC_URL = "https://homeward.test"
    with frozen_at(hour):
        today = timezone.localdate()
        report = staff_report(tracer, birth_date=date(1960, 5, 1), lost_date=today)
        report.status = "verified"
        report.save()
        stay = admit(suzhou, tracer)
        candidate = Candidate.objects.create(
            person=stay.person,
            report=report,
            station=suzhou,
            status="confirmed",
            posterior=0.9,
            log10_total=6,
        )
        Reunion.objects.create(
            candidate=candidate,
            stay=stay,
            channel="face",
            confirmed_by=tracer,
            completed_by=tracer,
            completed_at=timezone.now(),
        )
        document = export_pfif(MissingReport.objects.filter(pk=report.pk), [])
        assert check_pfif(document) == []
        parsed = parse_pfif(document)
        assert parsed.persons[0]["date_of_birth"] == "1960-05-01"
        assert parsed.notes[0]["text"] == f"Reunited with family on {today.isoformat()}."
        settings.PUBLIC_URL = "https://other.test"
        result = import_pfif(document, station=hangzhou, by=None)
        assert result.imported == 1
        copy = MissingReport.objects.get(station=hangzhou)
        assert copy.birth_date == date(1960, 5, 1)


@pytest.mark.parametrize("hour", HOURS)
def test_a_notice_gives_the_day_the_person_was_found(hour, zone, suzhou, hangzhou, desk):
    with frozen_at(hour):
        found_on = timezone.localdate() - timedelta(days=3)
        line = json.dumps({"kind": "found", "id": "F-9", "found_date": found_on.isoformat()})
        import_found([line], station=hangzhou, by=None)
        stay = Stay.objects.get()
        stay.admitted_at = timezone.now() - timedelta(days=2)
        stay.save()
        notices_sync()
        notice = Notice.objects.get()
        assert notice.found_on == found_on


@pytest.mark.parametrize("hour", HOURS)
def test_someone_born_today_is_a_newborn_not_a_mistake(hour, zone, suzhou, desk):
    # The ID number's birth date is checked against the server's today, not the machine's.
    from homeward.cases.idcard import check_character

    with frozen_at(hour):
        today = timezone.localdate()
        body = f"320508{today:%Y%m%d}123"
        stay = intake_admit(
            station=suzhou,
            data=IntakeData(brought_by="police", id_number=body + check_character(body)),
            by=desk,
        )
        assert stay.person.birth_date == today and stay.is_minor


def test_a_child_turns_adult_on_the_birthday_in_beijing_while_utc_is_still_the_eve(
    settings, suzhou, desk
):
    settings.TIME_ZONE = "Asia/Shanghai"
    number = "320583201006012349"  # born 2010-06-01
    papers = {"id_number": number, "sex": "U", "age_estimate_min": None, "age_estimate_max": None}
    with frozen_at("23:59", day=date(2028, 5, 31)):
        eve = admit(suzhou, desk, **papers)
    assert eve.is_minor
    with frozen_at("00:30", day=date(2028, 6, 1)):
        birthday = admit(suzhou, desk, **papers)
    assert not birthday.is_minor
