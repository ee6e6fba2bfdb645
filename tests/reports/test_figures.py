"""Each figure, exactly, at station and province scope, from the records in conftest.py."""

from __future__ import annotations

import pytest
from django.http import Http404

from homeward.accounts.models import Role
from homeward.reports import drilldown, selectors
from homeward.reports.report import build
from homeward.reports.scope import Period, scope_for
from tests.conftest import make_user
from tests.reports.conftest import NOW, at

YEAR = Period.year(2024)


@pytest.fixture
def suzhou_scope(records, jiangsu_admin):
    return scope_for(jiangsu_admin, "station", str(records["suzhou"].pk))


@pytest.fixture
def jiangsu(records, jiangsu_admin):
    return scope_for(jiangsu_admin, "province", "320000")


def test_intake_counts_person_times_people_and_who_they_were_at_a_station(
    suzhou_scope, jiangsu_admin
):
    i = selectors.intake(jiangsu_admin, suzhou_scope, YEAR)
    assert (i.person_times, i.people, i.minors, i.left_behind, i.in_plight) == (5, 4, 1, 1, 0)
    assert i.by_source == {
        "police": 2,
        "city_management": 1,
        "self": 1,
        "hotline": 0,
        "street_team": 1,
        "transfer": 0,
        "hospital": 0,
        "other": 0,
    }
    assert i.by_sex == {"M": 3, "F": 1, "U": 1}
    assert i.by_age == {"minor": 1, "18_44": 1, "45_59": 0, "60_plus": 2, "unknown": 1}
    assert i.by_condition["dementia"] == 2
    assert i.by_condition["intellectual_disability"] == 1
    assert i.by_condition["hearing_speech"] == 1
    assert i.by_condition["mental_illness"] == 0
    assert i.monthly == [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1]


def test_intake_in_a_province_counts_a_person_transferred_between_its_stations_once(
    jiangsu, jiangsu_admin
):
    i = selectors.intake(jiangsu_admin, jiangsu, YEAR)
    assert (i.person_times, i.people, i.minors, i.in_plight) == (7, 5, 2, 1)
    assert i.by_source["transfer"] == 1


def test_candidates_ruled_out_are_counted_by_why_in_the_period_and_scope(
    records, suzhou_scope, jiangsu, jiangsu_admin
):
    from homeward.cases.models import Person
    from homeward.tracing.models import Candidate, MissingReport

    def ruled_out(station, kind: str, when) -> None:
        report = MissingReport.objects.create(
            channel="staff", name="某人", contact_name="家属", contact_relation="父亲"
        )
        Candidate.objects.create(
            person=Person.objects.create(),
            report=report,
            station=station,
            posterior=0.3,
            log10_total=0,
            status="rejected",
            reject_kind=kind,
            reviewed_at=when,
        )

    ruled_out(records["suzhou"], "face", at(2024, 3, 1))
    ruled_out(records["suzhou"], "face", at(2024, 12, 31, 23))
    ruled_out(records["suzhou"], "family", at(2025, 1, 1, 1))  # the next year
    ruled_out(records["kunshan"], "dna", at(2024, 6, 1))
    ruled_out(records["hangzhou"], "face", at(2024, 6, 1))  # another province
    r = selectors.reunions(jiangsu_admin, suzhou_scope, YEAR)
    assert (r.ruled_out["face"], r.ruled_out["family"], r.ruled_out["dna"]) == (2, 0, 0)
    r = selectors.reunions(jiangsu_admin, jiangsu, YEAR)
    assert (r.ruled_out["face"], r.ruled_out["dna"], sum(r.ruled_out.values())) == (2, 1, 3)


def test_reunions_by_channel_and_median_days(suzhou_scope, jiangsu, jiangsu_admin):
    r = selectors.reunions(jiangsu_admin, suzhou_scope, YEAR)
    assert (r.total, r.by_channel["dna"], r.by_channel["face"], r.median_days) == (2, 1, 1, 193.0)
    r = selectors.reunions(jiangsu_admin, jiangsu, YEAR)
    assert (r.total, r.by_channel["police"], r.by_channel["notice"], r.median_days) == (
        3,
        1,
        0,
        10.0,
    )


