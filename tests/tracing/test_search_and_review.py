"""Search both ways, the review queue, exclusions, and reunions by a second officer."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from homeward.cases.models import Stay
from homeward.tracing.models import Candidate, MissingReport, Reunion
from homeward.tracing.services import (
    candidate_confirm,
    candidate_inquire,
    candidate_reject,
    relink_all,
    reunion_complete,
    search_for_person,
    search_for_report,
)
from tests.cases.conftest import admit
from tests.tracing.conftest import staff_report


def intake(station, desk, capture, **fields):
    with capture(execute=True):
        return admit(station, desk, **fields)


@pytest.fixture
def pair(suzhou, desk, tracer, django_capture_on_commit_callbacks):
    report = staff_report(tracer)
    stay = intake(
        suzhou,
        desk,
        django_capture_on_commit_callbacks,
        name="李明",
        age_estimate_min=60,
        age_estimate_max=66,
    )
    return stay, report


def test_a_new_intake_is_searched_against_verified_reports(pair):
    stay, report = pair
    candidate = Candidate.objects.get()
    assert (candidate.person, candidate.report, candidate.station) == (
        stay.person,
        report,
        stay.station,
    )
    assert candidate.status == "open" and candidate.log10_attributes > 0
    assert candidate.posterior > 0.5 and candidate.log10_face is None
    assert candidate.evidence["attributes"]["name"] > 0


def test_a_new_report_is_searched_against_people_in_stations(
    suzhou, desk, tracer, django_capture_on_commit_callbacks
):
    stay = intake(
        suzhou,
        desk,
        django_capture_on_commit_callbacks,
        name="王秀英",
        sex="F",
        age_estimate_min=70,
        age_estimate_max=80,
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = staff_report(tracer, name="王秀英", sex="F")
    assert Candidate.objects.filter(person=stay.person, report=report).exists()


def test_an_unrelated_report_leaves_nobody_in_the_queue(
    suzhou, desk, tracer, django_capture_on_commit_callbacks
):
    staff_report(tracer, name="赵小红", sex="F", birth_date=None)
    intake(suzhou, desk, django_capture_on_commit_callbacks, name="李明")
    assert not Candidate.objects.filter(posterior__gte=0.5).exists()


def test_a_rejected_pair_is_excluded_from_every_later_search(pair, tracer):
    stay, report = pair
    candidate = Candidate.objects.get()
    with pytest.raises(ValidationError):
        candidate_reject(candidate=candidate, kind="other", reason="  ", by=tracer)
    candidate_reject(candidate=candidate, kind="family", reason="家属看照片确认不是", by=tracer)
    search_for_person(stay.person)
    search_for_report(report)
    relink_all()
    candidate.refresh_from_db()
    assert candidate.status == "rejected" and Candidate.objects.count() == 1


def test_only_the_stations_tracing_team_decides(pair, desk):
    with pytest.raises(PermissionDenied):
        candidate_confirm(candidate=Candidate.objects.get(), by=desk, channel="attributes")


def test_an_inquiry_keeps_the_candidate_in_the_queue(pair, tracer):
    task = candidate_inquire(
        candidate=Candidate.objects.get(), kind="phone_family", note="", by=tracer
    )
    assert task.candidate.status == "inquiry"


CLAIMANT = {
    "claimant_name": "李红",
    "claimant_relation": "女儿",
    "claimant_id_number": "320508198503121234",
    "identity_checked": True,
}


def test_the_officer_who_confirmed_cannot_complete_the_reunion(pair, tracer):
    reunion = candidate_confirm(candidate=Candidate.objects.get(), by=tracer, channel="attributes")
    with pytest.raises(ValidationError) as err:
        reunion_complete(reunion=reunion, by=tracer, **CLAIMANT)
    assert "reunion" in err.value.message_dict
    assert Stay.objects.get().status == "in_station"


def test_a_second_officer_completes_the_reunion_after_the_checks(pair, tracer, second_tracer):
    stay, report = pair
    with pytest.raises(ValidationError) as err:  # what decided it is never guessed
        candidate_confirm(candidate=Candidate.objects.get(), by=tracer, channel="")
    assert "channel" in err.value.message_dict
    reunion = candidate_confirm(candidate=Candidate.objects.get(), by=tracer, channel="face")
    assert reunion.channel == Reunion.Channel.FACE
    with pytest.raises(ValidationError) as err:
        reunion_complete(
            reunion=reunion, by=second_tracer, **{**CLAIMANT, "claimant_name": "陌生人"}
        )
    assert "claimant_name" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        reunion_complete(
            reunion=reunion, by=second_tracer, **{**CLAIMANT, "identity_checked": False}
        )
    assert "identity_checked" in err.value.message_dict
    reunion_complete(reunion=reunion, by=second_tracer, **CLAIMANT)
    stay.refresh_from_db()
    report.refresh_from_db()
    assert stay.status == "exited" and stay.exit.kind == "handed_to_family"
    assert stay.exit.collector_name == "李红"
    assert report.status == MissingReport.Status.REUNITED


def test_a_minor_goes_home_only_on_dna_or_police_proof(
    suzhou, desk, tracer, second_tracer, django_capture_on_commit_callbacks
):
    from datetime import date

    staff_report(tracer, name="李小明", birth_date=date(2014, 2, 1))
    intake(
        suzhou,
        desk,
        django_capture_on_commit_callbacks,
        name="李小明",
        age_estimate_min=10,
        age_estimate_max=13,
    )
    reunion = candidate_confirm(candidate=Candidate.objects.get(), by=tracer, channel="attributes")
    with pytest.raises(ValidationError) as err:
        reunion_complete(reunion=reunion, by=second_tracer, **CLAIMANT)
    assert "kinship_evidence" in err.value.message_dict
    reunion_complete(reunion=reunion, by=second_tracer, kinship_evidence="dna", **CLAIMANT)
    assert Stay.objects.get().exit.kinship_evidence == "dna"


def test_a_pair_scores_the_same_whichever_side_arrived_last(
    suzhou, desk, tracer, django_capture_on_commit_callbacks
):
    first = staff_report(tracer)
    staff_report(tracer, name="李明亮", contact_phone="13700000003")
    intake(
        suzhou,
        desk,
        django_capture_on_commit_callbacks,
        name="李明",
        age_estimate_min=60,
        age_estimate_max=66,
    )
    from_intake = Candidate.objects.get(report=first).posterior
    Candidate.objects.all().delete()
    search_for_report(first)
    assert Candidate.objects.get(report=first).posterior == pytest.approx(from_intake)


def test_confirming_on_the_page_asks_what_decided_it_and_whether_the_officer_is_sure(
    client, pair, tracer
):
    candidate = Candidate.objects.get()
    client.force_login(tracer)
    url = f"/tracing/candidates/{candidate.pk}/"
    page = client.post(url, {"action": "confirm", "confirm-channel": "face"}).content.decode()
    assert 'data-error-for="sure"' in page and not Reunion.objects.exists()
    page = client.post(url, {"action": "confirm", "confirm-sure": "on"}).content.decode()
    assert 'data-error-for="channel"' in page and not Reunion.objects.exists()
    done = client.post(url, {"action": "confirm", "confirm-channel": "dna", "confirm-sure": "on"})
    assert done.status_code == 302 and Reunion.objects.get().channel == "dna"


def _undecided(person, report, station) -> Candidate:
    return Candidate.objects.create(
        person=person, report=report, station=station, posterior=0.3, log10_total=1
    )


def test_a_reunion_closes_the_other_candidates_of_the_person_and_of_the_report(
    pair, tracer, second_tracer, suzhou, desk, django_capture_on_commit_callbacks
):
    stay, report = pair
    other_report = staff_report(tracer, name="王五", contact_phone="13900000009")
    other_person = admit(suzhou, desk, name="赵六")
    his_other = _undecided(stay.person, other_report, suzhou)
    someone_else = _undecided(other_person.person, report, suzhou)
    unrelated = _undecided(other_person.person, other_report, suzhou)
    candidate = Candidate.objects.get(person=stay.person, report=report)
    reunion = candidate_confirm(candidate=candidate, by=tracer, channel="face")
    with django_capture_on_commit_callbacks(execute=True):
        reunion_complete(reunion=reunion, by=second_tracer, **CLAIMANT)
    for closed in (his_other, someone_else):
        closed.refresh_from_db()
        assert closed.status == "closed" and closed.reject_reason
    unrelated.refresh_from_db()
    assert unrelated.status == "open"
    from homeward.tracing.selectors import review_queue

    assert list(review_queue(tracer)) == [unrelated]


def test_leaving_closes_the_candidates_and_a_transfer_does_not(
    pair, tracer, suzhou, hangzhou, desk, django_capture_on_commit_callbacks
):
    from homeward.cases.services import ExitData, stay_exit

    stay, report = pair
    moved = admit(suzhou, desk, name="钱七")
    kept = _undecided(moved.person, report, suzhou)
    with django_capture_on_commit_callbacks(execute=True):
        stay_exit(stay=moved, data=ExitData(kind="transferred", to_station=hangzhou), by=desk)
        stay_exit(stay=stay, data=ExitData(kind="left"), by=desk)
    kept.refresh_from_db()
    assert kept.status == "open"  # still in care, at another station
    closed = Candidate.objects.get(person=stay.person, report=report)
    assert (
        closed.status == "closed"
        and "自行离站" in closed.reject_reason
        or ("Left on own will" in closed.reject_reason)
    )


def test_after_the_reunion_an_unnamed_person_has_the_familys_name(
    suzhou, desk, tracer, second_tracer
):
    from homeward.cases.selectors import person_changes

    report = staff_report(tracer)  # 李明, home 410102
    stay = admit(suzhou, desk, name="", name_source="unknown", home_division=None)
    candidate = Candidate.objects.create(
        person=stay.person, report=report, station=suzhou, posterior=0.9, log10_total=2
    )
    reunion = candidate_confirm(candidate=candidate, by=tracer, channel="face")
    reunion_complete(reunion=reunion, by=second_tracer, **CLAIMANT)
    person = stay.person
    person.refresh_from_db()
    assert (person.name, person.name_source, person.home_division_id) == (
        "李明",
        "others",
        "410102",
    )
    latest = person_changes(person)[0]
    assert "李红" in latest["source"] and any("李明" in str(c) for c in latest["changes"])


def test_a_named_person_keeps_their_name_and_the_familys_becomes_another(
    suzhou, desk, tracer, second_tracer
):
    report = staff_report(tracer)
    stay = admit(suzhou, desk, name="李铭", name_source="said")
    candidate = Candidate.objects.create(
        person=stay.person, report=report, station=suzhou, posterior=0.9, log10_total=2
    )
    reunion = candidate_confirm(candidate=candidate, by=tracer, channel="attributes")
    reunion_complete(reunion=reunion, by=second_tracer, **CLAIMANT)
    stay.person.refresh_from_db()
    assert stay.person.name == "李铭" and stay.person.aliases == ["李明"]


def test_a_pair_on_the_desk_takes_the_new_figures_even_below_the_floor(pair):
    """New evidence that makes an open pair unlikely shows on the desk: the pair does not
    keep a probability the evidence no longer gives; a closed pair is not reopened by it,
    and nothing new below the floor is added."""
    from homeward.tracing.matcher import missing_id
    from homeward.tracing.services.search import _store

    stay, report = pair
    candidate = Candidate.objects.get()
    assert candidate.posterior > 0.5
    people, reports = {"P": stay.person}, {missing_id(report.pk): report}
    unlikely = {
        "found": "P",
        "missing": missing_id(report.pk),
        "posterior": 0.004,
        "log10_lr": {"attributes": 1.0, "face": -1.9, "dna": None, "total": -0.9},
        "prior_log10_odds": 0.0,
        "rivals_log10": 0.0,
    }
    assert _store([unlikely], people, reports) == []  # not a new lead
    candidate.refresh_from_db()
    assert candidate.posterior == 0.004 and candidate.log10_face == -1.9
    assert candidate.status == "open"
    candidate.status = Candidate.Status.CLOSED
    candidate.save()
    _store([dict(unlikely, posterior=0.003)], people, reports)
    candidate.refresh_from_db()
    assert candidate.status == "closed" and candidate.posterior == 0.004
    candidate.delete()
    _store([unlikely], people, reports)
    assert not Candidate.objects.exists()


def test_a_new_report_that_fits_as_well_lowers_the_pair_already_on_the_desk(
    pair, tracer, django_capture_on_commit_callbacks
):
    """The posterior weighs every report searched: when a second family reports someone
    who fits the person just as well, the first pair's probability falls at once, not at
    the nightly re-link, and both pairs say another report weighs in."""
    stay, first_report = pair
    first = Candidate.objects.get()
    before, rivals_before = first.posterior, first.evidence["rivals"]
    with django_capture_on_commit_callbacks(execute=True):
        second_report = staff_report(tracer, contact_phone="13900000077")
    first.refresh_from_db()
    second = Candidate.objects.get(report=second_report)
    assert second.person == stay.person and first_report != second_report
    assert first.posterior < before and first.evidence["rivals"] > rivals_before + 0.3
    assert second.evidence["rivals"] > 0.3
    assert first.posterior == pytest.approx(second.posterior, abs=0.05)
