"""Making, checking, restoring and pruning backups (docs/operations.md).

A backup is a folder: the database (`database.sqlite3` or `database.dump`), the uploaded files
under `media/`, the site's fitted attribute model, the secret key only when asked for, and
`manifest.json` with the row count of every table and the SHA-256 of every file. It is written
under a hidden name and renamed when whole, so a folder with a manifest is a finished backup.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.dispatch import Signal
from django.utils import timezone

from homeward.backups import engines, moving, retention
from homeward.backups.manifest import BackupError, Entry, Manifest
from homeward.common import crypto
from homeward.common.files import named_files

DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
NIGHTLY = re.compile(r"^homeward-(\d{8}-\d{6})$")
# What a backup leaves out on purpose, and how it comes back after a restore.
REBUILT = {
    "dna-index": "DNA_INDEX_DIR (var/dna-index) is made again from the relatives' DNA on the "
    "first search",
    "search-pools": "kept in the database; the nightly re-link makes every one anew",
    "job-queue": "jobs waiting in the queue are not kept; the nightly re-link and the "
    "five-minute notice sync redo what they would have done",
    "cache": "emptied on restore; it fills again as pages are read",
}


def _version() -> str:
    try:
        return version("homeward")
    except PackageNotFoundError:
        return "unknown"


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _files_under(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def _private_folder(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True)
    os.chmod(path, 0o700)  # the umask may have taken bits away; a backup holds everything


def backup_make(folder: Path, *, with_secrets: bool = False) -> Manifest:
    """A backup of this installation written into `folder` (new, or empty)."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"{folder} is not an empty folder: a backup goes into a new one.")
    engine = connection.vendor
    if engine not in DATABASE_FILES:
        raise BackupError(f"Homeward backs up SQLite and PostgreSQL, not {engine}.")
    # A new folder is written under a hidden name beside it and renamed when whole; an empty
    # one that exists (a mount point, say) is written in place. Either way the manifest is
    # written last, so a folder with a manifest is a finished backup.
    in_place = folder.exists()
    partial = folder if in_place else folder.with_name(f".{folder.name}.partial")
    if not in_place:
        if partial.exists():
            shutil.rmtree(partial)
        _private_folder(partial)
    else:
        os.chmod(folder, 0o700)
    try:
        database = partial / DATABASE_FILES[engine]
        if engine == "sqlite":
            tables, migrations = engines.sqlite_copy(database)
        else:
            tables, migrations = engines.pg_dump(database)
        media = _media_root()
        for source in _files_under(media):
            target = partial / "media" / source.relative_to(media)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        missing = sorted(name for name in named_files() if not (partial / "media" / name).is_file())
        model = Path(settings.ATTRIBUTE_MODEL_FILE)
        if model.is_file():
            shutil.copy2(model, partial / "attribute-model.json")
        if with_secrets:
            (partial / "secrets").mkdir(mode=0o700)
            key = partial / "secrets" / "secret_key"
            key.write_text(settings.SECRET_KEY, encoding="utf-8")
            os.chmod(key, 0o600)
            keys = partial / "secrets" / "field_keys.json"
            keys.write_text(json.dumps(_field_keys_file()), encoding="utf-8")
            os.chmod(keys, 0o600)
        manifest = Manifest(
            created_at=timezone.localtime().isoformat(timespec="seconds"),
            homeward_version=_version(),
            engine=engine,
            database=database.name,
            tables=tables,
            migrations=migrations,
            files=[Entry.of(partial, path) for path in _files_under(partial)],
            missing=missing,
            secrets=with_secrets,
            rebuilt=dict(REBUILT),
            field_keys=crypto.key_ids_in_use(),
            hash_key=crypto.hash_key_fingerprint(),
        )
        manifest.write(partial)
        if not in_place:
            os.replace(partial, folder)
    except BaseException:
        if in_place:
            for path in list(folder.iterdir()):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        else:
            shutil.rmtree(partial, ignore_errors=True)
        raise
    _audit("backup", folder, manifest)
    return manifest


def _audit(what: str, folder: Path, manifest: Manifest) -> None:
    from homeward.accounts.audit import audit_record
    from homeward.accounts.models import AuditEvent

    audit_record(
        actor=None,
        action=AuditEvent.Action.EXPORT if what == "backup" else AuditEvent.Action.CREATE,
        object_type=f"site.{what}",
        object_id=folder.name[:64],
        label=str(folder)[:200],
        via="job",
        detail={
            "made": manifest.created_at,
            "rows": sum(manifest.tables.values()),
            "files": len(manifest.files),
            "secrets": manifest.secrets,
        },
    )