def test_exits_of_every_kind(suzhou_scope, jiangsu, jiangsu_admin):
    assert selectors.exits(jiangsu_admin, suzhou_scope, YEAR) == {
        "returned_home": 1,
        "handed_to_family": 2,
        "transferred": 1,
        "placed": 1,
        "hospital": 0,
        "left": 0,
        "died": 0,
    }
    e = selectors.exits(jiangsu_admin, jiangsu, YEAR)
    assert (e["returned_home"], e["handed_to_family"]) == (2, 3)


def test_settlement_steps_taken_in_the_period(suzhou_scope, jiangsu_admin):
    st = selectors.settlements(jiangsu_admin, suzhou_scope, YEAR)
    assert (st.placed, st.hukou_applied, st.hukou_registered) == (1, 1, 1)
    assert (st.dibao, st.medical_assistance, st.temporary_assistance, st.any_assistance) == (
        1,
        1,
        0,
        1,
    )
    assert selectors.settlements(jiangsu_admin, suzhou_scope, Period.year(2023)).placed == 0


def test_long_stays_at_the_end_of_the_period_and_their_trend(suzhou_scope, jiangsu_admin):
    r = selectors.retention(jiangsu_admin, suzhou_scope, YEAR, NOW)
    assert (r.in_station, r.over) == (2, {10: 1, 30: 1, 90: 1})
    assert r.by_length == {"under_10": 1, "10_29": 0, "30_89": 0, "90_plus": 1}
    # At month ends: two long stays until s8 is placed (1 May) as s3 passes 90 days
    # (30 May); then s5 goes home (11 June).
    assert r.trend_over_90 == [2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1]
    assert r.trend_over_30[:3] == [2, 2, 3]  # s3 passes 30 days on 31 March


def test_last_years_long_stays_are_counted_at_the_end_of_last_year(suzhou_scope, jiangsu_admin):
    assert selectors.retention(jiangsu_admin, suzhou_scope, Period.year(2023), NOW).over[90] == 2


def test_outsourced_care_beds_and_notices(suzhou_scope, jiangsu, jiangsu_admin):
    o = selectors.outsourced(jiangsu_admin, suzhou_scope, YEAR, NOW)
    assert (o.at_end, o.started) == (1, 1)
    b = selectors.bed_use(jiangsu_admin, suzhou_scope, YEAR, NOW)
    assert (b.beds, b.used) == (3, 2)
    b = selectors.bed_use(jiangsu_admin, jiangsu, YEAR, NOW)
    assert (b.beds, b.used, round(b.rate, 4)) == (7, 2, 0.2857)
    n = selectors.notices(jiangsu_admin, suzhou_scope, YEAR, NOW)
    assert (n.published, n.refreshed, n.withdrawn, n.live_at_end) == (1, 1, 0, 1)


def test_street_outreach_leaves_out_merged_reports_and_no_contact(
    suzhou_scope, jiangsu, jiangsu_admin
):
    o = selectors.outreach(jiangsu_admin, suzhou_scope, YEAR)
    assert (o.reports, o.street_contacts) == (3, 2)
    assert o.by_outcome["refused_help"] == 1 and o.by_channel["hotline"] == 3
    assert selectors.outreach(jiangsu_admin, jiangsu, YEAR).reports == 3


def test_alerts_sent_count_deliveries_of_the_areas_notices(suzhou_scope, jiangsu, jiangsu_admin):
    from homeward.tracing.models import AlertDelivery, Notice, Subscription

    family = make_user("family", Role.FAMILY)
    sub = Subscription.objects.create(user=family, latitude=31.3, longitude=120.6, channels=["sms"])
    notice = Notice.objects.get()
    AlertDelivery.objects.create(
        subscription=sub, notice=notice, status="sent", sent_at=at(2024, 3, 3)
    )
    assert selectors.alerts_sent(jiangsu_admin, suzhou_scope, YEAR) == 1
    assert selectors.alerts_sent(jiangsu_admin, jiangsu, Period.year(2023)) == 0


