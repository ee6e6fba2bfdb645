"""From a photo to a checked, aligned, embedded face."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from homeward.matching.face.index import FaceIndex
from homeward.matching.face.model import FaceModel, default_model
from homeward.matching.face.photo import PhotoError, load_photo
from homeward.matching.face.quality import QualityReport, QualityThresholds, check_photo


@dataclass
class FaceAnalysis:
    """A photo's quality report and, when one face was chosen, its embedding.

    `embedding` is float32 (model.dim,) or None. It is computed even when a quality rule
    failed: a family's only photo of a missing child may be blurred, and the caller decides
    (intake requires `report.accepted`; a missing report may keep a weak photo).
    """

    report: QualityReport
    embedding: np.ndarray | None
    model_name: str

    def as_dict(self, *, with_embedding: bool = True) -> dict[str, Any]:
        data = self.report.as_dict()
        data["model"] = self.model_name
        if with_embedding:
            data["embedding"] = (
                None if self.embedding is None else [float(v) for v in self.embedding]
            )
        return data


def analyse_photo(
    source: str | os.PathLike[str] | bytes | Image.Image,
    *,
    model: FaceModel | None = None,
    face_index: int | None = None,
    thresholds: QualityThresholds | None = None,
) -> FaceAnalysis:
    """Read `source`, check it (see `check_photo`) and embed the chosen face.

    Raises `PhotoError` when the file is not a readable image.
    """
    model = model or default_model()
    report = check_photo(load_photo(source), model, face_index=face_index, thresholds=thresholds)
    embedding = None
    if report.chosen is not None and report.chip is not None:
        embedding = model.embed(report.chip)
    return FaceAnalysis(report=report, embedding=embedding, model_name=model.name)


def face_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance between two embeddings (float32 (dim,))."""
    return float(np.linalg.norm(np.asarray(a, np.float64) - np.asarray(b, np.float64)))


@dataclass(frozen=True)
class StoredPhoto:
    """A photo kept by the application, to (re)build the index from.

    `kind` is "found" or "missing"; `face_index` is the face staff chose when the photo held
    several (None when it held one).
    """

    kind: str
    record_id: str
    photo_id: str
    source: str | os.PathLike[str] | bytes
    face_index: int | None = None


def rebuild_index(
    photos: Iterable[StoredPhoto],
    path: str | os.PathLike[str] | None = None,
    *,
    model: FaceModel | None = None,
) -> tuple[FaceIndex, dict[str, list[str]]]:
    """A new index holding every stored photo in which one face could be embedded.

    Used after a model change or a damaged index. Quality failures do not exclude a photo
    (it was kept by staff); photos with no chosen face are skipped and returned as
    {photo id: reason codes}. With `path`, the result replaces the index kept there.
    """
    model = model or default_model()
    index = FaceIndex(model.name, model.dim)
    skipped: dict[str, list[str]] = {}
    for photo in photos:
        try:
            analysis = analyse_photo(photo.source, model=model, face_index=photo.face_index)
        except PhotoError:
            skipped[photo.photo_id] = ["unreadable"]
            continue
        if analysis.embedding is None:
            skipped[photo.photo_id] = [r.code for r in analysis.report.reasons]
            continue
        index.add(photo.kind, photo.record_id, photo.photo_id, analysis.embedding)
    if path is not None:
        index.path = Path(path)
        index.path.mkdir(parents=True, exist_ok=True)
        index.save()
    return index, skipped
