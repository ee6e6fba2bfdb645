"""The found people's faces for the intake desk's "seen before?" check.

They are searched through the engine's exact face index (`matching.face.index.FaceIndex`),
kept in each process and caught up from the database before each search:

- rows added since the last catch-up (ids above the last one seen) are appended;
- when rows have gone (the count falls short of what was seen plus what is new), the index
  is read again in full.

So a search reads two figures and the new rows, never every vector on every request.
Face vectors are never changed in place: a new embedding is a new row.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import Count, Max

from homeward.matching.face.index import FaceIndex, Hit
from homeward.tracing.models import FaceVector

DIM = 128  # the face engine's embedding length


@dataclass
class _Kept:
    database: tuple = ()
    index: FaceIndex | None = None
    last_id: int = 0
    count: int = 0
    full_reads: int = 0  # how often every vector was read (tests count them)


_kept = _Kept()
_lock = threading.Lock()


def _rows():
    # Counted through the (kind, model) index: no vector is read to count them.
    return FaceVector.objects.filter(kind=FaceVector.Kind.FOUND)


def _add(index: FaceIndex, rows: list[tuple[int, int, bytes]]) -> int:
    """Append (id, person id, vector) rows; returns how many had a usable vector."""
    good = [(pk, person, bytes(v)) for pk, person, v in rows if person and len(bytes(v)) == 4 * DIM]
    if good:
        index.add_many(
            "found",
            [str(person) for _, person, _ in good],
            [str(pk) for pk, _, _ in good],
            np.stack([np.frombuffer(v, dtype="<f4") for _, _, v in good]),
        )
    return len(good)


def _catch_up() -> FaceIndex:
    database = (connection.alias, connection.settings_dict["NAME"])
    state = _rows().aggregate(count=Count("id"), top=Max("id"))
    count, top = state["count"], state["top"] or 0
    if _kept.index is not None and _kept.database == database:
        if (top, count) == (_kept.last_id, _kept.count):
            return _kept.index
        if top >= _kept.last_id:
            since = _rows().filter(id__gt=_kept.last_id, id__lte=top, vector__isnull=False)
            new = list(since.values_list("id", "person_id", "vector"))
            if _kept.count + len(new) == count:  # nothing went: only rows came
                _add(_kept.index, new)
                _kept.last_id, _kept.count = top, count
                return _kept.index
    index = FaceIndex("found-faces", DIM)
    every = _rows().filter(id__lte=top, vector__isnull=False)
    _add(index, list(every.values_list("id", "person_id", "vector")))
    _kept.database, _kept.index, _kept.last_id, _kept.count = database, index, top, count
    _kept.full_reads += 1
    return index


def nearest_found(query: np.ndarray, *, limit: int) -> list[Hit]:
    """The `limit` found people (record ids are person ids) whose faces are nearest to the
    query embedding, nearest first."""
    with _lock:
        index = _catch_up()
        return index.search("found", np.asarray(query, np.float32), k=limit)


def full_reads() -> int:
    return _kept.full_reads


def forget() -> None:
    """Drop the kept index (tests that reuse ids)."""
    with _lock:
        _kept.index = None
        _kept.last_id = _kept.count = 0
