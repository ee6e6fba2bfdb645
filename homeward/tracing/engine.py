"""The bridge between the records in the database and the matching engine.

Records become HWX dicts (the exchange format) and go through
`homeward.matching.search.match_records`, the same code path as the batch
matcher `homeward match`, so the web app and the command give the same candidates.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from homeward.cases.hwx import found_record
from homeward.cases.models import Person, Stay
from homeward.tracing.models import FaceVector, FoundDna, MissingReport


def found_id(person_id: int) -> str:
    return f"P{person_id}"


def missing_id(report_id: int) -> str:
    return f"R{report_id}"


def _vectors(rows: Iterable[FaceVector]) -> list[list[float]]:
    return [np.frombuffer(bytes(r.vector), dtype="<f4").tolist() for r in rows if r.vector]


def found_hwx(person: Person) -> dict[str, Any] | None:
    """The HWX `found` record of a person, from their latest stay, faces and DNA."""
    stay = person.stays.select_related("station").order_by("-admitted_at").first()
    if stay is None:
        return None
    record = found_record(stay)
    record["id"] = found_id(person.pk)
    faces = FaceVector.objects.filter(kind=FaceVector.Kind.FOUND, person=person)
    record["face_embeddings"] = _vectors(faces)
    dna = FoundDna.objects.filter(person=person, status=FoundDna.Status.ENTERED).first()
    if dna is not None and dna.profile:
        record["dna"] = dna.profile
    return record


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
        face = FaceVector.objects.filter(report_photo=photo).first()
        if face is not None and face.vector:
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


def match(found: list[dict[str, Any]], missing: list[dict[str, Any]], top: int) -> list[dict]:
    """HWX candidates for the given records (best `top` reports per found person)."""
    from homeward.matching.search import match_records

    if not found or not missing:
        return []
    return match_records(found, missing, top=top).candidates


def searchable_people() -> Iterable[Person]:
    """People in a station now whose identity is not settled (the found side)."""
    return Person.objects.filter(
        merged_into__isnull=True, stays__status=Stay.Status.IN_STATION
    ).distinct()


def searchable_reports() -> Iterable[MissingReport]:
    return MissingReport.objects.filter(status=MissingReport.Status.VERIFIED).prefetch_related(
        "photos", "relatives"
    )
