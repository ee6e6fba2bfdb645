"""The GB/T 2260 table the product carries (`data/divisions.csv`, its source and licence in
`data/DIVISIONS.md`): the one reader of it, for the engine, the regions app and the
address parser alike."""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources


@functools.cache
def division_rows() -> tuple[dict[str, str], ...]:
    """Every row as {"code", "name", "latitude", "longitude"} (strings; a blank point where
    the table has none), ordered by code."""
    text = resources.files("homeward.matching").joinpath("data/divisions.csv").read_text("utf-8")
    return tuple(csv.DictReader(io.StringIO(text)))
