"""Which backups to keep: the newest of each of the last N days, weeks and months that have a
backup (7 daily, 4 weekly and 12 monthly by default), and always the newest of all. One backup
can be the newest of its day, its week and its month at once, so the defaults keep at most 23
and usually fewer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any


def _periods() -> list[tuple[str, Callable[[datetime], Any]]]:
    return [
        ("daily", lambda t: t.date()),
        ("weekly", lambda t: tuple(t.isocalendar())[:2]),
        ("monthly", lambda t: (t.year, t.month)),
    ]


def kept(stamps: Iterable[datetime], *, daily: int, weekly: int, monthly: int) -> set[datetime]:
    """The backups (by the local time each was made) that the policy keeps."""
    newest_first = sorted(set(stamps), reverse=True)
    keep = set(newest_first[:1])
    counts = {"daily": daily, "weekly": weekly, "monthly": monthly}
    for name, period_of in _periods():
        periods: list[Any] = []
        for stamp in newest_first:
            period = period_of(stamp)
            if period in periods:
                continue  # the newest of this period is already the one counted
            if len(periods) >= counts[name]:
                break
            periods.append(period)
            keep.add(stamp)
    return keep
