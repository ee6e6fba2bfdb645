"""The verified reports are encoded for the matcher once and kept until one changes."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

from homeward.tracing import matcher
from homeward.tracing.models import MissingReport
from tests.tracing.conftest import staff_report


def test_a_new_or_changed_report_encodes_that_report_and_no_other(
    tracer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = staff_report(tracer)
    table, reports = matcher.report_table()
    assert [r.pk for r in reports] == [first.pk]
    assert (table.encoded, matcher.rebuilds()) == (1, 1)
    again, _ = matcher.report_table()
    assert again is table  # nothing changed: nothing encoded

    with django_capture_on_commit_callbacks(execute=True):
        second = staff_report(tracer, name="李明亮", contact_phone="13700000003")
    table, reports = matcher.report_table()
    assert sorted(r.pk for r in reports) == [first.pk, second.pk]
    assert table.live_ids() == [matcher.missing_id(first.pk), matcher.missing_id(second.pk)]
    assert (table.encoded, matcher.rebuilds()) == (2, 1)  # the new report only

    # The family corrects the height: that report is encoded again, the other is not.
    with django_capture_on_commit_callbacks(execute=True):
        first.height_cm = 171
        first.save()
    table, _ = matcher.report_table()
    assert (table.encoded, matcher.rebuilds()) == (3, 1)
    row = table.row_of[matcher.missing_id(first.pk)]
    assert table.cols["height"][row] == 171

    # A report closed (the family found them): no longer searched. The commit moves the
    # generation every process checks, whatever order concurrent commits land in.
    generation = cache.get(matcher.GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        first.status = MissingReport.Status.CLOSED
        first.save()
    assert cache.get(matcher.GENERATION_KEY) > generation
    table, reports = matcher.report_table()
    assert [r.pk for r in reports] == [second.pk]
    assert table.live_ids() == [matcher.missing_id(second.pk)]
    assert matcher.rebuilds() == 1

    # A change the log cannot explain (a queryset update sends no signal) builds anew.
    MissingReport.objects.filter(pk=second.pk).update(
        status=MissingReport.Status.CLOSED, updated_at=timezone.now()
    )
    table, reports = matcher.report_table()
    assert (reports, table.live_ids(), matcher.rebuilds()) == ([], [], 2)


def test_found_people_are_read_in_three_queries_whatever_their_number(
    suzhou, desk, django_assert_num_queries
):
    from homeward.tracing.models import FaceVector, FoundDna
    from tests.cases.conftest import admit

    stays = [admit(suzhou, desk, name=f"张{k}") for k in range(4)]
    FaceVector.objects.create(
        kind=FaceVector.Kind.FOUND, person=stays[1].person, vector=b"\x00" * 512, accepted=True
    )
    FoundDna.objects.create(
        person=stays[2].person, status=FoundDna.Status.ENTERED, profile={"TH01": ["9.3"]}
    )
    people = list(matcher.searchable_people().order_by("pk"))
    with django_assert_num_queries(3):
        records = matcher.found_records(people)
    assert [record["id"] for _, record in records] == [matcher.found_id(p.pk) for p in people]
    by_person = {person.pk: record for person, record in records}
    assert len(by_person[stays[1].person.pk]["face_embeddings"]) == 1
    assert by_person[stays[2].person.pk]["dna"] == {"TH01": ["9.3"]}
    assert matcher.found_hwx(people[0]) == records[0][1]  # one person reads the same


def test_the_nightly_check_finds_a_change_made_without_a_signal(
    tracer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = staff_report(tracer)
    matcher.report_table()
    with django_capture_on_commit_callbacks(execute=True):
        staff_report(tracer, name="王强", contact_phone="13700000004", height_cm=165)
        report.marks = ["scar:face"]
        report.save()
    table, _ = matcher.report_table()
    assert (table.encoded, matcher.rebuilds()) == (3, 1)  # changed in place
    assert matcher.report_table_verify() is True  # and the same as one built anew
    MissingReport.objects.filter(pk=report.pk).update(height_cm=188)  # no signal, no log
    assert matcher.report_table_verify() is False
    table, _ = matcher.report_table()
    assert table.cols["height"][table.row_of[matcher.missing_id(report.pk)]] == 188
    assert matcher.report_table_verify() is True
    MissingReport.objects.filter(pk=report.pk).update(marks=["tattoo:left_arm"])  # a list
    assert matcher.report_table_verify() is False


def test_a_relatives_dna_entered_later_is_appended_not_built_again(
    tracer, django_capture_on_commit_callbacks
):
    from homeward.tracing.models import Relative
    from tests.tracing.conftest import PROFILE

    with django_capture_on_commit_callbacks(execute=True):
        report = staff_report(tracer)
        staff_report(tracer, name="王强", contact_phone="13700000004")
    table, _ = matcher.report_table()
    assert (table.dna.appended, matcher.rebuilds()) == (0, 1)

    with django_capture_on_commit_callbacks(execute=True):  # the lab enters the mother
        mother = Relative.objects.create(
            report=report,
            relation="mother",
            name="王芳",
            dna_status="entered",
            profile=PROFILE,
            consent="search",
        )
    table, _ = matcher.report_table()
    row = table.row_of[matcher.missing_id(report.pk)]
    assert (table.dna.appended, matcher.rebuilds()) == (1, 1)
    assert table.dna.seg_of[row] >= 0 and table.encoded == 3
    assert matcher.report_table_verify() is True  # the same as a table built anew

    with django_capture_on_commit_callbacks(execute=True):  # the sample is withdrawn
        mother.delete()
    table, _ = matcher.report_table()
    assert table.dna.seg_of[table.row_of[matcher.missing_id(report.pk)]] == -1
    assert matcher.rebuilds() == 2  # (the nightly check built one anew)
    assert matcher.report_table_verify() is True
    Relative.objects.bulk_create(  # no signal, no log: only the nightly check sees it
        [
            Relative(
                report=report,
                relation="father",
                dna_status="entered",
                profile=PROFILE,
                consent="search",
            )
        ]  # fmt: skip
    )
    assert matcher.report_table_verify() is False
