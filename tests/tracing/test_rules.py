"""Rules of tracing the review found untested: pending reports, DNA through the app, the
floor, audit rows, the police path, the exclusions list, notice filters and secrets."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from homeward.accounts.models import AuditEvent, Role
from homeward.matching.dna.frequencies import load_table
from homeward.matching.dna.simulate import Population
from homeward.tracing.models import Candidate, Notice, Relative
from homeward.tracing.selectors import public_notices
from homeward.tracing.services import (
    candidate_confirm,
    candidate_inquire,
    candidate_reject,
    found_dna_set,
    inquiry_done,
    notices_sync,
    relative_set_dna,
    report_file,
    reunion_complete,
)
from tests.cases.conftest import admit
from tests.conftest import make_user
from tests.tracing.conftest import report_data, staff_report

LOCI = [
    "D3S1358",
    "vWA",
    "D16S539",
    "CSF1PO",
    "TPOX",
    "D8S1179",
    "D21S11",
    "D18S51",
    "D2S441",
    "D19S433",
    "TH01",
    "FGA",
    "D22S1045",
    "D5S818",
    "D13S317",
    "D7S820",
    "D10S1248",
    "D1S1656",
    "D12S391",
    "D2S1338",
]


def mother_and_child(seed: int = 7) -> tuple[dict, dict]:
    """A simulated mother and her child: 20 loci drawn from the NIST 1036 table."""
    population = Population.from_table(load_table(), LOCI)
    rng = np.random.default_rng(seed)
    father, mother = population.founders(rng, 1), population.founders(rng, 1)
    child = population.child(rng, father, mother)

    def as_dict(geno) -> dict:
        return {k: list(v) for k, v in population.profile(geno, 0).genotypes.items()}

    return as_dict(mother), as_dict(child)


CLAIMANT = {
    "claimant_name": "李红",
    "claimant_relation": "女儿",
    "claimant_id_number": "320508198503121234",
    "identity_checked": True,
}


def test_a_report_awaiting_verification_is_not_searched(
    suzhou, desk, django_capture_on_commit_callbacks
):
    family = make_user("13800000000", Role.FAMILY)
    family.phone_verified = True
    family.save()
    with django_capture_on_commit_callbacks(execute=True):
        report_file(data=report_data(), by=family)
        admit(suzhou, desk, name="李明", age_estimate_min=60, age_estimate_max=66)
    assert not Candidate.objects.exists()


def test_dna_entered_in_the_app_gives_the_candidate_its_kinship_evidence(
    suzhou, desk, tracer, django_capture_on_commit_callbacks
):
    mother, child = mother_and_child()
    with django_capture_on_commit_callbacks(execute=True):
        report = staff_report(
            tracer, relatives=[("mother", "张秀英")], name="张三", birth_date=None
        )
        stay = admit(suzhou, desk, name="", sex="M", age_estimate_min=20, age_estimate_max=30)
    with django_capture_on_commit_callbacks(execute=True):
        relative_set_dna(
            relative=report.relatives.get(),
            status=Relative.DnaStatus.ENTERED,
            profile=mother,
            lab="苏州市公安局物证鉴定所",
            consent="search",
            by=tracer,
        )
        found_dna_set(person=stay.person, status="entered", profile=child, by=tracer)
    candidate = Candidate.objects.get(report=report)
    assert candidate.log10_dna > 2  # a mother and her child share an allele at every locus
    assert candidate.posterior > 0.99


def test_dna_of_an_unrelated_person_lowers_the_candidate(
    suzhou, desk, tracer, django_capture_on_commit_callbacks
):
    mother, _child = mother_and_child(seed=7)
    _other_mother, stranger = mother_and_child(seed=99)
    with django_capture_on_commit_callbacks(execute=True):
        report = staff_report(tracer, relatives=[("mother", "")], name="李明", birth_date=None)
        stay = admit(suzhou, desk, name="李明", sex="M", age_estimate_min=20, age_estimate_max=30)
        relative_set_dna(
            relative=report.relatives.get(),
            status="entered",
            profile=mother,
            by=tracer,
            consent="search",
        )
        found_dna_set(person=stay.person, status="entered", profile=stranger, by=tracer)
    candidate = Candidate.objects.filter(report=report).first()
    assert candidate is None or candidate.log10_dna < -2


def test_candidates_below_the_configured_floor_stay_out_of_the_queue(
    settings, suzhou, desk, tracer, django_capture_on_commit_callbacks
):
    staff_report(tracer)
    settings.TRACING_CANDIDATE_FLOOR = 0.999999
    with django_capture_on_commit_callbacks(execute=True):
        admit(suzhou, desk, name="李明", age_estimate_min=60, age_estimate_max=66)
    assert not Candidate.objects.exists()
    settings.TRACING_CANDIDATE_FLOOR = 0.01
    from homeward.tracing.services import relink_all

    relink_all()
    assert Candidate.objects.count() == 1


@pytest.fixture
def candidate(suzhou, desk, tracer, django_capture_on_commit_callbacks):
    staff_report(tracer)
    with django_capture_on_commit_callbacks(execute=True):
        admit(
            suzhou,
            desk,
            name="李明",
            age_estimate_min=60,
            age_estimate_max=66,
            conditions=["dementia"],
        )
    return Candidate.objects.get()


def test_every_review_step_is_audited(candidate, tracer, second_tracer):
    task = candidate_inquire(candidate=candidate, kind="phone_family", note="核实口音", by=tracer)
    inquiry_done(task=task, result="家属确认口音一致", by=tracer)
    reunion = candidate_confirm(candidate=candidate, by=tracer, channel="attributes")
    reunion_complete(reunion=reunion, by=second_tracer, kinship_evidence="police", **CLAIMANT)
    rows = AuditEvent.objects.filter(station=candidate.station)
    assert rows.filter(actor=tracer, object_type="tracing.inquirytask", action="create").exists()
    assert rows.filter(actor=tracer, object_type="tracing.inquirytask", action="update").exists()
    assert rows.filter(actor=tracer, object_type="tracing.reunion", action="create").exists()
    assert rows.filter(actor=second_tracer, object_type="tracing.reunion", action="update").exists()


def test_a_reunited_report_leaves_the_matchers_table_with_a_change_beside_it(
    candidate, tracer, second_tracer, django_capture_on_commit_callbacks
):
    """The reunion sets the report's status by a queryset update (no signal): it logs the
    change itself, so another report's change in the same moment does not hide it."""
    from homeward.tracing import matcher

    with django_capture_on_commit_callbacks(execute=True):
        other = staff_report(tracer, name="王强", contact_phone="13700000004")
    table, _ = matcher.report_table()
    reunited = matcher.missing_id(candidate.report_id)
    assert reunited in table.live_ids()
    reunion = candidate_confirm(candidate=candidate, by=tracer, channel="attributes")
    with django_capture_on_commit_callbacks(execute=True):
        reunion_complete(reunion=reunion, by=second_tracer, kinship_evidence="police", **CLAIMANT)
        other.height_cm = 172
        other.save()
    table, reports = matcher.report_table()
    assert table.live_ids() == [matcher.missing_id(other.pk)]
    assert [r.pk for r in reports] == [other.pk]