def backup_check(folder: Path) -> Manifest:
    """The backup's manifest, once every file in it is found whole; else a BackupError."""
    folder = Path(folder)
    manifest = Manifest.read(folder)
    problems = manifest.problems(folder)
    if problems:
        shown = "; ".join(problems[:10]) + (
            f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
        )
        raise BackupError(f"{folder} is damaged, nothing was restored: {shown}")
    return manifest


@dataclass
class Restored:
    manifest: Manifest
    tables: int
    rows: int
    files: int
    notes: list[str] = field(default_factory=list)


# Sent after a restore whose migrations match the code's: an app brings what the backup
# could not know up to date (privacy: erasures requested after the backup was made).
restored_signal = Signal()


def backup_restore(folder: Path, *, force: bool = False) -> Restored:
    """The backup in `folder` restored into this installation, then checked against its
    manifest. Refuses a database or media folder that already holds records, unless `force`
    (then what is there is replaced)."""
    folder = Path(folder)
    manifest = backup_check(folder)
    target = connection.vendor
    if manifest.engine != target and not (manifest.engine == "sqlite" and target == "postgresql"):
        raise BackupError(
            f"A {manifest.engine} backup cannot be restored into {target}: restore it into "
            f"{manifest.engine}, or move from SQLite to PostgreSQL as docs/operations.md says."
        )
    tables, migrations = engines.current()
    media = _media_root()
    if not force:
        holding = engines.held(tables)
        if holding:
            shown = ", ".join(holding[:5]) + (" …" if len(holding) > 5 else "")
            raise BackupError(
                f"The database already holds records ({shown}). A restore goes into an empty "
                "installation; --force replaces everything in it."
            )
        if _files_under(media):
            raise BackupError(
                f"{media} already holds files. A restore goes into an empty installation; "
                "--force replaces them."
            )
    notes: list[str] = []
    backup_keys = _field_keys_for(folder, manifest)
    database = folder / manifest.database
    if manifest.engine == target == "sqlite":
        engines.sqlite_restore(database)
    elif manifest.engine == target:
        engines.pg_restore(database)
    else:
        notes.append("moved from SQLite into PostgreSQL, row by row")
        _move_into_postgresql(database, manifest, migrations)

    _check_counts(manifest)
    _media_restore(folder, manifest, media)
    if (folder / "attribute-model.json").is_file():
        Path(settings.ATTRIBUTE_MODEL_FILE).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / "attribute-model.json", settings.ATTRIBUTE_MODEL_FILE)
    if manifest.secrets:
        notes.append(_restore_secret(folder / "secrets" / "secret_key"))
    if backup_keys is not None:
        notes.append(_keep_field_keys(backup_keys))
    cache.clear()

    restored = {
        "tables": len(manifest.tables),
        "rows": sum(manifest.tables.values()),
        "files": sum(1 for entry in manifest.files if entry.path.startswith("media/")),
    }
    _audit("restore", folder, manifest)
    code_migrations = _code_migrations()
    if code_migrations - {tuple(pair) for pair in manifest.migrations}:
        notes.append(
            "this version has newer migrations: run `homeward migrate` now, then "
            "`homeward privacy replay` (erasures made after the backup)"
        )
    else:
        for _receiver, note in restored_signal.send(sender=None, manifest=manifest):
            if note:
                notes.append(str(note))
    return Restored(manifest=manifest, notes=notes, **restored)


def _move_into_postgresql(database: Path, manifest: Manifest, migrations: list) -> None:
    from django.core.management import call_command

    if not migrations:
        call_command("migrate", verbosity=0, interactive=False)
        _, migrations = engines.current()
    have = {tuple(pair) for pair in migrations}
    want = {tuple(pair) for pair in manifest.migrations}
    if have != want:
        differ = sorted(have ^ want)[:5]
        raise BackupError(
            "The backup was made by another version of Homeward (its migrations differ from "
            f"this database's: {', '.join('.'.join(pair) for pair in differ)}). Restore it "
            "with the version that made it, or migrate both to the same version first."
        )
    with moving.sqlite_source(database) as source:
        moving.copy_rows(source)


def _restore_secret(path: Path) -> str:
    if os.environ.get("SECRET_KEY"):
        return "the backup's secret key was not written: SECRET_KEY is set in the environment"
    target = Path(settings.VAR_DIR) / "secret_key"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    os.chmod(target, 0o600)
    return f"the secret key was written to {target}; restart the app to use it"


def _field_keys_file() -> dict:
    """The field keys and the lookup-hash key, in var/field_keys.json's shape."""
    return {
        "keys": [[key_id, base64.b64encode(key).decode()] for key_id, key in settings.FIELD_KEYS],
        "hash": base64.b64encode(settings.FIELD_HASH_KEY).decode(),
    }


