"""The bridge between the records in the database and the matching engine.

Records become HWX dicts (the exchange format) and go through the bulk matcher
(`homeward.matching.bulk.ReportTable`), the same code path as the batch matcher
`homeward match`, so the web app and the command give the same candidates. The verified
reports are encoded once per process; after that, a change to a report (or its photos,
relatives or embeddings) is logged in its own transaction (`ReportChange`) and each process
encodes that report again and no other (`report_table`). Their DNA index is kept on disk
under the var folder; a family entered later is appended to the table's own DNA segments
(`matching.bulk_dna`) until the table is next built anew.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone

from homeward.cases.hwx import found_record
from homeward.cases.models import Person, Stay
from homeward.tracing.models import (
    FaceVector,
    FoundDna,
    MissingReport,
    Relative,
    ReportChange,
    ReportPhoto,
)

logger = logging.getLogger(__name__)


def found_id(person_id: int) -> str:
    return f"P{person_id}"


def missing_id(report_id: int) -> str:
    return f"R{report_id}"


def person_pk(found: str) -> int:
    """The person of a found id (`found_id`)."""
    return int(found[1:])


def report_pk(missing: str) -> int:
    """The report of a missing id (`missing_id`)."""
    return int(missing[1:])


def found_hwx(person: Person) -> dict[str, Any] | None:
    """The HWX `found` record of a person, from their latest stay, faces and DNA."""
    records = found_records([person])
    return records[0][1] if records else None


FOUND_BATCH = 2_000  # people per round of queries (SQLite's bound parameters stay few)


def found_records(people: Iterable[Person]) -> list[tuple[Person, dict[str, Any]]]:
    """(person, HWX `found` record) of each person with a stay, in the given order: three
    queries per 2,000 people (latest stays, face vectors, DNA), never one per person."""
    out: list[tuple[Person, dict[str, Any]]] = []
    batch: list[Person] = []
    for person in people:
        batch.append(person)
        if len(batch) == FOUND_BATCH:
            out += _found_batch(batch)
            batch = []
    if batch:
        out += _found_batch(batch)
    return out


def _found_batch(people: list[Person]) -> list[tuple[Person, dict[str, Any]]]:
    ids = [p.pk for p in people]
    latest: dict[int, Stay] = {}
    stays = Stay.objects.filter(person_id__in=ids).select_related("station", "person")
    for stay in stays.order_by("person_id", "-admitted_at", "-pk"):
        latest.setdefault(stay.person_id, stay)
    faces: dict[int, list[list[float]]] = {}
    vectors = FaceVector.objects.filter(kind=FaceVector.Kind.FOUND, person_id__in=ids)
    for person_id, vector in vectors.order_by("pk").values_list("person_id", "vector"):
        if vector:
            faces.setdefault(person_id, []).append(np.frombuffer(bytes(vector), "<f4").tolist())
    dna = dict(
        FoundDna.objects.filter(person_id__in=ids, status=FoundDna.Status.ENTERED)
        .order_by("pk")
        .values_list("person_id", "profile")
    )
    out = []
    for person in people:
        stay = latest.get(person.pk)
        if stay is None:
            continue
        stay.person = person  # the caller's instance: what it holds is what is compared
        record = found_record(stay)
        record["id"] = found_id(person.pk)
        if person.id_number:  # its birth date and birthplace are facts to compare (not exported)
            record["id_number"] = person.id_number
        record["face_embeddings"] = faces.get(person.pk, [])
        if dna.get(person.pk):
            record["dna"] = dna[person.pk]
        out.append((person, record))
    return out


def _date(value, precision: str) -> str | None:
    if value is None:
        return None
    return {"year": value.strftime("%Y"), "month": value.strftime("%Y-%m")}.get(
        precision, value.isoformat()
    )


def missing_hwx(report: MissingReport) -> dict[str, Any]:
    """The HWX `missing` record of a report, with its photos' embeddings and relatives' DNA."""
    photos, embeddings = [], []
    for photo in report.photos.all():
        try:
            face = photo.face
        except FaceVector.DoesNotExist:
            continue
        if face.vector:
            embeddings.append(np.frombuffer(bytes(face.vector), dtype="<f4").tolist())
            photos.append(
                {
                    "path": photo.image.name,
                    "taken": str(photo.taken_year) if photo.taken_year else None,
                }
            )
    record: dict[str, Any] = {
        "kind": "missing",
        "id": missing_id(report.pk),
        "sex": report.sex,
        "birth_date": _date(report.birth_date, report.birth_precision),
        "name": report.name,
        "aliases": report.aliases,
        "home_division": report.home_division_id,
        "lost_date": _date(report.lost_date, "day"),
        "lost_division": report.lost_division_id,
        "height_cm": report.height_cm,
        "marks": report.marks,
        "conditions": report.conditions,
        "photos": photos,
        "face_embeddings": embeddings,
        "relatives": [
            {"relation": r.relation, "dna": r.profile}
            for r in report.relatives.all()
            if r.searchable
        ],
    }
    if report.lost_latitude is not None and report.lost_longitude is not None:
        record["lost_point"] = [report.lost_latitude, report.lost_longitude]
    return {k: v for k, v in record.items() if v is not None}


_kept: dict[str, Any] = {}
_lock = threading.Lock()


GENERATION_KEY = "tracing:reports:generation"


def reports_changed() -> None:
    """Called after a commit that changed a report, relative, report photo or embedding
    (tracing/signals.py): every process builds its table again."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def _model_file() -> Path:
    return Path(settings.ATTRIBUTE_MODEL_FILE)


