"""Forgetting reports' families in the DNA indexes kept on disk, for an erasure.

Two kinds of folder under a DNA index root hold families: the kept indexes of whole report
sets (`evidence.DnaEvidence`, named by a digest of their DNA, shared by every process and
kept a few generations) and a table's own index of the reports added since it was built
(`bulk_dna`, `.added-*`). Both are read in place (memory-mapped) by every table that opened
them, so a family is not taken out: its records are overwritten with "no DNA" where they
lie (`DnaIndex.blank`). A reader sees that at once and scores no evidence there; its table
sets the row aside anyway when the report's change reaches it.

Each folder says which report each family row is and when that report was read from the
database: `families.json` ("ids", "read_at") and `ids.json` ("ids", "read_at" per row).
`forget(root, ids, at=T)` blanks the rows of those reports read before T: a row read later
is the report as it is after the erasure. The caller takes T after the erasure committed,
so a row read between the commit and T is blanked too though it is current: the caller
then marks the reports changed again, so that every table reads them anew.

The erasure is written to `forgotten.jsonl` before the folders are looked through. A folder
built from records read before T and put in place after the look reads the list itself
(`blank_forgotten`), so no ordering of the two leaves an erased family on disk. Entries
older than `KEPT_FOR` are dropped: no index is built from records that old.

A kept index with a blanked row is not opened again for a new table (`is_blanked`): a new
one with the same DNA is built beside it under another name. A folder that cannot be blanked
does not stop the others; `forget` raises at the end, so its caller tries again. Hosts that
share the root must keep their clocks in time (as they must for the change logs).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from homeward.matching.files import write_atomic

FORGOTTEN = "forgotten.jsonl"
KEPT_FOR = 7 * 86400.0  # seconds an erasure stays on the list
ABANDONED = 6 * 3600.0  # a building folder unchanged this long was left by a crash
ORPHANED = 600.0  # a table's own index without its list, unchanged this long, was too
INDEX_NAME = re.compile(r"[0-9a-f]{24}(-[0-9]+)?")  # a kept index (`evidence`); -N: again

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    with open(root / ".forgotten.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _entries(root: Path) -> dict[str, float]:
    """Each report on the list, with the latest time it was forgotten; a torn line is
    skipped."""
    path = root / FORGOTTEN
    if not path.is_file():
        return {}
    out: dict[str, float] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        try:
            line = json.loads(raw)
            report, when = str(line["id"]), float(line["at"])
        except (ValueError, KeyError, TypeError):
            continue
        out[report] = max(when, out.get(report, when))
    return out


def ours(folder: Path) -> bool:
    """Whether a name under the root is one this code makes (a kept index, a table's own,
    one being built): anything else there (a volume's `lost+found`) is not looked into."""
    return bool(INDEX_NAME.fullmatch(folder.name)) or folder.name.startswith(
        (".added-", ".building-")
    )


def _rows(folder: Path) -> tuple[Path, dict] | None:
    """The file listing a folder's family rows and what it holds, if it has one. Both are
    only ever put in place whole, so one that does not parse is damage: ValueError."""
    for name in ("families.json", "ids.json"):
        path = folder / name
        if path.is_file():
            return path, json.loads(path.read_text(encoding="utf-8"))
    return None


def is_blanked(listing: Mapping) -> bool:
    """Whether a kept index's `families.json` says a row of it was blanked."""
    return bool(listing.get("blanked"))


def _blank(folder: Path, path: Path, listing: dict, forgotten: Mapping[str, float]) -> int:
    """Blank the rows of `folder` whose report is in `forgotten` and was read before it
    was forgotten; record them as blanked. Returns the number of rows blanked."""
    from homeward.matching.dna.index import DnaIndex

    ids = listing.get("ids")
    read_at = listing.get("read_at")
    rows = []
    for row, report in (ids or {}).items():
        when = read_at.get(row, 0.0) if isinstance(read_at, dict) else read_at or 0.0
        if (
            report in forgotten
            and when < forgotten[report]
            and row not in listing.get("blanked", [])
        ):
            rows.append(row)
    if not rows:
        return 0
    count = DnaIndex.open(folder).blank(rows)
    listing["blanked"] = sorted({*listing.get("blanked", []), *rows})
    used = path.stat()
    write_atomic(path, json.dumps(listing))
    # Blanking is not a use: the clean-up keeps the indexes used last (`evidence`).
    os.utime(path, ns=(used.st_atime_ns, used.st_mtime_ns))
    return count


def forget(root: Path, ids: Iterable[str] | Mapping[str, float], *, at: float | None = None) -> int:
    """Blank the families of the reports `ids` in every index under `root` that read them
    before they were forgotten, and put them on the list for the indexes being built.
    `ids` maps each report to the time it was forgotten, or lists reports forgotten at
    `at` (now by default): a caller trying again gives the time of its first try, so a
    family read since (the report as it is now) is left alone. Returns the number of
    family rows blanked; raises OSError, once every other folder is done, when a folder
    could not be blanked or the list could not be written."""
    if isinstance(ids, Mapping):
        forgotten = {str(i): float(t) for i, t in ids.items()}
    else:
        when = time.time() if at is None else at
        forgotten = dict.fromkeys(map(str, ids), when)
    if not forgotten:
        return 0
    root.mkdir(parents=True, exist_ok=True)
    failed = []
    with _locked(root):
        try:
            entries = _entries(root)
            for report, when in forgotten.items():
                entries[report] = max(when, entries.get(report, when))
            newest = max(entries.values())
            lines = [
                json.dumps({"id": report, "at": when}) + "\n"
                for report, when in entries.items()
                if when > newest - KEPT_FOR
            ]
            write_atomic(root / FORGOTTEN, "".join(lines))
        except OSError as exc:  # a full disk: blanking in place needs no room, so go on
            logger.error("%s: the list of erasures could not be written: %s", root, exc)
            failed.append(FORGOTTEN)
        count = 0
        for folder in sorted(root.iterdir()):
            if not ours(folder):
                continue
            try:
                count += _forget_in(folder, forgotten)
            except Exception as exc:  # noqa: BLE001 (one folder stops no other)
                if folder.exists():  # gone meanwhile (a table's own, its table dropped): done
                    logger.error("%s: could not be blanked: %r", folder, exc)
                    failed.append(folder.name)
    if failed:
        raise OSError(f"DNA index folders not blanked: {', '.join(failed)}")
    return count


def _newest_change(folder: Path) -> float:
    newest = folder.stat().st_mtime
    for path in folder.rglob("*"):
        with contextlib.suppress(FileNotFoundError):  # its builder replaced it meanwhile
            newest = max(newest, path.stat().st_mtime)
    return newest


def _forget_in(folder: Path, forgotten: Mapping[str, float]) -> int:
    if not folder.is_dir():
        return 0
    if folder.name.startswith(".building-"):
        # Its builder reads the list once it is in place; one left by a crash goes.
        if _newest_change(folder) < time.time() - ABANDONED:
            shutil.rmtree(folder)
        return 0
    found = _rows(folder)
    if found is None:
        if folder.name.startswith(".added-") and (folder / "meta.json").is_file():
            # A table's own index that never listed its rows: its process crashed between
            # the two writes, or ran a version before this list. Removed once no one can
            # be writing it; until then the erasure is not done.
            if _newest_change(folder) < time.time() - ORPHANED:
                shutil.rmtree(folder)
                return 0
            if json.loads((folder / "meta.json").read_text(encoding="utf-8"))["segments"]:
                raise OSError("a table's own index without its list of rows")
        return 0
    path, listing = found
    if "ids" not in listing and path.name == "families.json":
        # Kept by a version that did not say which report each row is: nothing can be
        # blanked in it, so it goes (no table of this version opens it).
        shutil.rmtree(folder)
        return 0
    return _blank(folder, path, listing, forgotten)


def _blank_listed(folder: Path) -> int:
    """Blank `folder`'s rows of reports forgotten after they were read (under the lock)."""
    found = _rows(folder)
    if found is None:
        return 0
    forgotten = _entries(folder.parent)
    path, listing = found
    return _blank(folder, path, listing, forgotten) if forgotten else 0


def blank_forgotten(folder: Path) -> int:
    """For a kept index just put in place, or opened by a new table (its builder may have
    crashed before it looked): blank its rows of reports forgotten after they were read.
    Returns the number of rows blanked."""
    if not (folder.parent / FORGOTTEN).is_file():
        return 0
    with _locked(folder.parent):
        return _blank_listed(folder)


def rows_added(folder: Path, ids: Mapping[int, str], read_at: float) -> int:
    """A table's own index (`bulk_dna`) took the families of `ids` (row: report id), read
    from the database at `read_at`: list them in its `ids.json`, and blank those forgotten
    since. Returns the number of rows blanked."""
    with _locked(folder.parent):
        path = folder / "ids.json"
        listing = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        listing.setdefault("ids", {}).update({str(row): i for row, i in ids.items()})
        listing.setdefault("read_at", {}).update({str(row): read_at for row in ids})
        write_atomic(path, json.dumps(listing))
        return _blank_listed(folder)


def held(root: Path) -> set[str]:
    """The reports whose families hold DNA in some index under `root` (rows not blanked):
    what an erasure test or an operator checks."""
    out: set[str] = set()
    if not root.is_dir():
        return out
    for folder in root.iterdir():
        found = _rows(folder) if folder.is_dir() and ours(folder) else None
        if found is None:
            continue
        _path, listing = found
        blanked = set(listing.get("blanked", []))
        out |= {report for row, report in (listing.get("ids") or {}).items() if row not in blanked}
    return out
