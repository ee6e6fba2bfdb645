"""Face and DNA evidence for candidate pairs, as base-10 log likelihood ratios.

Face: the best (nearest) pair of photos between the two records, turned into an LR by the
face engine's calibration, by the years between those two photos.
DNA: the DNA engine's likelihood ratio of the found person being the missing person of the
reporting family (its default population table and stepwise mutation model), read from the
engine's search index, which holds the exact closed-form LR of single relatives and parent
pairs and the exact pedigree table of larger families. NaN means "no such evidence".
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from homeward.matching.attributes.records import day_year
from homeward.matching.dna_forget import INDEX_NAME
from homeward.matching.files import write_atomic

# A DNA exclusion at many loci can reach LRs that mean "certainly not"; below this the
# number carries no more information and would only swamp the sum.
DNA_FLOOR = -30.0
FACE_CHUNK = 100_000
# Bumped when what a kept DNA index holds changes meaning (its layout, or the engine's
# defaults it is built with: population table, loci, mutation), so older ones are rebuilt.
INDEX_FORMAT = "homeward-dna-families-2"
KEEP_INDEXES = 3  # kept DNA indexes of earlier report sets (another process may use one)


class FaceEvidence:
    """Embeddings of both sides, padded: float32 (n, photos, dim) with a bool mask."""

    def __init__(
        self,
        found: Sequence[dict[str, Any]],
        missing: Sequence[dict[str, Any]],
        calibration: Any = None,
    ) -> None:
        from homeward.matching.face.calibration import shipped_calibration

        self.calibration = calibration or shipped_calibration()
        self.found, self.found_mask, self.found_year = self._stack(found)
        self.missing, self.missing_mask, self.missing_year = self._stack(missing)

    @staticmethod
    def _stack(records: Sequence[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        width = max((len(r["face_embeddings"]) for r in records), default=0)
        dims = {len(e) for r in records for e in r["face_embeddings"]}
        dim = dims.pop() if len(dims) == 1 else 0
        if len(dims) > 0:
            raise ValueError("face embeddings of different lengths: one model per run")
        emb = np.zeros((len(records), max(width, 1), max(dim, 1)), np.float32)
        mask = np.zeros((len(records), max(width, 1)), bool)
        year = np.full((len(records), max(width, 1)), np.nan)
        for i, rec in enumerate(records):
            for k, e in enumerate(rec["face_embeddings"]):
                emb[i, k] = e
                mask[i, k] = True
                date = rec["photo_dates"][k]
                if date is None and rec["kind"] == "found":
                    date = rec["found_date"]  # an intake photo is taken on the day found
                if date is not None:
                    year[i, k] = day_year((date[0] + date[1]) / 2)
        return emb, mask, year

    def log10_lr(self, fi: np.ndarray, mi: np.ndarray) -> np.ndarray:
        """float64 (n,) for pairs (int arrays fi, mi); NaN where a side has no embedding."""
        out = np.full(len(fi), np.nan)
        if self.found.shape[2] != self.missing.shape[2]:
            return out
        for start in range(0, len(fi), FACE_CHUNK):
            f, m = fi[start : start + FACE_CHUNK], mi[start : start + FACE_CHUNK]
            best = np.full(len(f), np.inf)
            years = np.full(len(f), np.nan)
            for a in range(self.found.shape[1]):
                for b in range(self.missing.shape[1]):
                    ok = self.found_mask[f, a] & self.missing_mask[m, b]
                    if not ok.any():
                        continue
                    d = np.linalg.norm(self.found[f, a] - self.missing[m, b], axis=1)
                    better = ok & (d < best)
                    best[better] = d[better]
                    years[better] = np.abs(self.found_year[f, a] - self.missing_year[m, b])[better]
            have = np.isfinite(best)
            lr = self.calibration.log10_lrs(np.where(have, best, 0.0), years)
            out[start : start + FACE_CHUNK] = np.where(have, lr, np.nan)
        return out

    def nearest(self, f: int, m: int) -> tuple[float | None, float | None]:
        """One pair's best photo distance and the years between those photos (None: no
        photo pair, or the years unknown), photo by photo."""
        best, years = None, None
        for a in np.flatnonzero(self.found_mask[f]):
            for b in np.flatnonzero(self.missing_mask[m]):
                d = float(np.linalg.norm(self.found[f, a].astype(np.float64) - self.missing[m, b]))
                if best is None or d < best:
                    best = d
                    y = abs(self.found_year[f, a] - self.missing_year[m, b])
                    years = None if np.isnan(y) else float(y)
        return best, years

    def log10_lr_reference(self, f: int, m: int) -> float | None:
        """One pair, photo by photo (the slow twin of `log10_lr`)."""
        best, years = self.nearest(f, m)
        return None if best is None else self.calibration.log10_lr(best, years)


def _forget_old_indexes(final: Path) -> None:
    """Remove kept indexes beside `final` beyond the `KEEP_INDEXES` last used, building
    folders a crash left a day ago, and tables' own indexes (`bulk_dna`) a crash left two
    days ago (a table is built anew daily), and indexes of a version before erasures could
    blank them. Only folders this code made are touched: a digest name with its
    `families.json`, `.building-*` or `.added-*`."""
    now = time.time()
    ours = []
    for d in final.parent.iterdir():
        try:
            if d.name.startswith(".building-") and now - d.stat().st_mtime > 86400:
                shutil.rmtree(d, ignore_errors=True)
            elif d.name.startswith(".added-") and now - d.stat().st_mtime > 2 * 86400:
                shutil.rmtree(d, ignore_errors=True)  # a table's own families, a crash ago
            elif INDEX_NAME.fullmatch(d.name) and (d / "families.json").is_file():
                if d != final and "ids" not in json.loads((d / "families.json").read_bytes()):
                    # Made by a version that did not say whose each family is, so an
                    # erasure could not blank it (`dna_forget`): no table here reads it.
                    shutil.rmtree(d, ignore_errors=True)
                    continue
                ours.append(((d / "families.json").stat().st_mtime, d))
        except (OSError, ValueError):  # another process removed it meanwhile
            continue
    for _, old in sorted(ours)[:-KEEP_INDEXES]:
        if old != final:
            shutil.rmtree(old, ignore_errors=True)


class DnaEvidence:
    """The DNA engine's LRs between found people's profiles and reporting families.

    Records whose DNA the engine refuses are listed in `errors` as (kind, index, message)
    and contribute no DNA evidence. With `index_dir`, the index of the families is kept
    there between runs, in a folder named by a digest of the reports' DNA (each report's
    position, id and relatives): opened again while the DNA is the same, built afresh when
    it changes; without, it lives in a temporary folder for the life of this object.
    `read_at` is when the reports were read (epoch seconds, default now): an erasure after
    it blanks their families in the kept index (`dna_forget`).
    """

    def __init__(
        self,
        found: Sequence[dict[str, Any]],
        missing: Sequence[dict[str, Any]],
        *,
        index_dir: Path | None = None,
        read_at: float | None = None,
    ) -> None:
        from homeward.matching.dna.errors import DnaError
        from homeward.matching.dna.profiles import parse_profile

        if index_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="homeward-dna-")
            index_dir = Path(self._tmp.name) / "db"
        read_at = time.time() if read_at is None else read_at
        self._open_families(missing, Path(index_dir), read_at)
        table = self.index.table
        self.profiles: dict[int, Any] = {}
        for i, rec in enumerate(found):
            if not rec["dna"]:
                continue
            try:
                sex = rec["sex"] if rec["sex"] in ("M", "F") else None
                self.profiles[i] = parse_profile(rec["dna"], field="dna", sex=sex, table=table)
            except DnaError as exc:
                self.errors.append(("found", i, exc.message))
        self.n_missing = len(missing)
        self._sex = {i: rec["sex"] for i, rec in enumerate(found)}
        self.has_family = np.zeros(len(missing), bool)
        self.has_family[list(self.family_row.values())] = True

    def __getstate__(self) -> dict:
        """Sent to another process (a cluster's workers) without the temporary folder's
        owner: the index is read where it is, and this process removes it when done."""
        state = dict(self.__dict__)
        state.pop("_tmp", None)
        return state

    def __copy__(self) -> DnaEvidence:
        """A copy in this process keeps everything, the folders' owners too
        (`copy.copy` would otherwise go through `__getstate__`)."""
        other = object.__new__(type(self))
        other.__dict__.update(self.__dict__)
        return other

    def _open_families(self, missing: Sequence[dict[str, Any]], path: Path, read_at: float) -> None:
        """The index of the reporting families, in a folder under `path` named by a digest
        of their DNA: opened when it is there (and no erasure blanked a family in it),
        built otherwise."""
        from homeward.matching.dna.index import DnaIndex
        from homeward.matching.dna_forget import blank_forgotten, is_blanked

        with_dna = [
            (j, rec.get("id"), rec["relatives"])
            for j, rec in enumerate(missing)
            if any(isinstance(r, dict) and r.get("dna") for r in rec["relatives"])
        ]
        hasher = hashlib.sha256(INDEX_FORMAT.encode())
        for entry in with_dna:
            hasher.update(json.dumps(entry, sort_keys=True, default=str).encode())
        digest = hasher.hexdigest()
        final, again = path / digest[:24], 0
        while (final / "families.json").is_file() and (
            is_blanked(json.loads((final / "families.json").read_text(encoding="utf-8")))
            or blank_forgotten(final)  # its builder crashed before it looked
        ):
            again += 1
            final = path / f"{digest[:24]}-{again}"
        if (final / "families.json").is_file():
            with contextlib.suppress(OSError):
                os.utime(final / "families.json")  # last used now: kept by the clean-up
        else:
            self._build_families(with_dna, final, digest, read_at)
        kept = json.loads((final / "families.json").read_text(encoding="utf-8"))
        self.index = DnaIndex.open(final)
        self.family_row = kept["family_row"]
        self.errors = [tuple(e) for e in kept["errors"]]

    @staticmethod
    def _build_families(with_dna: list, final: Path, digest: str, read_at: float) -> None:
        """Build the index in a folder of its own and move it into place; another process
        that got there first wins. Then the families of reports erased since `read_at` are
        blanked in it, and older indexes beyond the latest few are removed."""
        from homeward.matching.dna.errors import DnaError
        from homeward.matching.dna.index import DnaIndex, family_from_record
        from homeward.matching.dna_forget import blank_forgotten

        final.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=".building-", dir=final.parent))
        index = DnaIndex.create(building)
        families, family_row, errors = [], {}, []
        ids = {}
        for j, report, relatives in with_dna:
            ids[str(j)] = str(report)
            try:
                fam = family_from_record({"id": str(j), "relatives": relatives}, index.table)
            except DnaError as exc:
                errors.append(("missing", j, exc.message))
                continue
            families.append(fam)
            family_row[str(j)] = j
        if families:
            index.add_families(families)
        # Written last, and to the disk before the folder is put in place: a folder with
        # this file is complete.
        listing = {
            "digest": digest,
            "family_row": family_row,
            "errors": errors,
            "ids": ids,
            "read_at": read_at,
        }
        write_atomic(building / "families.json", json.dumps(listing))
        try:
            building.rename(final)
        except OSError:
            shutil.rmtree(building, ignore_errors=True)
        blank_forgotten(final)
        _forget_old_indexes(final)

    def scores(self, f: int) -> np.ndarray:
        """log10 LR of found person f against every report: float64 (n_missing,), NaN where
        either side has no DNA."""
        from homeward.matching.dna.search import scan_found_person

        out = np.full(self.n_missing, np.nan)
        if f not in self.profiles or not self.family_row:
            return out
        sex = self._sex[f] if self._sex[f] in ("M", "F") else "U"
        for seg, score in scan_found_person(self.index, self.profiles[f], sex):
            ids = np.load(self.index.path / seg["name"] / "ids.npy")
            rows = np.array([self.family_row[str(i)] for i in ids], dtype=np.intp)
            out[rows] = np.maximum(np.asarray(score, np.float64), DNA_FLOOR)
        return out

    def log10_lr(self, fi: np.ndarray, mi: np.ndarray) -> np.ndarray:
        """float64 (n,) for pairs; NaN where either side has no DNA."""
        out = np.full(len(fi), np.nan)
        want = self.has_family[mi]
        for f in np.unique(fi[want]):
            if int(f) not in self.profiles:
                continue
            sel = want & (fi == f)
            out[sel] = self.scores(int(f))[mi[sel]]
        return out
