"""The database's part of a backup and of a restore, on SQLite and on PostgreSQL.

SQLite is copied through its online backup API, page by page inside one read, so the copy is
consistent while the app writes. PostgreSQL is dumped by `pg_dump` in its custom format, in a
snapshot that this module exports and counts the rows in, so that the manifest's counts are
exactly those of the dump. A restore into PostgreSQL runs in one transaction: a failure leaves
the database as it was.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.db import connection, connections

from homeward.backups.manifest import BackupError

# Rows that `homeward migrate` itself writes: a database holding only these is empty.
SEEDED = frozenset(
    {"django_migrations", "django_content_type", "auth_permission", "regions_division"}
)


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def held(tables: dict[str, int]) -> list[str]:
    """The tables with records in them, beyond what migrating an empty database writes."""
    return sorted(name for name, rows in tables.items() if rows and name not in SEEDED)


# --- SQLite ------------------------------------------------------------------------------


def _sqlite_counts(db: sqlite3.Connection) -> tuple[dict[str, int], list[list[str]]]:
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    tables = {
        name: db.execute(f"SELECT count(*) FROM {quoted(name)}").fetchone()[0] for name in names
    }
    migrations = []
    if "django_migrations" in tables:
        migrations = [
            [app, name]
            for app, name in db.execute("SELECT app, name FROM django_migrations ORDER BY id")
        ]
    return tables, migrations


def sqlite_copy(target: Path) -> tuple[dict[str, int], list[list[str]]]:
    """The app's SQLite database copied into `target`; the counts are read from the copy."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # The copy takes the live file's WAL mode; a backup file must open read-only, from a
        # read-only copy too, without -wal and -shm files beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        return _sqlite_counts(copy)
    finally:
        copy.close()


def sqlite_read(path: Path) -> tuple[dict[str, int], list[list[str]]]:
    db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        return _sqlite_counts(db)
    finally:
        db.close()


def sqlite_restore(source: Path) -> None:
    """The app's SQLite database replaced by `source`, in one write."""
    target = connection.settings_dict["NAME"]
    connections.close_all()
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro&immutable=1", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


# --- PostgreSQL --------------------------------------------------------------------------


def _pg_settings() -> dict[str, str]:
    s = connection.settings_dict
    return {
        "host": s.get("HOST") or "",
        "port": str(s.get("PORT") or ""),
        "user": s.get("USER") or "",
        "password": s.get("PASSWORD") or "",
        "dbname": s.get("NAME") or "",
    }


def _pg_env() -> dict[str, str]:
    """libpq's variables for the app's database: no password on a command line."""
    env = dict(os.environ)
    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD"}
    for key, value in _pg_settings().items():
        if key in names and value:
            env[names[key]] = value
    env["PGDATABASE"] = _pg_settings()["dbname"]
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: PostgreSQL's client programs are needed "
            "(Debian: apt install postgresql-client, of the server's major version or newer)."
        )
    return path


def _pg_counts(cursor) -> tuple[dict[str, int], list[list[str]]]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    names = [row[0] for row in cursor.fetchall()]
    tables = {}
    for name in names:
        cursor.execute(f"SELECT count(*) FROM public.{quoted(name)}")
        tables[name] = cursor.fetchone()[0]
    migrations = []
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM public.django_migrations ORDER BY id")
        migrations = [[app, name] for app, name in cursor.fetchall()]
    return tables, migrations


def pg_dump(target: Path) -> tuple[dict[str, int], list[list[str]]]:
    """`pg_dump` of the app's database into `target`, and the rows counted in its snapshot."""
    import psycopg

    tool = _tool("pg_dump")
    params = {key: value for key, value in _pg_settings().items() if value}
    with psycopg.connect(**params, autocommit=False) as db:
        db.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        db.read_only = True
        with db.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables, migrations = _pg_counts(cursor)
            done = subprocess.run(
                [tool, "--format=custom", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot}", f"--file={target}"],
                env=_pg_env(), capture_output=True, text=True,
            )  # fmt: skip
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        db.rollback()
    return tables, migrations


def pg_restore(dump: Path) -> None:
    """The app's PostgreSQL database replaced by the dump, in one transaction: its public
    schema dropped, made anew and filled. The dump is first turned into SQL by `pg_restore`
    (a dump it cannot read stops the restore there); then `psql` runs all of it in one
    transaction and stops at the first error, and then nothing has changed."""
    restore, psql = _tool("pg_restore"), _tool("psql")
    connections.close_all()
    env = _pg_env()
    with tempfile.TemporaryDirectory(prefix="homeward-restore-") as work:
        script = Path(work) / "restore.sql"
        made = subprocess.run(
            [restore, "--no-owner", "--no-privileges", f"--file={script}", str(dump)],
            capture_output=True, text=True, env=env,
        )  # fmt: skip
        if made.returncode != 0:
            raise BackupError(f"pg_restore could not read the dump: {made.stderr.strip()}")
        done = subprocess.run(
            [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
             "-c", "DROP SCHEMA public CASCADE", "-c", "CREATE SCHEMA public",
             "-c", "GRANT USAGE ON SCHEMA public TO PUBLIC", "-f", str(script)],
            capture_output=True, text=True, env=env,
        )  # fmt: skip
    if done.returncode != 0:
        raise BackupError(f"the restore was rolled back, nothing changed: {done.stderr.strip()}")


# --- either ------------------------------------------------------------------------------


def current() -> tuple[dict[str, int], list[list[str]]]:
    """Row counts of every table of the app's database, and its applied migrations."""
    try:
        connection.ensure_connection()
    except Exception as exc:
        raise BackupError(f"the database cannot be reached: {exc}") from None
    if connection.vendor == "sqlite":
        return _sqlite_counts(connection.connection)
    with connection.cursor() as cursor:
        return _pg_counts(cursor)