def current_model() -> Any:
    """The attribute model the search scores with: the one fitted to this site's records
    (`services.learning`), else the shipped one; read again when its file changes.

    A site's model saved for other comparisons (an upgrade added a level) is not used: the
    shipped one scores until the next refit writes a new one, and the log says so."""
    from homeward.matching.attributes.model import AttributeModel

    path = _model_file()
    stamp = path.stat().st_mtime_ns if path.is_file() else None
    with _model_lock:
        if _model_kept.get("stamp") != stamp or "model" not in _model_kept:
            model = AttributeModel.load()
            if stamp is not None:
                try:
                    model = AttributeModel.load(path)
                except ValueError as exc:
                    logger.warning("site model not used, the shipped one scores: %s", exc)
            _model_kept.update(stamp=stamp, model=model)
        return _model_kept["model"]


_model_kept: dict[str, Any] = {}
_model_lock = threading.Lock()


def reports_stamp() -> tuple:
    """What the searchable reports' table was built from: the generation `reports_changed`
    moves in the shared cache, and the counts and latest changes of the rows (which also
    catch a change made without signals, such as a queryset update that adds a row)."""
    model = _model_file()
    stamp: list[Any] = [
        cache.get_or_set(GENERATION_KEY, 1, None),
        connection.alias,
        connection.settings_dict["NAME"],
        model.stat().st_mtime_ns if model.is_file() else None,  # a refitted model
    ]
    for qs, latest in (
        (MissingReport.objects.all(), "updated_at"),
        (Relative.objects.all(), "updated_at"),
        (ReportPhoto.objects.all(), "id"),
        (FaceVector.objects.filter(kind=FaceVector.Kind.MISSING), "id"),
    ):
        row = qs.aggregate(n=Count("id"), latest=Max(latest))
        stamp += [row["n"], row["latest"]]
    return tuple(stamp)


# Encoded columns that hold numbers; every other integer column holds a string's code.
NUMBER_COLUMNS = {"by_lo", "by_hi"}
# A change's log row is written when it is saved and may commit a little later: each
# catch-up reads the log back this far, and skips the rows it has already applied.
LOG_WINDOW = timedelta(minutes=10)
LOG_KEPT = timedelta(days=1)  # `report_table_verify` drops older rows
REBUILT_EVERY = timedelta(hours=20)


def report_table() -> tuple[Any, list[MissingReport]]:
    """The bulk matcher's table of every verified report, and those reports: built on first
    use; after that, when `reports_stamp` moves, the reports the change log names are
    encoded again and nothing else (`ReportTable.add`, `remove`; a relative's DNA goes into
    the table's own DNA segments). A change the log does not explain (a queryset update, a
    refitted model), or one the table cannot take in place (face embeddings of another
    model), builds the table anew.

    The table's `read_between` (lo, hi) says what it holds: every change committed before
    lo, none saved after hi (`services.pools` tells by it whether a person's pool counts
    a report)."""
    with _lock:  # the stamp too: a thread that waited never catches up from an older one
        stamp = reports_stamp()
        if _kept.get("stamp") != stamp and not _catch_up(stamp):
            _rebuild(stamp)
        elif timezone.now() - _kept["built_at"] > REBUILT_EVERY:
            _rebuild(stamp)  # every process, daily: set-aside rows go, a missed write is mended
        return _kept["table"], list(_kept["reports"].values())


def dna_index_root() -> Path:
    """Where the reporting families' DNA indexes are kept (`matching.evidence`)."""
    return Path(settings.DNA_INDEX_DIR)


