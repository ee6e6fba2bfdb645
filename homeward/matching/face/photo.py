"""Reading a photo: EXIF orientation applied, a downscaled working copy for detection."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

# Detection runs on a copy no longer than this; dlib's HOG costs ~50 ms at 1024 px and
# grows with the pixel count, while faces in intake photos stay well above its minimum size.
WORKING_SIDE_PX = 1024
# The chip is cut from the full photo, but a 50-megapixel upload need not stay in memory.
DETAIL_SIDE_PX = 3072
# A picture may claim far more pixels than its file holds (a 116-byte PNG of 30000 x 30000):
# the claim is checked before anything is decoded.
MAX_PIXELS = 50_000_000


class PhotoError(ValueError):
    """The file is not an image that can be read."""


@dataclass(frozen=True)
class Photo:
    """A decoded photo, upright.

    `detail` is RGB uint8 (h, w, 3) at full resolution (capped at `DETAIL_SIDE_PX`); `working`
    is the same picture scaled by `scale` (<= 1) for detection. `orientation` is the EXIF
    orientation tag that was applied (1 = none). `width`/`height` describe `detail`.
    """

    detail: np.ndarray
    working: np.ndarray
    scale: float
    orientation: int

    @property
    def width(self) -> int:
        return int(self.detail.shape[1])

    @property
    def height(self) -> int:
        return int(self.detail.shape[0])


def _fit(image: Image.Image, side: int) -> Image.Image:
    factor = side / max(image.size)
    if factor >= 1:
        return image
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    # reducing_gap: a cheap box reduction first, Lanczos only for the last factor of 3.
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def load_photo(source: str | os.PathLike[str] | bytes | Image.Image) -> Photo:
    """Decode `source` (a path, the file's bytes or a PIL image) into an upright `Photo`."""
    try:
        if isinstance(source, Image.Image):
            image = source
        elif isinstance(source, bytes):
            image = Image.open(io.BytesIO(source))
        else:
            image = Image.open(source)
        if image.width * image.height > MAX_PIXELS:
            raise PhotoError(f"the image claims {image.width} x {image.height} pixels")
        if image.format == "JPEG":
            # Let the JPEG decoder skip detail the cap would throw away (1/2, 1/4, 1/8 scale).
            image.draft("RGB", (DETAIL_SIDE_PX, DETAIL_SIDE_PX))
        image.load()
    except (OSError, SyntaxError, Image.DecompressionBombError) as error:  # damaged or huge
        raise PhotoError(f"cannot read the image: {error}") from error
    orientation = int(image.getexif().get(0x0112, 1) or 1)
    image = ImageOps.exif_transpose(image) or image
    detail = _fit(image.convert("RGB"), DETAIL_SIDE_PX)
    working = _fit(detail, WORKING_SIDE_PX)
    return Photo(
        detail=np.ascontiguousarray(np.asarray(detail, dtype=np.uint8)),
        working=np.ascontiguousarray(np.asarray(working, dtype=np.uint8)),
        scale=working.width / detail.width,
        orientation=orientation,
    )
