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
