"""A SQLite backup restored into PostgreSQL: how a station moves from the embedded default to a
server (docs/operations.md). Every row of every model is read through Django from the backup's
file and written, value by value, into the migrated PostgreSQL database, in one transaction."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from django.core.management.color import no_style
from django.db import connections, transaction

from homeward.backups.engines import quoted
from homeward.common.files import stored_models

SOURCE = "homeward_backup_source"
BATCH = 2000


@contextlib.contextmanager
def sqlite_source(path: Path) -> Iterator[str]:
    """A read-only database alias on a SQLite file, for as long as the block runs."""
    wanted = {"ENGINE": "django.db.backends.sqlite3", "NAME": f"file:{path}?mode=ro&immutable=1"}
    configured = connections.configure_settings(
        {"default": connections.settings["default"], SOURCE: wanted}
    )[SOURCE]
    configured["OPTIONS"] = {"uri": True}
    connections.settings[SOURCE] = configured
    try:
        yield SOURCE
    finally:
        connections[SOURCE].close()
        del connections[SOURCE]
        del connections.settings[SOURCE]


def copy_rows(source: str, target: str = "default") -> dict[str, int]:
    """Every table of `target` emptied and filled with `source`'s rows (the migration table
    apart: the caller checked both hold the same). Returns the rows written per table."""
    db = connections[target]
    models = stored_models()
    written = {}
    with transaction.atomic(using=target), db.cursor() as cursor:
        tables = [quoted(model._meta.db_table) for model in models]
        if db.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
        for model in models:
            fields = model._meta.concrete_fields
            columns = ", ".join(quoted(field.column) for field in fields)
            marks = ", ".join(["%s"] * len(fields))
            insert = f"INSERT INTO {quoted(model._meta.db_table)} ({columns}) VALUES ({marks})"
            rows = (
                model._base_manager.using(source)
                .order_by("pk")
                .values_list(*(field.attname for field in fields))
                .iterator(chunk_size=BATCH)
            )
            batch, count = [], 0
            for row in rows:
                batch.append(
                    [
                        field.get_db_prep_save(value, connection=db)
                        for field, value in zip(fields, row, strict=True)
                    ]
                )
                if len(batch) == BATCH:
                    cursor.executemany(insert, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(insert, batch)
                count += len(batch)
            written[model._meta.db_table] = count
        for statement in db.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    return written