def test_headline_against_the_same_period_last_year(suzhou_scope, jiangsu_admin):
    report = build(jiangsu_admin, suzhou_scope, YEAR, now=NOW)
    got = {h.key: (h.value, h.last_year) for h in report.headline}
    assert got["person_times"] == (5, 3)
    assert got["reunions"] == (2, 0)
    assert got["over_90"] == (1, 2)
    assert got["minors"] == (1, 0)
    assert report.headline[0].change == pytest.approx(200 / 3)


def test_the_nation_drills_down_to_provinces_and_a_province_to_cities(
    records, national_admin, jiangsu, jiangsu_admin
):
    rows = drilldown.breakdown(national_admin, scope_for(national_admin, "nation"), YEAR, NOW)
    assert [(r.scope.code, r.person_times, r.minors, r.reunions) for r in rows] == [
        ("320000", 7, 2, 3),
        ("330000", 2, 1, 1),
    ]
    rows = drilldown.breakdown(jiangsu_admin, jiangsu, YEAR, NOW)
    assert [
        (r.scope.code, r.person_times, r.in_station, r.over_90, r.beds, r.used) for r in rows
    ] == [("320500", 7, 2, 1, 7, 2)]
    city = scope_for(jiangsu_admin, "city", "320500")
    rows = drilldown.breakdown(jiangsu_admin, city, YEAR, NOW)
    assert sorted((r.scope.name, r.person_times) for r in rows) == [
        ("昆山测试站", 2),
        ("苏州测试站", 5),
    ]


def test_a_station_user_sees_only_their_own_station(records, suzhou_head):
    assert scope_for(suzhou_head).station == records["suzhou"]
    for level, code in [
        ("station", str(records["kunshan"].pk)),
        ("province", "320000"),
        ("nation", ""),
    ]:
        with pytest.raises(Http404):
            scope_for(suzhou_head, level, code)


def test_a_province_administrator_cannot_open_another_province(records, jiangsu_admin):
    with pytest.raises(Http404):
        scope_for(jiangsu_admin, "province", "330000")
    with pytest.raises(Http404):
        scope_for(jiangsu_admin, "station", str(records["hangzhou"].pk))


def test_age_bands_follow_each_admissions_year_and_figures_follow_edits_of_the_person(
    suzhou, jiangsu_admin
):
    from datetime import date

    from tests.reports.conftest import person, stay

    scope = scope_for(jiangsu_admin, "station", str(suzhou.pk))
    both_years = Period(date(2023, 1, 1), date(2025, 1, 1))
    who = person("M", born=date(1979, 6, 1))
    stay(suzhou, who, at(2023, 5, 1))  # 44 that year
    stay(suzhou, who, at(2024, 5, 1))  # 45
    i = selectors.intake(jiangsu_admin, scope, both_years)
    assert (i.person_times, i.people) == (2, 1)
    assert i.by_age == {"minor": 0, "18_44": 1, "45_59": 1, "60_plus": 0, "unknown": 0}
    assert i.by_sex == {"M": 2, "F": 0, "U": 0}

    # The record is corrected after intake (a document turns up): the figures follow.
    who.sex, who.birth_date, who.conditions = "F", date(1950, 1, 1), ["dementia"]
    who.save()
    i = selectors.intake(jiangsu_admin, scope, both_years)
    assert i.by_sex == {"M": 0, "F": 2, "U": 0}
    assert i.by_age["60_plus"] == 2
    assert i.by_condition["dementia"] == 2 and i.by_condition["mental_illness"] == 0


def test_on_postgresql_the_figures_computed_side_by_side_equal_those_computed_in_turn(
    transactional_db, records, jiangsu, jiangsu_admin, settings
):
    from django.db import connection

    from homeward.reports import report

    if connection.vendor != "postgresql":
        pytest.skip("SQLite computes the figures in turn; the PostgreSQL run checks this")
    settings.REPORTS_PARALLEL = 3
    assert report._parallel() == 3  # outside a transaction, on PostgreSQL
    side_by_side = build(jiangsu_admin, jiangsu, YEAR, now=NOW)
    settings.REPORTS_PARALLEL = 1
    in_turn = build(jiangsu_admin, jiangsu, YEAR, now=NOW)
    assert side_by_side.sections() == in_turn.sections()
    assert side_by_side.headline == in_turn.headline
    assert side_by_side.rows == in_turn.rows
    assert side_by_side.intake.person_times == 7
