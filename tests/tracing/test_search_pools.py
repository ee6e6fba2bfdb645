"""A new report is folded into the pools of the people it blocks with (one pair each,
nobody matched again), and the desk shows what a full re-link shows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from homeward.tracing.models import Candidate, SearchPool
from homeward.tracing.services import relink_all, search_for_report
from tests.cases.conftest import admit
from tests.tracing.conftest import staff_report


def _pools():
    return {row.person_id: (row.pool["size"], row.table_from) for row in SearchPool.objects.all()}


def _desk():
    return {
        (c.person_id, c.report_id): c.posterior
        for c in Candidate.objects.filter(status=Candidate.Status.OPEN)
    }


@pytest.fixture
def people(suzhou, desk, tracer, django_capture_on_commit_callbacks):
    """Two reports on file, then five people taken in (each matched in full): three men of
    about sixty, a younger man and a woman."""
    with django_capture_on_commit_callbacks(execute=True):
        staff_report(tracer)
        staff_report(
            tracer, name="王建国", birth_date=date(1958, 1, 1), contact_phone="13700000009"
        )
    found = {}
    for name, sex, low, high in [
        ("李明", "M", 60, 66),
        ("王建国", "M", 62, 70),
        ("张伟", "M", 55, 68),
        ("赵大", "M", 30, 40),
        ("刘芳", "F", 60, 66),
    ]:
        with django_capture_on_commit_callbacks(execute=True):
            stay = admit(
                suzhou, desk, name=name, sex=sex, age_estimate_min=low, age_estimate_max=high
            )
        found[name] = stay.person.pk
    return found


def test_a_new_report_joins_the_pools_it_blocks_with_and_scores_as_a_full_relink(
    people, tracer, django_capture_on_commit_callbacks
):
    before = _pools()
    assert set(before) == set(people.values())
    assert {size for size, _ in before.values()} >= {2}  # the men of sixty: both reports
    with django_capture_on_commit_callbacks(execute=True):
        staff_report(
            tracer, name="李明亮", birth_date=date(1961, 3, 1), contact_phone="13700000003"
        )
    with django_capture_on_commit_callbacks(execute=True):
        staff_report(tracer, name="张卫", birth_date=date(1962, 8, 1), contact_phone="13700000004")
    after = _pools()
    for name in ("李明", "王建国", "张伟"):
        person = people[name]
        assert after[person][0] == before[person][0] + 2, name  # one pair per report ...
        assert after[person][1] == before[person][1], name  # ... and no full match
    for name in ("赵大", "刘芳"):  # too young; a woman: the reports never block with them
        assert after[people[name]] == before[people[name]], name
    folded = _desk()
    assert folded  # the new reports put pairs on the desk

    relink_all()
    assert _desk() == pytest.approx(folded, abs=1e-6)
    relinked = _pools()
    assert {p: size for p, (size, _) in relinked.items()} == {
        p: size for p, (size, _) in after.items()
    }


def test_a_search_run_again_counts_the_report_once(
    people, tracer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = staff_report(
            tracer, name="李明亮", birth_date=date(1961, 3, 1), contact_phone="13700000003"
        )
    once, desk_once = _pools(), _desk()
    search_for_report(report)  # the job taken again after a crash, say
    assert _pools() == once
    assert _desk() == pytest.approx(desk_once, abs=1e-9)


def test_a_person_matched_after_the_report_was_saved_is_matched_in_full(
    suzhou, desk, tracer, django_capture_on_commit_callbacks
):
    """The report is on file before the person comes in, and its own search runs only
    then: the person's pool counts it already, so it is not folded in twice."""
    first = staff_report(tracer)  # its search job not run
    with django_capture_on_commit_callbacks(execute=True):
        stay = admit(suzhou, desk, name="李明", age_estimate_min=60, age_estimate_max=66)
    size = SearchPool.objects.get(person=stay.person).pool["size"]
    posterior = Candidate.objects.get(report=first).posterior
    search_for_report(first)
    assert SearchPool.objects.get(person=stay.person).pool["size"] == size
    assert Candidate.objects.get(report=first).posterior == pytest.approx(posterior, abs=1e-9)


def test_a_report_changed_after_it_was_folded_in_has_its_people_matched_in_full(
    people, tracer, django_capture_on_commit_callbacks
):
    """A relative's DNA comes in after the report's first search: which version each
    pool counts is unknown, so the people it blocks with are matched in full (their pools
    made anew), and the report is still counted once."""
    from homeward.tracing.models import Relative
    from homeward.tracing.services import relative_set_dna
    from tests.tracing.conftest import PROFILE

    with django_capture_on_commit_callbacks(execute=True):
        report = staff_report(
            tracer, name="李明亮", birth_date=date(1961, 3, 1), contact_phone="13700000003"
        )
    folded = _pools()
    relative = Relative.objects.create(report=report, relation="mother", name="王芳")
    with django_capture_on_commit_callbacks(execute=True):
        relative_set_dna(
            relative=relative, status="entered", profile=PROFILE, by=tracer, consent="search"
        )
    again = _pools()
    for name in ("李明", "王建国", "张伟"):
        person = people[name]
        assert again[person][0] == folded[person][0], name  # counted once
        assert again[person][1] > folded[person][1], name  # matched in full
    assert again[people["刘芳"]] == folded[people["刘芳"]]
    desk = _desk()
    relink_all()
    assert _desk() == pytest.approx(desk, abs=1e-6)


