"""A new report folded into the pools of the people it blocks with (`matching.pools`):
one pair per person, instead of matching each of them against every report again."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from homeward.cases.models import Person
from homeward.matching import fusion
from homeward.matching.attributes.comparisons import COMPARISONS
from homeward.matching.pools import Pool
from homeward.tracing.models import Candidate, MissingReport, ReportChange, ReportFold, SearchPool

CHUNK = 2_000  # people per query (SQLite's limit on a query's parameters)
# A report's change is committed within this time of its save: the transactions that save
# one are short. One that took longer could have its report counted twice, or not at all,
# in the pools of people matched meanwhile: their rivals a little off until the nightly
# re-link makes every pool anew. Never the pair itself: it is scored either way.
SAVED_TO_COMMITTED = timedelta(minutes=1)


def keep_pools(pools: Mapping[str, Pool], by_id: Mapping[str, Person], table: Any) -> None:
    """Keep the pools a full match against `table` gave (`matcher.match_table`),
    replacing older ones, person by person in order (two writers never wait on each other
    in a circle). A kept pool that a report was folded into after this table was read
    counts a report the new one lacks: it is dropped instead, and the person's next search
    matches them in full."""
    lo, hi = table.read_between
    found = sorted((by_id[f].pk, pool) for f, pool in pools.items() if f in by_id)
    for k in range(0, len(found), CHUNK):
        chunk = dict(found[k : k + CHUNK])
        with transaction.atomic():
            newer = set(
                SearchPool.objects.select_for_update()
                .filter(person_id__in=list(chunk), folded_at__gte=lo)
                .order_by("person_id")
                .values_list("person_id", flat=True)
            )
            SearchPool.objects.filter(person_id__in=newer).delete()
            _write(
                {p: pool for p, pool in chunk.items() if p not in newer},
                table.version,
                (lo, hi, None),
                ["model_version", "pool", "table_from", "table_to", "folded_at"],
            )


def _write(pools: Mapping[int, Pool], version: str, times: tuple, fields: list[str]) -> None:
    """Upsert the pools by person id (in order), `times` their (table_from, table_to,
    folded_at), `fields` those a kept row takes: one statement per 500 rows, which costs
    far less to write out than `bulk_update`'s CASE per row."""
    table_from, table_to, folded_at = times
    SearchPool.objects.bulk_create(
        [
            SearchPool(
                person_id=person_id,
                model_version=version,
                pool=pool.as_json(),
                table_from=table_from,
                table_to=table_to,
                folded_at=folded_at,
            )
            for person_id, pool in sorted(pools.items())
        ],
        batch_size=500,
        update_conflicts=True,
        unique_fields=["person"],
        update_fields=fields,
    )


def changed_at(report: MissingReport) -> datetime:
    """When the report's present version was saved: its own last save, or a later change
    to a relative, a photo or an embedding (`ReportChange`)."""
    logged = ReportChange.objects.filter(report_id=report.pk).aggregate(at=Max("at"))["at"]
    return max(report.updated_at, logged) if logged else report.updated_at


def foldable_pools(
    report: MissingReport, people: Iterable[Person], table: Any, keep: int
) -> tuple[dict[int, Pool], dict[int, Pool]]:
    """The kept pools of these people that this report's pair can join without matching
    them again, by person id, locked until the transaction ends (on PostgreSQL: two
    reports folded at once wait for each other, person by person): (to fold the pair
    into, that count it already). Anyone else is matched in full.

    A pool counts the report when its table held the report's present version: read
    more than SAVED_TO_COMMITTED after that version was saved. It lacks it when its table
    was read before the report was verified (or made). Between the two, or when a
    version other than the present one was folded in (the report changed since), nobody
    can say which version the pool counts: a full match settles it. A report folded
    already (a job run again) has its pair counted in the pools that lacked it. A pool
    whose best pairs name a report that is no longer searched, or changed since
    (`ReportTable.changed_since`), is made anew too. (One among the rest that left still
    counts in the pool's size and sum until the nightly re-link: a little rival weight,
    never a pair on the desk.)"""
    at = changed_at(report)
    searched_from = report.verified_at or report.created_at  # not searched before
    fold, created = ReportFold.objects.select_for_update().get_or_create(
        report=report, defaults={"version_at": at}
    )
    if not created and fold.version_at != at:
        return {}, {}
    ids = sorted(p.pk for p in people)
    version, live = table.version, table.row_of
    lacking: dict[int, Pool] = {}
    counting: dict[int, Pool] = {}
    for k in range(0, len(ids), CHUNK):
        rows = (
            SearchPool.objects.select_for_update()
            .filter(person_id__in=ids[k : k + CHUNK], model_version=version)
            .order_by("person_id")
            .values_list("person_id", "pool", "table_from", "table_to")
        )
        for person_id, data, table_from, table_to in rows:
            pool = Pool.from_json(data)
            if pool.keep != keep or any(r not in live for r, *_ in pool.top):
                continue  # a best pair's report is no longer searched: matched in full
            if table_from > at + SAVED_TO_COMMITTED:
                counting[person_id] = pool
            elif table_to < searched_from:
                (lacking if created else counting)[person_id] = pool
    return lacking, counting


