"""Writes to the division table."""

from __future__ import annotations

from django.db import transaction

from homeward.regions.data import read_divisions
from homeward.regions.models import Division


@transaction.atomic
def divisions_load() -> int:
    """Load or refresh every division from matching/data/divisions.csv; returns how many.

    Idempotent: existing rows are updated in place, so foreign keys stay valid.
    """
    rows = read_divisions()
    existing = set(Division.objects.values_list("code", flat=True))
    new = [
        Division(
            code=r.code,
            name=r.name,
            level=r.level,
            parent_id=r.parent_code,
            latitude=r.latitude,
            longitude=r.longitude,
        )
        for r in rows
        if r.code not in existing
    ]
    # Parents come first in `rows`, so a single bulk insert respects the FK.
    Division.objects.bulk_create(new, batch_size=500)
    for r in rows:
        if r.code in existing:
            Division.objects.filter(code=r.code).update(
                name=r.name, latitude=r.latitude, longitude=r.longitude, parent_id=r.parent_code
            )
    return Division.objects.count()
