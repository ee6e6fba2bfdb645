"""Re-encoding the photos stored before every upload was re-encoded (`homeward reencode_photos`).

Each stored intake, report and incident photo is read, cleaned as a new upload would be
(`common.images.clean_image`) and stored again under a random name; the original file is
removed. A file that is not a readable image is removed and its record left without a
photo: keeping it would keep whatever it really was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import transaction

from homeward.common.images import ImageRefused, clean_image, is_clean_jpeg


@dataclass
class Reencoded:
    done: int = 0
    already: int = 0
    removed: list[str] = field(default_factory=list)


def _fields():
    from homeward.cases.models import PersonPhoto
    from homeward.dispatch.models import Incident
    from homeward.tracing.models import ReportPhoto

    # (model, field, whether a row that is only its photo goes when the photo is refused)
    return [(PersonPhoto, "image", True), (ReportPhoto, "image", True), (Incident, "photo", False)]


def photos_reencode() -> Reencoded:
    """Re-encode every stored photo; safe to run again (a JPEG that holds only what
    the cleaner writes is left as it is)."""
    result = Reencoded()
    for model, name, drop_row in _fields():
        rows = model.objects.exclude(**{name: ""}).exclude(**{f"{name}__isnull": True})
        for row in rows.iterator():
            stored = getattr(row, name)
            old = stored.name
            try:
                with default_storage.open(old, "rb") as handle:
                    data = handle.read()
                if old.endswith(".jpg") and is_clean_jpeg(data):
                    result.already += 1
                    continue
                clean = clean_image(data)
            except (ImageRefused, OSError):
                with transaction.atomic():
                    rows_of = model.objects.filter(pk=row.pk)
                    if drop_row:
                        rows_of.delete()
                    else:
                        rows_of.update(**{name: ""})
                result.removed.append(old)
            else:
                copy = clean.as_file()
                with transaction.atomic():
                    stored.save(copy.name, copy, save=False)
                    model.objects.filter(pk=row.pk).update(**{name: stored.name})
                result.done += 1
            if default_storage.exists(old):
                default_storage.delete(old)
    if result.done or result.removed:
        from homeward.tracing.services import notices_sync

        notices_sync()  # notices point at the person's photo by name
    return result