def fold(
    table: Any,
    pairs: Mapping[str, Any],
    lacking: Mapping[int, Pool],
    counting: Mapping[int, Pool],
    by_id: Mapping[str, Person],
    report_key: str,
) -> list[dict[str, Any]]:
    """The report's pair with each person of `lacking` and `counting` (`foldable_pools`;
    the pairs from `ReportTable.pairs_with`): folded into the pools that lack it, which are
    kept grown. Returns the HWX candidates of the pairs among their person's best. The
    pairs already on the desk of a person whose pool grew get its prior and rivals (the
    new report is one more rival)."""
    candidates, touched, grown_of = [], {}, {}
    names = [c.name for c in COMPARISONS]
    for k, found in enumerate(pairs["found"]):
        if found not in by_id:
            continue  # deleted since the people were read
        person_id = by_id[found].pk
        total = float(pairs["total"][k])
        if person_id in lacking:
            pool = lacking[person_id].add(
                report_key, total, float(pairs["strongest"][k]), pairs["recency"]
            )
            grown_of[person_id] = pool
        elif person_id in counting:
            pool = counting[person_id]
        else:
            continue
        rank = pool.rank(report_key)
        if rank is None:
            continue
        if person_id in grown_of:
            touched[person_id] = pool
        shown = (pairs["fields"][k] * table.slope).astype(np.float32)
        breakdown = dict(zip(names, shown.tolist(), strict=True))
        breakdown["calibration"] = table.intercept
        candidates.append(
            fusion.candidate(
                found,
                report_key,
                rank,
                pool.prior(table.prior),
                {p: float(pairs["parts"][p][k]) for p in fusion.PARTS},
                breakdown if "attributes" in table.evidence else None,
                table.calibration,
                table.version,
                pool.rivals(report_key, total, table.prior),
            )
        )
    _rescore_desk(table, touched, report_key)
    # The rows exist (locked): only the pool and the time of the fold change.
    now = timezone.now()
    _write(grown_of, table.version, (now, now, now), ["pool", "folded_at"])
    return candidates


def _rescore_desk(table: Any, pools: Mapping[int, Pool], report_key: str) -> None:
    """The open pairs of these people (other than with the new report) under the prior
    and rivals of their grown pools: the exact total where the pair is among the best,
    else the one kept on the desk."""
    from homeward.tracing import matcher

    on_desk = Candidate.objects.filter(
        person_id__in=list(pools),
        status__in=(Candidate.Status.OPEN, Candidate.Status.INQUIRY),
    )
    for candidate in on_desk:
        key = matcher.missing_id(candidate.report_id)
        if key == report_key:
            continue
        pool = pools[candidate.person_id]
        exact = [t for r, t, *_ in pool.top if r == key]
        total = exact[0] if exact else candidate.log10_total
        prior, rivals = pool.prior(table.prior), pool.rivals(key, total, table.prior)
        odds = np.array(prior - rivals)
        posterior = float(fusion.posterior(odds, np.array(total), table.calibration))
        candidate.posterior = round(posterior, 6)
        candidate.evidence = {
            **candidate.evidence,
            "prior": round(prior, 4),
            "rivals": round(rivals, 4) + 0.0,
        }
        candidate.save(update_fields=["posterior", "evidence"])