def dna_forget(forgotten: Mapping[int, float]) -> int:
    """After a commit that erased or replaced relatives' DNA (`services.dna_index`): blank
    the families of these reports (each with the time it was first tried, after its
    commit) in every kept DNA index on disk (`matching.dna_forget`), then log the reports
    changed again, so that each process's table reads them anew (a row read between the
    commit and that time was blanked though current), also when a folder failed. Returns
    the family rows blanked; raises OSError when a folder could not be blanked."""
    from homeward.matching.dna_forget import forget

    try:
        return forget(dna_index_root(), {missing_id(pk): at for pk, at in forgotten.items()})
    finally:
        ReportChange.objects.bulk_create(
            [
                ReportChange(report_id=pk)
                for pk in MissingReport.objects.filter(pk__in=list(forgotten)).values_list(
                    "pk", flat=True
                )
            ]
        )
        reports_changed()


def _base() -> tuple:
    model = _model_file()
    return (
        connection.alias,
        connection.settings_dict["NAME"],
        model.stat().st_mtime_ns if model.is_file() else None,
    )


def _records(reports: list[MissingReport]) -> tuple[list[dict], list[MissingReport]]:
    """Parsed HWX records of the reports, and the reports the engine took (a record it
    refuses is left out, as the batch matcher leaves out a bad line)."""
    from homeward.matching.search import parse_records

    parsed, bad = parse_records([missing_hwx(r) for r in reports], "missing")
    dropped = {position for position, _field, _message in bad}
    return parsed, [r for k, r in enumerate(reports) if k not in dropped]


def _rebuild(stamp: tuple) -> None:
    from homeward.matching.bulk import ReportTable

    log_from = timezone.now()
    seen = set(
        ReportChange.objects.filter(at__gte=log_from - LOG_WINDOW).values_list("id", flat=True)
    )
    # The reports are read after the log: a DNA erasure logged there came before (its
    # families are blanked in an index built from them only if erased after this time).
    read_at = time.time()
    parsed, reports = _records(list(searchable_reports()))
    table = ReportTable(parsed, model=current_model(), dna_index=dna_index_root(), read_at=read_at)
    table.read_between = (log_from, timezone.now())
    _kept.update(
        stamp=stamp,
        after=reports_stamp(),
        base=_base(),
        table=table,
        reports={missing_id(r.pk): r for r in reports},
        log_from=log_from,
        seen=seen,
        built_at=log_from,
    )
    _kept["rebuilds"] = _kept.get("rebuilds", 0) + 1


def _catch_up(stamp: tuple) -> bool:
    """Apply the logged changes since the last look; False when the table must be built
    anew instead."""
    from homeward.matching.bulk_face import NeedsRebuild

    if "table" not in _kept or _kept["base"] != _base():
        return False
    log_from = timezone.now()
    if log_from - _kept["log_from"] > LOG_KEPT - LOG_WINDOW:
        return False  # idle too long: the log may have dropped rows never read here
    rows = list(
        ReportChange.objects.filter(at__gte=_kept["log_from"] - LOG_WINDOW).values_list(
            "id", "report_id", "at"
        )
    )
    fresh = [(pk, report_id) for pk, report_id, _at in rows if pk not in _kept["seen"]]
    if not fresh:
        # Nothing new in the log. If the rows are as they were just after the last look
        # (only the generation moved, or a change that look applied), the table is right;
        # if they moved since, something changed them without a log row.
        if stamp[1:] != _kept["after"][1:]:
            return False
        _kept["stamp"] = stamp
        return True
    changed = sorted({report_id for _pk, report_id in fresh})
    read_at = time.time()  # after the log, as in `_rebuild`
    parsed, reports = _records(list(searchable_reports().filter(pk__in=changed)))
    table = _kept["table"].copy()  # the kept one may be in use in another thread
    table.read_between = (log_from, timezone.now())
    try:
        table.remove([missing_id(pk) for pk in changed])
        table.add(parsed, read_at=read_at)
    except NeedsRebuild:
        return False
    except OSError:  # the table's own DNA folder could not be written: build anew
        logger.exception("a change could not be applied to the kept table of reports")
        return False
    kept = dict(_kept["reports"])
    for pk in changed:
        kept.pop(missing_id(pk), None)
    kept.update({missing_id(r.pk): r for r in reports})
    recent = {pk for pk, _report_id, at in rows if at >= log_from - LOG_WINDOW}
    _kept.update(
        stamp=stamp,  # as before the log was read: a commit since then is looked at again
        after=reports_stamp(),
        table=table,
        reports=kept,
        log_from=log_from,
        seen=recent | {pk for pk, _ in fresh},
    )
    return True


def report_table_verify() -> bool:
    """The nightly check: the kept table against one built anew from the database (what a
    change without a signal, such as a queryset update, would have left behind). On any
    difference the new one is kept and the log says so. Also drops the change log's rows
    older than a day. Returns whether the kept table was right."""
    ReportChange.objects.filter(at__lt=timezone.now() - timedelta(days=1)).delete()
    with _lock:
        kept = _kept.get("table")
        _rebuild(reports_stamp())
        fresh = _kept["table"]
        same = kept is not None and _same_rows(kept, fresh)
    if kept is not None and not same:  # (none kept: this process had not built one)
        logger.warning("the kept table of reports differed from the database: built anew")
    return same


