"""The people in stations, kept by each process for the searches of new reports.

A new report is scored against the people the blocking rules compare it with; reading
every person in every station from the database for each report (three queries per
2,000, then parsing and encoding) would cost more than scoring them. So each process
keeps them (`matching.found_people.FoundPeople`): read once, then brought up to date from
the change log (`FoundChange`, written in the transaction of each change to a person, a
stay, a face embedding or the DNA), as the table of reports is from `ReportChange`
(`matcher.report_table`). A change the log does not explain (a queryset update, rows
written in bulk) or a new day (an estimated age is counted from today) reads them all
again; a table of reports built anew has them encoded again with its vocabulary. A change
that leaves no trace at all (a queryset update of a name) waits for the nightly re-link,
which reads everyone (`forget`).
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone

from homeward.cases.models import Person, Stay
from homeward.tracing import matcher
from homeward.tracing.models import FaceVector, FoundChange, FoundDna

_lock = threading.Lock()
_kept: dict[str, Any] = {}


def people_stamp() -> tuple:
    """The counts and latest changes of the rows a found record is read from (a change
    without a log row moves them), and of the change log."""
    stamp: list[Any] = [connection.alias, connection.settings_dict["NAME"]]
    for qs, latest in (
        (Person.objects.all(), "updated_at"),
        (Stay.objects.all(), "updated_at"),
        (FaceVector.objects.filter(kind=FaceVector.Kind.FOUND), "id"),
        (FoundDna.objects.all(), "updated_at"),
        (FoundChange.objects.all(), "id"),  # a change that moved none of the above
    ):
        row = qs.aggregate(n=Count("id"), latest=Max(latest))
        stamp += [row["n"], row["latest"]]
    return tuple(stamp)


def found_people(table: Any) -> Any:
    """Every person in a station now (`matcher.searchable_people`), parsed and encoded with
    `table`'s vocabulary (`FoundPeople`): up to date with every committed change."""
    with _lock:
        stamp = people_stamp()
        day = timezone.localdate()
        fresh = _kept.get("day") == day and _kept.get("stamp", ())[:2] == stamp[:2]
        if not fresh or (_kept["stamp"] != stamp and not _catch_up(stamp, table)):
            _read_all(stamp, table)
        people = _kept["people"].for_vocab(table.vocab)
        _kept["people"] = people
        return people


def forget() -> None:
    """Read everyone again at the next search (the nightly re-link does, after rows that
    may have been written without a log row)."""
    with _lock:
        reads = _kept.get("reads", 0)
        _kept.clear()
        _kept["reads"] = reads


def reads() -> int:
    """How often this process read every person in a station."""
    return _kept.get("reads", 0)


def _parsed(people) -> list[dict[str, Any]]:
    from homeward.matching.search import parse_records

    records = [record for _person, record in matcher.found_records(people)]
    return parse_records(records, "found")[0]


def _read_all(stamp: tuple, table: Any) -> None:
    from homeward.matching.found_people import FoundPeople

    log_from = timezone.now()
    seen = set(
        FoundChange.objects.filter(at__gte=log_from - matcher.LOG_WINDOW).values_list(
            "id", flat=True
        )
    )
    people = FoundPeople(_parsed(matcher.searchable_people()), table.vocab)
    reads = _kept.get("reads", 0) + 1
    _kept.clear()
    _kept.update(
        stamp=stamp,
        after=people_stamp(),
        day=timezone.localdate(),
        people=people,
        log_from=log_from,
        seen=seen,
        reads=reads,
    )


def _catch_up(stamp: tuple, table: Any) -> bool:
    """Read again the people the log names since the last look; False when everyone must
    be read instead."""
    log_from = timezone.now()
    if log_from - _kept["log_from"] > matcher.LOG_KEPT - matcher.LOG_WINDOW:
        return False  # idle too long: the log may have dropped rows never read here
    rows = list(
        FoundChange.objects.filter(at__gte=_kept["log_from"] - matcher.LOG_WINDOW).values_list(
            "id", "person_id", "at"
        )
    )
    fresh = [(pk, person_id) for pk, person_id, _at in rows if pk not in _kept["seen"]]
    if not fresh:
        if stamp != _kept["after"]:
            return False  # the rows moved without a log row
        _kept["stamp"] = stamp
        return True
    changed = sorted({person_id for _pk, person_id in fresh})
    parsed = _parsed(matcher.searchable_people().filter(pk__in=changed))
    kept = {record["id"] for record in parsed}
    gone = [matcher.found_id(pk) for pk in changed if matcher.found_id(pk) not in kept]
    recent = {pk for pk, _person_id, at in rows if at >= log_from - matcher.LOG_WINDOW}
    _kept.update(
        stamp=stamp,
        after=people_stamp(),
        people=_kept["people"].update(parsed, gone),
        log_from=log_from,
        seen=recent | {pk for pk, _ in fresh},
    )
    return True
