"""The bridge between the records in the database and the matching engine.

Records become HWX dicts (the exchange format) and go through the bulk matcher
(`homeward.matching.bulk.ReportTable`), the same code path as the batch matcher
`homeward match`, so the web app and the command give the same candidates. The verified
reports are encoded once per process and kept until one of them (or its photos or
relatives) changes; their DNA index is kept on disk under the var folder.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max

from homeward.cases.hwx import found_record
from homeward.cases.models import Person, Stay
from homeward.tracing.models import FaceVector, FoundDna, MissingReport, Relative, ReportPhoto

logger = logging.getLogger(__name__)


def found_id(person_id: int) -> str:
    return f"P{person_id}"


def missing_id(report_id: int) -> str:
    return f"R{report_id}"


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
            if r.profile and r.dna_status == r.DnaStatus.ENTERED
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


def report_table() -> tuple[Any, list[MissingReport]]:
    """The bulk matcher's table of every verified report, and those reports in its order:
    built on first use and again only when `reports_stamp` changes."""
    from homeward.matching.bulk import ReportTable
    from homeward.matching.search import parse_records

    stamp = reports_stamp()
    with _lock:
        if _kept.get("stamp") != stamp:
            reports = list(searchable_reports())
            parsed, bad = parse_records([missing_hwx(r) for r in reports], "missing")
            dropped = {position for position, _field, _message in bad}
            reports = [r for k, r in enumerate(reports) if k not in dropped]
            table = ReportTable(
                parsed, model=current_model(), dna_index=Path(settings.VAR_DIR) / "dna-index"
            )
            _kept.update(stamp=stamp, table=table, reports=reports)
        return _kept["table"], _kept["reports"]


def forget_reports() -> None:
    """Drop the kept table (tests that reuse ids and clocks)."""
    with _lock:
        _kept.clear()


def match_table(table: Any, found: list[dict[str, Any]], top: int) -> list[dict]:
    """HWX candidates of `found` against the reports of `table` (`report_table`)."""
    if not found or not len(table):
        return []
    return table.match(found, top=top)["candidates"]


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