def _field_keys_for(folder: Path, manifest: Manifest) -> dict | None:
    """Make sure this installation holds the keys the backup's encrypted values are under and
    the lookup-hash key its digests were made with; take them from the backup's secrets when
    it has them (for this process now; the file once the restore has succeeded). Refuses,
    before anything is touched, when neither holds them. Returns the backup's keys when they
    are to be kept."""
    held = {key_id for key_id, _ in settings.FIELD_KEYS}
    lacking = sorted(set(manifest.field_keys) - held)
    other_hash = bool(manifest.hash_key) and manifest.hash_key != crypto.hash_key_fingerprint()
    if not lacking and not other_hash:
        return None
    stored = folder / "secrets" / "field_keys.json"
    if not stored.is_file() or os.environ.get("FIELD_KEYS"):
        raise BackupError(
            "The backup's ID numbers, DNA profiles and phone numbers are encrypted under keys "
            f"this installation does not hold ({', '.join(lacking) or 'the lookup-hash key'}). "
            "Set FIELD_KEYS and FIELD_HASH_KEY to the old installation's, or restore a backup "
            "made with --with-secrets; nothing was restored."
        )
    data = json.loads(stored.read_text(encoding="utf-8"))
    keys = [(key_id, base64.b64decode(value)) for key_id, value in data["keys"]]
    settings.FIELD_KEYS, settings.FIELD_HASH_KEY = keys, base64.b64decode(data["hash"])
    return data


def _keep_field_keys(data: dict) -> str:
    """The backup's keys into var/field_keys.json, the installation's own kept beside it."""
    target = Path(settings.VAR_DIR) / "field_keys.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        shutil.copy2(target, target.with_name("field_keys.json.before-restore"))
    fd, partial = tempfile.mkstemp(prefix=".field_keys.", dir=target.parent)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, target)
    return f"the backup's field keys were written to {target}; restart the app to use them"


def _code_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _check_counts(manifest: Manifest) -> None:
    tables, _ = engines.current()
    differ = [
        f"{name}: {tables.get(name)} rows, {rows} in the backup"
        for name, rows in manifest.tables.items()
        if tables.get(name) != rows
    ]
    if differ:
        raise BackupError(
            "The restored database does not match the backup (restore again with --force): "
            + "; ".join(differ[:10])
        )


def _media_restore(folder: Path, manifest: Manifest, media: Path) -> None:
    """The backup's files copied into a folder beside MEDIA_ROOT and checked there; only then
    does that folder take MEDIA_ROOT's place, so a copy that fails (a full disk) leaves the
    files that were there."""
    staging = media.with_name(f".{media.name}.restoring")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        for entry in manifest.files:
            if entry.path.startswith("media/"):
                target = staging / entry.path.removeprefix("media/")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(folder / entry.path, target)
                if Entry.of(staging, target).sha256 != entry.sha256:
                    raise BackupError(f"{entry.path} was not copied whole; nothing was replaced")
        replaced = media.with_name(f".{media.name}.replaced")
        if media.exists():
            if replaced.exists():
                shutil.rmtree(replaced)
            os.replace(media, replaced)
        os.replace(staging, media)
        shutil.rmtree(replaced, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# --- the nightly backup and its retention ------------------------------------------------


def backups_listed(root: Path) -> list[tuple[datetime, Path]]:
    """The finished nightly backups in `root`, newest first, by the time in their name."""
    found = []
    if root.is_dir():
        for path in root.iterdir():
            match = NIGHTLY.match(path.name)
            if match and (path / "manifest.json").is_file():
                found.append((datetime.strptime(match.group(1), "%Y%m%d-%H%M%S"), path))
    return sorted(found, reverse=True)


def backups_prune(root: Path, *, now: datetime | None = None) -> list[Path]:
    """The nightly backups the policy no longer keeps, removed; and any half-written one
    older than a day (a backup that crashed). Returns what was removed."""
    listed = backups_listed(root)
    keep = retention.kept(
        [stamp for stamp, _ in listed],
        daily=settings.BACKUP_KEEP_DAILY,
        weekly=settings.BACKUP_KEEP_WEEKLY,
        monthly=settings.BACKUP_KEEP_MONTHLY,
    )
    removed = [path for stamp, path in listed if stamp not in keep]
    now = now or timezone.now()
    for path in root.glob(".homeward-*.partial") if root.is_dir() else []:
        made = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.get_current_timezone())
        if now - made > timedelta(days=1):
            removed.append(path)
    for path in removed:
        shutil.rmtree(path)
    return removed


def backup_nightly() -> dict:
    """Tonight's backup into BACKUP_DIR, then the policy applied to the backups there."""
    root = Path(settings.BACKUP_DIR)
    now = timezone.localtime()
    folder = root / f"homeward-{now:%Y%m%d-%H%M%S}"
    manifest = backup_make(folder)
    removed = backups_prune(root, now=now)
    return {
        "backup": str(folder),
        "rows": sum(manifest.tables.values()),
        "files": len(manifest.files),
        "removed": [path.name for path in removed],
    }