def test_a_person_with_dementia_goes_home_on_police_confirmation(candidate, tracer, second_tracer):
    from django.core.exceptions import ValidationError

    reunion = candidate_confirm(candidate=candidate, by=tracer, channel="attributes")
    with pytest.raises(ValidationError) as err:
        reunion_complete(reunion=reunion, by=second_tracer, **CLAIMANT)
    assert "kinship_evidence" in err.value.message_dict
    reunion_complete(reunion=reunion, by=second_tracer, kinship_evidence="police", **CLAIMANT)
    assert reunion.stay.exit.kinship_evidence == "police"


def test_the_exclusion_list_shows_rejected_pairs_with_the_reason(client, candidate, tracer):
    candidate_reject(candidate=candidate, kind="family", reason="家属看照片确认不是", by=tracer)
    client.force_login(tracer)
    page = client.get("/tracing/", {"tab": "exclusions"}).content.decode()
    assert "家属看照片确认不是" in page
    assert "家属看照片确认不是" not in client.get("/tracing/").content.decode()


def test_notice_filters_find_the_right_people_and_pages_never_show_secrets(client, suzhou, desk):
    from homeward.regions.models import Division

    gusu = Division.objects.get(code="320508")
    woman = admit(
        suzhou,
        desk,
        name="",
        sex="F",
        age_estimate_min=70,
        age_estimate_max=80,
        height_cm=150,
        found_division=gusu,
    )
    man = admit(
        suzhou,
        desk,
        name="",
        sex="M",
        birth_date=None,
        age_estimate_min=30,
        age_estimate_max=35,
        height_cm=175,
        found_division=gusu,
    )
    for stay in (woman, man):
        stay.admitted_at = timezone.now() - timedelta(days=2)
        stay.save()
    notices_sync()
    by_stay = {n.stay_id: str(n.public_id) for n in Notice.objects.all()}

    def shown(**params) -> set[str]:
        page = client.get("/p/", params).content.decode()
        return {sid for sid, uid in by_stay.items() if uid in page}

    assert shown() == {woman.pk, man.pk}
    assert shown(sex="F") == {woman.pk}
    assert shown(age_from=60) == {woman.pk}
    assert shown(age_to=40) == {man.pk}
    assert shown(height_from=170) == {man.pk}
    assert shown(found_in="320500") == {woman.pk, man.pk}
    assert shown(found_in="330000") == set()
    assert public_notices().count() == 2


def test_a_notice_never_shows_an_exact_birth_date_or_an_id_number(client, suzhou, desk):
    stay = admit(
        suzhou,
        desk,
        name="王某",
        name_source="said",
        birth_date=None,
        age_estimate_min=None,
        age_estimate_max=None,
    )
    from homeward.cases.models import Person

    Person.objects.filter(pk=stay.person_id).update(
        birth_date="1961-07-19", id_number="320508196107191234"
    )
    stay.admitted_at = timezone.now() - timedelta(days=2)
    stay.save()
    # Identified people get no notice; force one to prove the page itself holds back.
    Person.objects.filter(pk=stay.person_id).update(id_number="")
    notices_sync()
    Person.objects.filter(pk=stay.person_id).update(id_number="320508196107191234")
    notice = Notice.objects.get()
    page = client.get(f"/p/notices/{notice.public_id}/").content.decode()
    api = client.get(f"/api/tracing/notices/{notice.public_id}").content.decode()
    for text in (page, api):
        assert (
            "1961-07-19" not in text and "19610719" not in text and "320508196107191234" not in text
        )
