"""The verified reports are encoded for the matcher once and kept until one changes."""

from __future__ import annotations

from django.core.cache import cache

from homeward.tracing import matcher
from homeward.tracing.models import MissingReport
from tests.tracing.conftest import staff_report


def test_the_reports_table_is_kept_while_the_reports_are_unchanged(
    tracer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = staff_report(tracer)
    table, reports = matcher.report_table()
    assert [r.pk for r in reports] == [first.pk]
    again, _ = matcher.report_table()
    assert again is table  # nothing changed: not encoded again

    with django_capture_on_commit_callbacks(execute=True):
        second = staff_report(tracer, name="李明亮", contact_phone="13700000003")
    table, reports = matcher.report_table()
    assert table is not again
    assert [r.pk for r in reports] == [first.pk, second.pk]
    assert table.ids == [matcher.missing_id(first.pk), matcher.missing_id(second.pk)]

    # A report closed (the family found them): no longer searched. The commit moves the
    # generation every process checks, whatever order concurrent commits land in.
    generation = cache.get(matcher.GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        first.status = MissingReport.Status.CLOSED
        first.save()
    assert cache.get(matcher.GENERATION_KEY) > generation
    table, reports = matcher.report_table()
    assert [r.pk for r in reports] == [second.pk]
    assert table.ids == [matcher.missing_id(second.pk)]


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
