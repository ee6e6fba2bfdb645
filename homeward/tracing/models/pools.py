"""What a new report needs to be scored in one pair per person (`matching.pools`)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SearchPool(models.Model):
    """A found person's pool of reports summed up by their last full match (how many,
    the best pairs, the sum of the rest's LRs): a new report's pair with them is scored
    alone and folded in (`services.search.search_for_report`). Made anew by every full
    match of the person, and for everyone by the nightly re-link."""

    person = models.OneToOneField(
        "cases.Person", on_delete=models.CASCADE, primary_key=True, related_name="search_pool"
    )
    model_version = models.CharField(max_length=40)  # the attribute model that scored it
    pool = models.JSONField()  # `matching.pools.Pool.as_json`
    # The table of reports it was matched against held every change committed before
    # `table_from`, and none saved after `table_to` (`matcher.report_table`).
    table_from = models.DateTimeField()
    table_to = models.DateTimeField()
    folded_at = models.DateTimeField(null=True)  # the last report folded in, if any

    def __str__(self) -> str:
        return f"pool of {self.person_id}: {self.pool.get('size')}"


class ReportFold(models.Model):
    """A report whose pairs were folded into the pools of the people it blocks with,
    written in the transaction that did it, with the time of the version folded: a job run
    again counts it once, and a report changed since is matched in full."""

    report = models.OneToOneField(
        "tracing.MissingReport", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version_at = models.DateTimeField()  # `services.pools.changed_at` of the version folded

    def __str__(self) -> str:
        return f"folded {self.report_id}"


class FoundChange(models.Model):
    """A change to what the matcher reads of a found person (the person, a stay, a face
    embedding, the DNA), written in the same transaction as the change: each process's
    kept found people (`tracing.found_table`) catch up from these rows."""

    person_id = models.BigIntegerField(db_index=True)  # no key: a deleted person's stays
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.at:%H:%M:%S}"
