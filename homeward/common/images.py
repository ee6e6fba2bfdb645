"""Every uploaded image: decoded under limits, turned upright, re-encoded without metadata.

An upload is never kept as sent. Its bytes could be a script with a JPEG header, an SVG,
or a picture that claims 30000 x 30000 pixels in a hundred bytes; its EXIF block can hold
the uploader's GPS position. So each one is decoded by Pillow (JPEG, PNG or WebP only)
after its size is checked, rotated by its EXIF orientation, and written out again as a
plain JPEG under a random name. Only that copy is stored and served.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP"})  # MPO: JPEG with a second frame (phones)
# Kept photos are no longer than this on their long side: more than face matching reads
# (matching/face/photo.py DETAIL_SIDE_PX) and a printed notice needs.
KEPT_SIDE_PX = 4096
JPEG_QUALITY = 90


def max_bytes() -> int:
    return int(getattr(settings, "IMAGE_MAX_BYTES", 15 * 1024 * 1024))


def max_pixels() -> int:
    return int(getattr(settings, "IMAGE_MAX_PIXELS", 50_000_000))


class ImageRefused(ValueError):
    """The upload is not an image we keep; `message` says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CleanImage:
    data: bytes  # JPEG, no metadata
    width: int
    height: int

    def as_file(self) -> ContentFile:
        """The image as a file to store, under a random name (never the uploader's)."""
        return ContentFile(self.data, name=f"{uuid.uuid4().hex}.jpg")


def _unreadable() -> ImageRefused:
    return ImageRefused(_("This file is not a photo that can be read (JPEG, PNG or WebP)."))


def _too_many_pixels() -> ImageRefused:
    return ImageRefused(
        _("The photo has too many pixels: at most %(mp)d megapixels are accepted.")
        % {"mp": max_pixels() // 1_000_000}
    )


def clean_image(data: bytes) -> CleanImage:
    """Decode `data` under the byte and pixel limits and re-encode it as a bare JPEG.

    Raises ImageRefused with a message for the user. Never keeps EXIF, ICC, comments or
    any other block of the original.
    """
    limit = max_bytes()
    if len(data) > limit:
        raise ImageRefused(
            _("The photo is larger than %(mb)d MB. Send a smaller one.")
            % {"mb": limit // (1024 * 1024)}
        )
    if not data:
        raise _unreadable()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in FORMATS:
                    raise _unreadable()
                width, height = image.size
                if width < 1 or height < 1 or width * height > max_pixels():
                    raise _too_many_pixels()
                if image.format in ("JPEG", "MPO"):
                    image.draft("RGB", (KEPT_SIDE_PX, KEPT_SIDE_PX))
                image.load()
                upright = ImageOps.exif_transpose(image) or image
                picture = _flat_rgb(upright)
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (OSError, SyntaxError, ValueError, Warning):
        raise _unreadable() from None
    picture.thumbnail((KEPT_SIDE_PX, KEPT_SIDE_PX), Image.Resampling.LANCZOS)
    # Pillow carries a decoded file's comment, ICC profile and EXIF in `info` and writes
    # some of them back on save: the pixels go into a new image that carries nothing else.
    bare = Image.new("RGB", picture.size)
    bare.paste(picture)
    picture = bare
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanImage(data=out.getvalue(), width=picture.width, height=picture.height)


def _flat_rgb(image: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on white (a JPEG has no alpha)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def read_upload(upload) -> bytes:
    """The bytes of an uploaded file, reading no more than one byte past the limit."""
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes() + 1)
    if hasattr(upload, "seek"):
        upload.seek(0)
    return data


def clean_upload(upload) -> CleanImage:
    """`clean_image` of an uploaded file (Django's UploadedFile or any file object)."""
    return clean_image(read_upload(upload))


# JPEG segments our encoder writes: JFIF, quantisation and Huffman tables, the frame,
# restart interval. Anything else (EXIF, ICC, comments, other APPn) came from elsewhere.
_OUR_MARKERS = frozenset({0xE0, 0xDB, 0xC4, 0xC0, 0xC1, 0xC2, 0xDD})


def is_clean_jpeg(data: bytes) -> bool:
    """Whether `data` is a JPEG holding only what `clean_image` writes, with nothing after
    its end marker. Used to leave photos alone that were already cleaned."""
    if not data.startswith(b"\xff\xd8") or not data.endswith(b"\xff\xd9"):
        return False
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return False
        marker = data[at + 1]
        if marker == 0xDA:  # start of scan: entropy-coded data follows to the end marker
            return True
        if marker not in _OUR_MARKERS:
            return False
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return False


def image_response(field_file):
    """A stored photo as an answer: always image/jpeg (every stored photo is one we wrote),
    never sniffed into anything else, never cached by a shared cache (staff photos are
    personal data)."""
    from django.core.files.storage import default_storage
    from django.http import FileResponse, Http404

    if not field_file or not default_storage.exists(field_file.name):
        raise Http404
    response = FileResponse(default_storage.open(field_file.name, "rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = 'inline; filename="photo.jpg"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def clean_or_errors(upload, errors: dict[str, list[str]], field: str) -> CleanImage | None:
    """`clean_upload(upload)` for a service that gathers every error by field: on a refusal
    the reason goes into `errors[field]` and None comes back."""
    if upload is None:
        return None
    try:
        return clean_upload(upload)
    except ImageRefused as refused:
        errors.setdefault(field, []).append(refused.message)
        return None
