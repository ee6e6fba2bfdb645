"""HWX (the Homeward exchange format, JSON Lines) read in one place.

The station's imports (`cases.hwx`, `tracing.hwx`), the batch matcher (`homeward match`,
`homeward attributes`) and the DNA index (`homeward dna build-db`) all take their records
from `read`, and their dates from `date_span`, so a file reads the same everywhere and a
bad line is named the same way: its number, the field, and what is wrong.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

KINDS = ("found", "missing")
# YYYY, YYYY-MM or YYYY-MM-DD (a month or day of one digit is read too).
DATE = re.compile(r"([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?")


class RecordError(ValueError):
    """A record of an exchange file (HWX, PFIF) that cannot be read: the field and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class LineError:
    """A line of a file that was not taken, by number, with the field and why."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.message}"


def read(
    lines: Iterable[str], kinds: Iterable[str] = KINDS, *, default: str | None = None
) -> Iterator[tuple[int, dict] | LineError]:
    """For each non-blank line, (line number, record) when it holds a JSON object whose
    `kind` is one of `kinds`, else a LineError saying why not. A record without a `kind` is
    taken as `default` when one is given (a file read for one kind, such as `--found`); the
    station's imports give none. Blank lines are skipped and still counted, so numbers are
    those an editor shows."""
    wanted = tuple(kinds)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield LineError(number, "line", f"not valid JSON ({exc.msg})")
            continue
        if not isinstance(record, dict):
            yield LineError(number, "line", "is not a JSON object")
            continue
        if default is not None and "kind" not in record:
            record["kind"] = default
        if record.get("kind") not in wanted:
            expected = " or ".join(f'"{kind}"' for kind in wanted)
            yield LineError(number, "kind", f"must be {expected}, not {record.get('kind')!r}")
            continue
        yield number, record


def date_span(raw: Any, field: str) -> tuple[dt.date, dt.date] | None:
    """An HWX date ("YYYY", "YYYY-MM" or "YYYY-MM-DD") as the first and the last day it may
    mean; None when absent. Raises RecordError naming `field`."""
    if raw is None or raw == "":
        return None
    match = DATE.fullmatch(raw) if isinstance(raw, str) else None
    if match is None:
        raise RecordError(field, f"not a date (YYYY, YYYY-MM or YYYY-MM-DD): {raw!r}")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if month is None:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if day is None:
            first = dt.date(year, month, 1)
            following = dt.date(year + (month == 12), month % 12 + 1, 1)
            return first, following - dt.timedelta(days=1)
        exact = dt.date(year, month, day)
    except ValueError:
        raise RecordError(field, f"not a date (YYYY, YYYY-MM or YYYY-MM-DD): {raw!r}") from None
    return exact, exact


def parse_date(raw: Any, field: str) -> dt.date | None:
    """The first day an HWX date may mean (see `date_span`); None when absent."""
    span = date_span(raw, field)
    return span[0] if span else None


def date_precision(raw: str) -> str:
    """ "year", "month" or "day": how much of an HWX date was given."""
    return {1: "year", 2: "month"}.get(len(raw.split("-")), "day")