def test_the_people_in_stations_are_read_once_and_kept_up_to_date(
    people, suzhou, desk, tracer, django_capture_on_commit_callbacks
):
    """New reports are scored against the kept people: read from the database once, then
    only who the change log names: a new intake, a corrected name, a person who left. A
    change without a log row, or a new day, reads everyone again."""
    from homeward.cases.models import Person
    from homeward.cases.services.exits import ExitData, stay_exit
    from homeward.tracing import found_table, matcher

    def kept():
        table, _ = matcher.report_table()
        return found_table.found_people(table)

    found_table.forget()  # (the reports' searches in `people` read them already)
    before = found_table.reads()
    first = kept()
    assert sorted(first.ids()) == sorted(matcher.found_id(pk) for pk in people.values())
    assert found_table.reads() == before + 1
    with django_capture_on_commit_callbacks(execute=True):
        staff_report(
            tracer, name="李明亮", birth_date=date(1961, 3, 1), contact_phone="13700000003"
        )
    newcomer = admit(suzhou, desk, name="钱多", age_estimate_min=20, age_estimate_max=30)
    stay_exit(
        stay=Person.objects.get(pk=people["赵大"]).stays.get(), data=ExitData(kind="left"), by=desk
    )
    liu = Person.objects.get(pk=people["刘芳"])
    liu.name = "刘芳芳"
    liu.save()
    now = kept()
    assert found_table.reads() == before + 1  # caught up from the log, nobody else read again
    assert matcher.found_id(newcomer.person_id) in now.ids()
    assert matcher.found_id(people["赵大"]) not in now.ids()
    assert now.record(matcher.found_id(liu.pk))["name"] == "刘芳芳"
    assert first.record(matcher.found_id(liu.pk))["name"] == "刘芳"  # a search under way

    # A fix made by a queryset update (no signal, no log row) moves the rows' stamp.
    Person.objects.filter(pk=liu.pk).update(name="刘芳", updated_at=timezone.now())
    assert kept().record(matcher.found_id(liu.pk))["name"] == "刘芳"
    assert found_table.reads() == before + 2
    # One that leaves no trace at all is read by the nightly re-link.
    Person.objects.filter(pk=liu.pk).update(name="刘小芳")
    assert kept().record(matcher.found_id(liu.pk))["name"] == "刘芳"
    relink_all()
    assert kept().record(matcher.found_id(liu.pk))["name"] == "刘小芳"
    assert found_table.reads() == before + 3
    tomorrow = timezone.now() + timedelta(days=1)
    with time_machine.travel(tomorrow, tick=False):
        kept()
    assert found_table.reads() == before + 4  # ages are counted from today


def test_a_full_match_from_before_a_fold_never_overwrites_the_folded_pool(
    people, tracer, django_capture_on_commit_callbacks
):
    """The nightly re-link reads its table, a report is verified and folded in meanwhile,
    then the re-link writes its pools: the folded pool counts a report the re-link's does
    not, so it is dropped, and the next report matches that person in full."""
    from homeward.tracing import matcher
    from homeward.tracing.services import pools

    table, _ = matcher.report_table()
    records = [r for _p, r in matcher.found_records(matcher.searchable_people())]
    stale = table.match(records, top=10, pools=True)["pools"]  # the re-link, under way
    with django_capture_on_commit_callbacks(execute=True):
        staff_report(
            tracer, name="李明亮", birth_date=date(1961, 3, 1), contact_phone="13700000003"
        )
    folded = _pools()
    li = people["李明"]
    by_id = {matcher.found_id(p.pk): p for p in matcher.searchable_people()}
    pools.keep_pools(stale, by_id, table)
    after = _pools()
    assert li not in after  # dropped, not overwritten with a pool that lacks the report
    assert after[people["赵大"]][0] == folded[people["赵大"]][0]  # never folded: replaced
    with django_capture_on_commit_callbacks(execute=True):
        staff_report(tracer, name="张卫", birth_date=date(1962, 8, 1), contact_phone="13700000004")
    assert _pools()[li][0] == folded[li][0] + 1  # matched in full: both reports counted
    desk = _desk()
    relink_all()
    assert _desk() == pytest.approx(desk, abs=1e-6)


def test_a_merge_and_its_undoing_reach_the_kept_people(
    people, suzhou, desk, tracer, django_capture_on_commit_callbacks
):
    from homeward.cases.models import Person
    from homeward.cases.services.people import person_merge, person_merge_undo
    from homeward.tracing import found_table, matcher

    def kept():
        table, _ = matcher.report_table()
        return set(found_table.found_people(table).ids())

    found_table.forget()
    before = found_table.reads()
    assert matcher.found_id(people["张伟"]) in kept()
    merge = person_merge(
        kept=Person.objects.get(pk=people["李明"]),
        merged=Person.objects.get(pk=people["张伟"]),
        reason="同一人，指纹一致",
        by=desk,
    )
    assert matcher.found_id(people["张伟"]) not in kept()
    person_merge_undo(merge=merge, by=desk)
    assert matcher.found_id(people["张伟"]) in kept()
    assert found_table.reads() == before + 1  # both caught up from the log
