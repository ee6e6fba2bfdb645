"""A backup's manifest: what it holds (the database, row counts per table, every file with its
SHA-256) and how to check that a folder still holds exactly that."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

FORMAT = "homeward-backup/1"
NAME = "manifest.json"


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says what to do."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Entry:
    """One file of the backup, by its path inside the backup's folder."""

    path: str
    bytes: int
    sha256: str

    @classmethod
    def of(cls, root: Path, path: Path) -> Entry:
        return cls(
            path=path.relative_to(root).as_posix(),
            bytes=path.stat().st_size,
            sha256=sha256_of(path),
        )


DATABASES = ("database.sqlite3", "database.dump")
FIELDS = {
    "created_at": str,
    "homeward_version": str,
    "engine": str,
    "database": str,
    "tables": dict,
    "migrations": list,
    "files": list,
    "missing": list,
    "secrets": bool,
    "rebuilt": dict,
    "field_keys": list,
    "hash_key": str,
    "format": str,
}


def _inside(path: object) -> bool:
    """A relative path that stays inside the backup's folder (a file a restore may copy)."""
    if not isinstance(path, str) or not path or "\\" in path or "\x00" in path:
        return False
    parts = PurePosixPath(path).parts
    return not PurePosixPath(path).is_absolute() and ".." not in parts and "." not in parts


def _shape_problem(data: dict) -> str:
    """What in the manifest's JSON is not what `Manifest` writes; empty when nothing."""
    for name, kind in FIELDS.items():
        if name in ("missing", "rebuilt", "secrets", "field_keys", "hash_key") and name not in data:
            continue
        if not isinstance(data.get(name), kind):
            return f"{name} is missing or not a {kind.__name__}"
    if set(data) - set(FIELDS):
        return f"unknown fields {sorted(set(data) - set(FIELDS))}"
    if not all(isinstance(k, str) for k in data.get("field_keys", [])):
        return "a field key's id is not a text"
    if data["engine"] not in ("sqlite", "postgresql") or data["database"] not in DATABASES:
        return "it names no database Homeward writes"
    tables = data["tables"]
    if not all(isinstance(k, str) and type(v) is int and v >= 0 for k, v in tables.items()):
        return "a table's row count is not a whole number"
    for pair in data["migrations"]:
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
        ):
            return "a migration is not an app and a name"
    for entry in data["files"]:
        if not (isinstance(entry, dict) and set(entry) == {"path", "bytes", "sha256"}):
            return "a file entry is not a path, a size and a checksum"
        if not _inside(entry["path"]):
            return f"the file {entry['path']!r} lies outside the backup"
        if type(entry["bytes"]) is not int or not isinstance(entry["sha256"], str):
            return f"the file {entry['path']} has no size or checksum"
    if not any(entry["path"] == data["database"] for entry in data["files"]):
        return "its database file is not among its files"
    return ""


@dataclass
class Manifest:
    created_at: str
    homeward_version: str
    engine: str  # "sqlite" or "postgresql": the database the backup was made from
    database: str  # the database file inside the backup
    tables: dict[str, int]  # row counts, read in the same snapshot as the database file
    migrations: list[list[str]]  # [app, name] applied, in the order they were applied
    files: list[Entry] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # files rows name that were not on disk
    secrets: bool = False
    rebuilt: dict[str, str] = field(default_factory=dict)  # what is not kept, and how it returns
    # The ids of the keys the database's encrypted values are under (homeward/common/crypto.py):
    # a restore needs them, from the installation's settings or from the backup's secrets.
    field_keys: list[str] = field(default_factory=list)
    hash_key: str = ""  # a fingerprint of the lookup-hash key the digests were made with
    format: str = FORMAT

    def write(self, folder: Path) -> Path:
        target = folder / NAME
        text = json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True)
        target.write_text(text + "\n", encoding="utf-8")
        return target

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BackupError(f"{folder} is not a Homeward backup: it has no {NAME}.") from None
        except (OSError, ValueError) as exc:
            raise BackupError(f"{path} cannot be read: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            found = data.get("format") if isinstance(data, dict) else None
            raise BackupError(f"{path}: format {found!r} is not one this version reads ({FORMAT}).")
        problem = _shape_problem(data)
        if problem:
            raise BackupError(f"{path} is damaged: {problem}.")
        data["files"] = [Entry(**entry) for entry in data["files"]]
        return cls(**data)

    def problems(self, folder: Path) -> list[str]:
        """Every way the folder differs from the manifest: a file missing, of another size or
        another checksum. Empty when the backup is whole."""
        found = []
        for entry in self.files:
            path = folder / entry.path
            if not path.is_file():
                found.append(f"{entry.path}: missing")
            elif path.stat().st_size != entry.bytes:
                found.append(f"{entry.path}: {path.stat().st_size} bytes, {entry.bytes} expected")
            elif sha256_of(path) != entry.sha256:
                found.append(f"{entry.path}: checksum differs")
        return found
