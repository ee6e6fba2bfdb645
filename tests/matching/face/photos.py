"""The real test photos (see images/README.md) and copies made to break quality rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

IMAGES = Path(__file__).parent / "images"
FETCHED = Path(__file__).parent / ".cache"  # ignored by git; see images/README.md
FETCH_HINT = "run `python scripts/fetch_test_faces.py` (pip download of face_recognition 1.3.0)"


def photo(name: str) -> Image.Image:
    """A vendored photo, RGB."""
    return Image.open(IMAGES / name).convert("RGB")


def fetched_photo(name: str) -> Image.Image:
    """A photo fetched by scripts/fetch_test_faces.py, RGB."""
    return Image.open(FETCHED / name).convert("RGB")


def side_by_side(*images: Image.Image, height: int = 512) -> Image.Image:
    """The photos scaled to one height and pasted left to right."""
    scaled = [im.resize((round(im.width * height / im.height), height)) for im in images]
    canvas = Image.new("RGB", (sum(im.width for im in scaled), height), (128, 128, 128))
    left = 0
    for im in scaled:
        canvas.paste(im, (left, 0))
        left += im.width
    return canvas


def _squeezed(image: Image.Image, at_x: float, squeeze: float) -> Image.Image:
    # Left of `at_x` squeezed to `squeeze` of its width, the rest stretched to fill.
    rgb = np.asarray(image)
    width = rgb.shape[1]
    xs = np.arange(width, dtype=np.float64)
    stretch = (width - squeeze * at_x) / (width - at_x)
    forward = np.where(xs < at_x, xs * squeeze, squeeze * at_x + (xs - at_x) * stretch)
    source = np.clip(np.interp(xs, forward, xs).round().astype(int), 0, width - 1)
    return Image.fromarray(np.ascontiguousarray(rgb[:, source]))


def _nose_moved(image: Image.Image, nose: tuple[float, float], eyes: float, by: float):
    # A smooth sideways displacement centred on the nose, `by` eye distances at its peak.
    rgb = np.asarray(image)
    rows, cols = np.mgrid[0 : rgb.shape[0], 0 : rgb.shape[1]].astype(np.float64)
    radius = 0.45 * eyes
    bump = np.exp(-((cols - nose[0]) ** 2 + (rows - nose[1] + 0.15 * eyes) ** 2) / (2 * radius**2))
    source = np.clip((cols - by * eyes * bump).round().astype(int), 0, rgb.shape[1] - 1)
    return Image.fromarray(np.ascontiguousarray(rgb[rows.astype(int), source]))


def turned(image: Image.Image, model) -> Image.Image:
    """A copy that looks like the head turned to the image's left: that side of the face is
    foreshortened and the nose moved towards it (dlib's HOG loses the face beyond this)."""
    from homeward.matching.face import analyse_photo

    nose = analyse_photo(image, model=model).report.landmarks.nose
    squeezed = _squeezed(image, nose[0], 0.6)
    marks = analyse_photo(squeezed, model=model).report.landmarks
    return _nose_moved(squeezed, marks.nose, marks.eye_distance(), -0.3)
