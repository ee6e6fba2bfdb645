"""The reference database: families (and found persons) as memory-mapped genotype codes.

Layout of a database directory (one per region shard; search several and merge):
    meta.json                 settings, loci, per-locus allele ladders, segment list
    seg-000001/<kind>.npy     codes, locus-major; one segment per `add_*` call
    seg-000001/ids.npy        record ids (unicode)
Kinds: one per single-relative relation ("father", "full_sibling", ...), "parents"
(mother and father: uint32 code pairs, mother * stride + father), "pedigree" (any other
set of relatives: a float32 family-side table of log10 LR(g) per locus, theta 0, plus the
records as JSON for exact rescoring), and "found" (found persons, for family-to-found
searches). Ladders only grow (new alleles are appended) so stored codes stay valid. Records
are never removed; `blank` overwrites erased ones with "no DNA" in place.

Scanning ranks with closed-form indices (closed.py) at the database's theta and mutation
model; the candidates returned are rescored with the exact pedigree LR (lr.py).
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from homeward.matching import hwx
from homeward.matching.dna import closed
from homeward.matching.dna.errors import DnaError
from homeward.matching.dna.frequencies import FrequencyTable, load_table
from homeward.matching.dna.loci import CODIS_20
from homeward.matching.dna.lr import Settings, family_table, genotype_code, genotype_codes
from homeward.matching.dna.mutation import MutationModel, parse_mutation
from homeward.matching.dna.pedigree import KAPPA, Relative, build_family
from homeward.matching.dna.profiles import Profile, parse_profile
from homeward.matching.files import fsync_path, write_atomic

Family = tuple[str, list[tuple[Relative, Profile]]]
_LADDERS = threading.Lock()  # a ladder grows by one allele at a time, in one thread
PAIR_SEX = {"father": "M", "mother": "F"}


def family_kind(relatives: Sequence[Relative]) -> str:
    """Store kind for a family: its single relation, "parents", or "pedigree"."""
    relations = sorted(r.relation for r in relatives)
    if len(relations) == 1:
        return relations[0]
    if relations == ["father", "mother"]:
        return "parents"
    return "pedigree"


@dataclass
class DnaIndex:
    """A database directory; see the module docstring for its layout."""

    path: Path
    meta: dict

    def __getstate__(self) -> dict:
        """The folder and its meta only: the tables worked out from them (`_matrices`, the
        frequency table) are worked out again where the index is sent (a cluster's workers),
        not carried there."""
        return {"path": self.path, "meta": self.meta}

    # -- opening ----------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        path: Path,
        *,
        population: str = "nist1036",
        loci: Sequence[str] = CODIS_20,
        theta: float = 0.0,
        mutation: dict | None = None,
    ) -> DnaIndex:
        """A new empty database. `mutation` is case-JSON style ({"model": "stepwise"});
        by default the stepwise model with the shipped per-sex rates, so that one
        mutated locus never hides a true family."""
        table = load_table(population)
        path.mkdir(parents=True, exist_ok=True)
        ladders = {locus: table.distribution(locus)[0] for locus in loci}
        meta = {
            "population": population,
            "loci": list(loci),
            "theta": theta,
            "mutation": {"model": "stepwise"} if mutation is None else mutation,
            "ladders": ladders,
            "segments": [],
        }
        index = cls(path, meta)
        index._save()
        return index

    @classmethod
    def open(cls, path: Path) -> DnaIndex:
        meta_path = path / "meta.json"
        if not meta_path.is_file():
            raise DnaError(f"{path} is not a DNA database (no meta.json).")
        return cls(path, json.loads(meta_path.read_text(encoding="utf-8")))

    @classmethod
    def open_or_create(cls, path: Path, **kwargs: object) -> DnaIndex:
        if (path / "meta.json").is_file():
            return cls.open(path)
        return cls.create(path, **kwargs)  # type: ignore[arg-type]

    def _save(self) -> None:
        tmp = self.path / "meta.json.tmp"
        tmp.write_text(json.dumps(self.meta, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(self.path / "meta.json")

    @property
    def table(self) -> FrequencyTable:
        if not hasattr(self, "_table"):
            self._table = load_table(self.meta["population"])
        return self._table

    @property
    def loci(self) -> list[str]:
        return self.meta["loci"]

    @property
    def mutation(self) -> MutationModel | None:
        if "_mutation" not in self.__dict__:
            self._mutation = parse_mutation(self.meta["mutation"])
        return self._mutation

    def settings(self) -> Settings:
        return Settings(self.table, self.meta["theta"], self.mutation)

    def settings_dict(self) -> dict[str, object]:
        m = self.mutation
        return {
            "population": self.meta["population"],
            "theta": self.meta["theta"],
            "mutation": m.as_dict() if m else None,
            "loci": self.loci,
            "scan": "closed-form kinship indices; candidates rescored with the pedigree LR",
        }

    def summary(self) -> dict[str, object]:
        counts: dict[str, int] = defaultdict(int)
        for seg in self.meta["segments"]:
            counts[seg["kind"]] += seg["n"]
        return {"database": str(self.path), "records": dict(counts)}

    # -- ladders and codes ------------------------------------------------------------
    def frequencies(self, locus: str) -> np.ndarray:
        """Floored, renormalised frequencies (float64) in this database's ladder order."""
        ladder = self.meta["ladders"][locus]
        cache = self.__dict__.setdefault("_freqs", {})
        key = (locus, len(ladder))
        if key not in cache:
            alleles, p = self.table.distribution(locus, ladder)
            pos = {a: i for i, a in enumerate(alleles)}
            cache[key] = p[[pos[a] for a in ladder]]
        return cache[key]

    def mutation_matrix(self, locus: str, sex: str) -> np.ndarray | None:
        """The database's mutation matrix (float64 K x K) at `locus` for a parent of `sex`."""
        mut = self.mutation
        if mut is None:
            return None
        ladder = self.meta["ladders"][locus]
        cache = self.__dict__.setdefault("_mutmats", {})
        key = (locus, sex, len(ladder))
        if key not in cache:
            cache[key] = mut.matrix(locus, ladder, self.frequencies(locus), sex)
        return cache[key]

    def encode(self, profiles: Sequence[Profile]) -> np.ndarray:
        """Genotype codes uint16 (L, n), growing the ladders for new alleles."""
        out = np.zeros((len(self.loci), len(profiles)), dtype=np.uint16)
        for i, locus in enumerate(self.loci):
            ladder = self.meta["ladders"][locus]
            pos = {a: j for j, a in enumerate(ladder)}
            for j, prof in enumerate(profiles):
                g = prof.genotypes.get(locus)
                if g is None:
                    continue
                for allele in g:
                    if allele not in pos:
                        with _LADDERS:  # another thread may be growing it too
                            if allele not in ladder:
                                ladder.append(allele)
                            pos[allele] = ladder.index(allele)
                out[i, j] = genotype_code(pos[g[0]], pos[g[1]])
        return out

    def decode(self, codes: np.ndarray) -> Profile:
        """One record's codes (L,) back to a Profile."""
        out = {}
        for i, locus in enumerate(self.loci):
            c = int(codes[i])
            if c:
                ladder = self.meta["ladders"][locus]
                lo, hi = genotype_codes(len(ladder))
                out[locus] = (ladder[lo[c - 1]], ladder[hi[c - 1]])
        return Profile(out)

    # -- adding records ---------------------------------------------------------------
    def _segment(
        self, kind: str, ids: Sequence[str], arrays: dict[str, np.ndarray], **extra
    ) -> None:
        name = f"seg-{len(self.meta['segments']) + 1:06d}-{kind}"
        folder = self.path / name
        folder.mkdir()
        np.save(folder / "ids.npy", np.array(ids, dtype=str))
        for key, arr in arrays.items():
            np.save(folder / f"{key}.npy", arr)
        self.meta["segments"].append({"name": name, "kind": kind, "n": len(ids), **extra})
        self._save()

    def add_codes(
        self, kind: str, ids: Sequence[str], codes: np.ndarray, mother: np.ndarray | None = None
    ) -> None:
        """Append pre-encoded records (simulation, bulk loads). For "parents", `codes`
        are the fathers' and `mother` the mothers' codes, each uint16 (L, n)."""
        if kind == "parents":
            strides = [len(lad) * (len(lad) + 1) // 2 + 1 for lad in self.meta["ladders"].values()]
            stride = np.array(strides, dtype=np.uint32)[:, None]
            pair = mother.astype(np.uint32) * stride + codes.astype(np.uint32)
            self._segment(kind, ids, {"codes": pair}, strides=strides)
        else:
            self._segment(kind, ids, {"codes": np.ascontiguousarray(codes)})

    def add_families(self, families: Sequence[Family]) -> None:
        """Append families (id, [(Relative, Profile)]), one segment per kind."""
        groups: dict[str, list[Family]] = defaultdict(list)
        for fam in families:
            groups[family_kind([r for r, _ in fam[1]])].append(fam)
        for kind, fams in groups.items():
            ids = [f[0] for f in fams]
            if kind == "parents":
                by = [{r.relation: p for r, p in f[1]} for f in fams]
                fathers = self.encode([b["father"] for b in by])
                mothers = self.encode([b["mother"] for b in by])
                self.add_codes(kind, ids, fathers, mothers)
            elif kind == "pedigree":
                self._add_pedigrees(ids, fams)
            else:
                self.add_codes(kind, ids, self.encode([f[1][0][1] for f in fams]))

    def _add_pedigrees(self, ids: Sequence[str], fams: Sequence[Family]) -> None:
        for _, rels in fams:
            self.encode([p for _, p in rels])  # grow ladders first
        sizes = [len(lad) * (len(lad) + 1) // 2 + 1 for lad in self.meta["ladders"].values()]
        tables = np.zeros((len(fams), sum(sizes)), dtype=np.float32)
        for f, (_, rels) in enumerate(fams):
            tables[f] = np.concatenate(self._pedigree_table(rels))
        records = [
            {
                "id": fid,
                "relatives": [
                    {"relation": r.relation, "sex": r.sex, "via": r.via, "dna": dict(p.genotypes)}
                    for r, p in rels
                ],
            }
            for fid, rels in fams
        ]
        self._segment("pedigree", ids, {"tables": tables}, sizes=sizes)
        seg = self.path / self.meta["segments"][-1]["name"]
        (seg / "records.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")

    def _pedigree_table(self, rels: Sequence[tuple[Relative, Profile]]) -> list[np.ndarray]:
        ped, ids = build_family([r for r, _ in rels])
        out = []
        for locus in self.loci:
            ladder = self.meta["ladders"][locus]
            data = {
                pid: p.genotypes[locus]
                for pid, (_, p) in zip(ids, rels, strict=True)
                if locus in p.genotypes
            }
            if not data:
                out.append(np.zeros(len(ladder) * (len(ladder) + 1) // 2 + 1, dtype=np.float32))
                continue
            lr = family_table(ped, data, locus, ladder, self.frequencies(locus), self.mutation)
            with np.errstate(divide="ignore"):
                out.append(np.log10(lr).astype(np.float32))
        return out

    def blank(self, ids: Iterable[str]) -> int:
        """Overwrite the records of `ids` where they lie with "no DNA": code 0 at every
        locus, a pedigree's table of zeros (log10 LR 0) and its JSON record without
        relatives. The segments keep their shape, so a reader that has them mapped goes on
        reading (and scores no evidence there). Returns how many records were blanked."""
        wanted = {str(i) for i in ids}
        count = 0
        for seg in self.meta["segments"]:
            folder = self.path / seg["name"]
            pos = np.flatnonzero(np.isin(np.load(folder / "ids.npy"), list(wanted)))
            if not len(pos):
                continue
            key = "tables" if seg["kind"] == "pedigree" else "codes"
            data = np.load(folder / f"{key}.npy", mmap_mode="r+")
            if key == "tables":
                data[pos, :] = 0
            else:
                data[:, pos] = 0
            data.flush()
            del data
            fsync_path(folder / f"{key}.npy")
            if seg["kind"] == "pedigree":
                records = json.loads((folder / "records.json").read_text(encoding="utf-8"))
                for record in records:
                    if str(record["id"]) in wanted:
                        record["relatives"] = []
                write_atomic(folder / "records.json", json.dumps(records, ensure_ascii=False))
            count += len(pos)
        return count

    def add_found(self, persons: Sequence[tuple[str, Profile]]) -> None:
        """Append found persons (id, Profile) for family-to-found searches."""
        self.add_codes("found", [i for i, _ in persons], self.encode([p for _, p in persons]))

    # -- query tables -------------------------------------------------------------------
    def _matrix(self, kind: str, locus: str, mp_sex: str) -> np.ndarray:
        cache = self.__dict__.setdefault("_matrices", {})
        key = (kind, locus, mp_sex, len(self.meta["ladders"][locus]))
        if key not in cache:
            p = self.frequencies(locus)
            sex = PAIR_SEX.get(kind, mp_sex if kind == "child" else "U")
            m = self.mutation_matrix(locus, sex)
            ki = closed.pair_index(p, KAPPA[kind], self.meta["theta"], m)
            if kind == "child":
                ki = ki.T.copy()  # rows: the missing person, who is the parent here
            with np.errstate(divide="ignore"):
                cache[key] = np.log10(ki).astype(np.float32)
        return cache[key]

    def query_tables(self, profile: Profile, kind: str, mp_sex: str = "U") -> list[np.ndarray]:
        """Per-locus float32 log10 LR over the stored codes of `kind` for one found person."""
        codes = self.encode([profile])[:, 0]
        out = []
        for i, locus in enumerate(self.loci):
            if kind == "parents":
                if codes[i] == 0:
                    size = len(self.meta["ladders"][locus])
                    size = size * (size + 1) // 2 + 1
                    out.append(np.zeros(size * size, dtype=np.float32))
                    continue
                out.append(self.query_tables_at(int(codes[i]), i, kind))
            else:
                out.append(self._matrix(kind, locus, mp_sex)[codes[i]])
        return out

    def query_tables_at(self, code: int, i: int, kind: str) -> np.ndarray:
        """`query_tables`'s table at locus `i` for a found genotype `code` (not 0), for the
        "parents" kind: float32 log10 LR over (mother, father) genotype pairs, flat."""
        if kind != "parents":
            raise ValueError(f"query_tables_at serves the parents' kind, not {kind!r}")
        locus = self.loci[i]
        mm, mf = self.mutation_matrix(locus, "F"), self.mutation_matrix(locus, "M")
        lr = closed.parents_index(code, self.frequencies(locus), self.meta["theta"], mf, mm)
        with np.errstate(divide="ignore"):
            return np.log10(lr).astype(np.float32).ravel()

    # -- searching (search.py holds the work) ------------------------------------------
    def search(self, profile: Profile, *, top: int = 10, mp_sex: str | None = None) -> list[dict]:
        """Top families for a found person (see search.search_found_person)."""
        from homeward.matching.dna.search import search_found_person

        return search_found_person(self, profile, top=top, mp_sex=mp_sex)

    def search_found(
        self, relatives: Sequence[tuple[Relative, Profile]], *, top: int = 10
    ) -> list[dict]:
        """Top found persons for a family (see search.search_family)."""
        from homeward.matching.dna.search import search_family

        return search_family(self, relatives, top=top)


def family_from_record(raw: object, table: FrequencyTable) -> Family:
    """An HWX missing-person record ({"id", "relatives": [{"relation", "dna"}]}) as a Family."""
    if not isinstance(raw, dict) or not isinstance(raw.get("relatives"), list):
        raise DnaError(
            "a family record needs 'relatives' with 'relation' and 'dna'.", field="relatives"
        )
    relatives = []
    for i, rel in enumerate(raw["relatives"]):
        where = f"relatives[{i}]"
        if not isinstance(rel, dict) or not rel.get("dna") or "relation" not in rel:
            continue
        sex = rel.get("sex") or {"father": "M", "mother": "F"}.get(rel["relation"])
        profile = parse_profile(rel["dna"], field=where, sex=sex, table=table)
        relatives.append((Relative(rel["relation"], sex, rel.get("via")), profile))
    if not relatives:
        raise DnaError("the family has no relative with a DNA profile.", field="relatives")
    build_family([r for r, _ in relatives])  # raises on impossible relation sets
    return str(raw.get("id", "")), relatives


def records_from_jsonl(
    path: Path, table: FrequencyTable
) -> tuple[list[Family], list[tuple[str, Profile]]]:
    """Families and found persons from an HWX JSON Lines file; a bad line raises DnaError
    naming its line number."""
    families, found = [], []
    with path.open(encoding="utf-8") as handle:
        for item in hwx.read(handle, default="missing"):
            if isinstance(item, hwx.LineError):
                raise DnaError(f"{item}.", field=item.field)
            number, rec = item
            try:
                if rec["kind"] == "found":
                    if rec.get("dna"):
                        found.append(
                            (
                                str(rec["id"]),
                                parse_profile(
                                    rec["dna"], field="dna", sex=rec.get("sex"), table=table
                                ),
                            )
                        )
                elif any(r.get("dna") for r in rec.get("relatives", [])):
                    families.append(family_from_record(rec, table))
            except DnaError as exc:
                raise DnaError(
                    f"line {number}: {exc.message}",
                    field=exc.field,
                    locus=exc.locus,
                    allele=exc.allele,
                ) from exc
            except (KeyError, TypeError, AttributeError) as exc:
                raise DnaError(f"line {number}: not an HWX record ({exc}).") from exc
    return families, found