def _same_rows(kept: Any, fresh: Any) -> bool:
    """Whether two report tables hold the same live reports with the same encoded rows."""
    ids = fresh.live_ids()
    if sorted(kept.live_ids()) != sorted(ids):
        return False
    a = np.array([kept.row_of[i] for i in ids], dtype=np.int64)
    b = np.array([fresh.row_of[i] for i in ids], dtype=np.int64)
    vocab_a = {code: text for text, code in kept.vocab.items()}
    vocab_b = {code: text for text, code in fresh.vocab.items()}
    for name, column in fresh.cols.items():
        left, right = kept.cols[name][..., a], column[..., b]
        if column.dtype.kind == "i" and name not in NUMBER_COLUMNS:  # codes differ by table
            if _decoded(left, vocab_a) != _decoded(right, vocab_b):
                return False
        elif not np.array_equal(left, right, equal_nan=column.dtype.kind == "f"):
            return False
    if (kept.face is None) != (fresh.face is None):
        return False
    if kept.face is not None and _faces(kept.face, a) != _faces(fresh.face, b):
        return False
    if (kept.dna is None) != (fresh.dna is None):
        return False
    if kept.dna is not None and not np.array_equal(
        kept.dna.seg_of[a] >= 0, fresh.dna.seg_of[b] >= 0
    ):
        return False  # a family indexed in one and not in the other
    return {i for i in kept._dna_rows if i in kept.row_of} == set(fresh._dna_rows)


def _decoded(codes: np.ndarray, vocab: dict[int, str]) -> list:
    """Codes (n,) or lists of codes (width, n) as the strings they stand for, per row."""
    rows = codes.reshape(-1, codes.shape[-1]).T
    return [sorted(vocab[int(c)] for c in row if c >= 0) for row in rows]


def _faces(face: Any, rows: np.ndarray) -> list:
    """Each row's photo embeddings as bytes, sorted (slots may be padded differently)."""
    return [
        sorted(face.missing[row, k].tobytes() for k in np.flatnonzero(face.missing_mask[row]))
        for row in rows
    ]


def rebuilds() -> int:
    """How often this process built its table of reports from every report."""
    return _kept.get("rebuilds", 0)


def forget_reports() -> None:
    """Drop the kept table (tests that reuse ids and clocks)."""
    with _lock:
        _kept.clear()


def match_table(
    table: Any, found: list[dict[str, Any]], top: int, *, cluster: str = "", parsed: bool = False
) -> dict[str, Any]:
    """The match of `found` against the reports of `table` (`report_table`), here or on
    the Dask cluster at `cluster` (`matching.cluster`): {"candidates": HWX candidates,
    "pools": each found id's `matching.pools.Pool`}. A cluster that does not answer, loses
    its workers or runs past `cluster.RUN_TIMEOUT` is logged as an error and the match is
    made here: slower, but made. With `parsed`, the records are parsed already
    (`found_table.found_people`) and matched here."""
    if not found or not len(table):
        return {"candidates": [], "pools": {}}
    if cluster and not parsed:
        from homeward.matching.cluster import match_all

        try:
            timeout = settings.MATCH_CLUSTER_TIMEOUT
            return match_all(cluster, table, found, top=top, timeout=timeout, pools=True)
        except Exception as exc:  # noqa: BLE001 (any failure there: the run is made here)
            # A fault in the matching itself raises here again, with its traceback.
            logger.error(
                "matched in this process: the cluster failed: %s: %s", type(exc).__name__, exc
            )
    return table.match(found, top=top, pools=True, parsed=parsed)


def match(found: list[dict[str, Any]], missing: list[dict[str, Any]], top: int) -> list[dict]:
    """HWX candidates for the given records (best `top` reports per found person)."""
    from homeward.matching.bulk import ReportTable
    from homeward.matching.search import parse_records

    if not found or not missing:
        return []
    parsed, _bad = parse_records(missing, "missing")
    return ReportTable(parsed, model=current_model()).match(found, top=top)["candidates"]


def searchable_people() -> Iterable[Person]:
    """People in a station now whose identity is not settled (the found side)."""
    return Person.objects.filter(
        merged_into__isnull=True, stays__status=Stay.Status.IN_STATION
    ).distinct()


def searchable_reports() -> Iterable[MissingReport]:
    return (
        MissingReport.objects.filter(status=MissingReport.Status.VERIFIED)
        .prefetch_related("photos__face", "relatives")
        .order_by("pk")
    )
