"""What a reader of the disk finds in the DNA indexes kept under a folder: every relative's
genotypes, decoded from the codes and read from the pedigrees' records."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from homeward.matching.dna.index import DnaIndex
from homeward.matching.dna.lr import genotype_codes


def genotypes(dna: Mapping) -> frozenset:
    """A profile ({locus: [allele, allele]}, one allele for a homozygote) as compared here."""
    return frozenset(
        (locus, tuple(sorted(g if len(g) == 2 else [g[0], g[0]]))) for locus, g in dna.items()
    )


def _decoded(index: DnaIndex, codes: np.ndarray) -> frozenset:
    out = []
    for i, locus in enumerate(index.loci):
        c = int(codes[i])
        if c:
            ladder = index.meta["ladders"][locus]
            lo, hi = genotype_codes(len(ladder))
            out.append((locus, tuple(sorted((ladder[lo[c - 1]], ladder[hi[c - 1]])))))
    return frozenset(out)


def stored(root: Path, skip: Iterable[Path] = ()) -> set[frozenset]:
    """Every relative's genotypes held in any index folder under `root` (but `skip`)."""
    out: set[frozenset] = set()
    skip = {Path(p) for p in skip}
    for meta in Path(root).glob("*/meta.json"):
        if meta.parent in skip:
            continue
        index = DnaIndex.open(meta.parent)
        for seg in index.meta["segments"]:
            folder = index.path / seg["name"]
            if seg["kind"] == "pedigree":
                for record in json.loads((folder / "records.json").read_text()):
                    out |= {genotypes(rel["dna"]) for rel in record["relatives"]}
                continue
            codes = np.load(folder / "codes.npy")
            if seg["kind"] == "parents":
                strides = np.array(seg["strides"], dtype=np.uint32)[:, None]
                columns = [codes // strides, codes % strides]  # mother, father
            else:
                columns = [codes]
            for part in columns:
                out |= {_decoded(index, part[:, j]) for j in range(part.shape[1])}
    out.discard(frozenset())
    return out


def rows_hold_dna(root: Path, report_id: str) -> list[str]:
    """The places (folder/segment#position) where the listed rows of `report_id` still hold
    any DNA: a code other than 0, a pedigree table value other than 0, a relative in the
    pedigree's records. Empty when every row of it is blanked."""
    out = []
    for folder in Path(root).iterdir():
        listing = next(
            (json.loads((folder / n).read_text()) for n in ("families.json", "ids.json")
             if (folder / n).is_file()),
            None,
        )  # fmt: skip
        if listing is None:
            continue
        rows = {row for row, report in listing["ids"].items() if report == report_id}
        if not rows:
            continue
        index = DnaIndex.open(folder)
        for seg in index.meta["segments"]:
            ids = np.load(folder / seg["name"] / "ids.npy")
            for pos in np.flatnonzero(np.isin(ids, list(rows))):
                if seg["kind"] == "pedigree":
                    table = np.load(folder / seg["name"] / "tables.npy")[pos]
                    records = json.loads((folder / seg["name"] / "records.json").read_text())
                    relatives = [r for r in records if r["id"] == ids[pos]][0]["relatives"]
                    held = table.any() or bool(relatives)
                else:
                    held = np.load(folder / seg["name"] / "codes.npy")[:, pos].any()
                if held:
                    out.append(f"{folder.name}/{seg['name']}#{pos}")
    return out
