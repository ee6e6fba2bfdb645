"""The uploaded files as a whole: which names the records hold, and which files on disk no
record names (left by a request or a job killed between writing a file and committing the row
that names it). Knows no app: it asks Django for every model."""

from __future__ import annotations

import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

# Folders of MEDIA_ROOT with files that no row names on purpose (cases.photos: photos held
# across a form error, with their own expiry).
UNNAMED_ON_PURPOSE = ("pending",)


def stored_models() -> list:
    """Every model with a table of its own, many-to-many tables included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def named_files() -> set[str]:
    """Every file name that a row's file field holds."""
    names: set[str] = set()
    for model in stored_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                rows = model._base_manager.exclude(**{field.attname: ""})
                names.update(rows.values_list(field.attname, flat=True))
    return names


class SweepRefused(Exception):
    """The sweep would remove most of the files: the records it read are not these files'."""


def orphans_forget(*, older_than_s: int = 24 * 3600, most: float = 0.5) -> list[str]:
    """Files under MEDIA_ROOT that no record names, older than a day (a younger one may
    belong to a save still under way), removed. Returns their names.

    Refuses (SweepRefused, shown on /jobs/) when more than `most` of the files would go, and
    there are more than a few: the database it read is then not the one these files belong to
    (a fresh one before a restore, another installation sharing the folder)."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    cutoff = time.time() - older_than_s
    on_disk = []
    for path in root.rglob("*"):
        try:
            if (
                path.is_file()
                and path.relative_to(root).parts[0] not in UNNAMED_ON_PURPOSE
                and path.stat().st_mtime < cutoff
            ):
                on_disk.append(path)
        except OSError:
            continue  # removed while the folder was read
    named = named_files()  # read after the listing: a row committed meanwhile keeps its file
    unnamed = [path for path in on_disk if path.relative_to(root).as_posix() not in named]
    if len(unnamed) > 10 and len(unnamed) > most * len(on_disk):
        raise SweepRefused(
            f"{len(unnamed)} of {len(on_disk)} files under {root} are named by no record: "
            "nothing was removed. Is this the database these files belong to?"
        )
    for path in unnamed:
        path.unlink(missing_ok=True)
    return sorted(path.relative_to(root).as_posix() for path in unnamed)
