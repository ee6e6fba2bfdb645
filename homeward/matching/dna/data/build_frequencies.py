"""Derive the shipped allele-frequency tables from the NIST 1036 genotypes.

Run from the repository root (the project never reads ../shared at run time; this
script is how the CSV files beside it were made):

    python -m homeward.matching.dna.data.build_frequencies ../shared/data/nist1036/genotypes.csv

Writes one table for all 1,036 people and one per population group. Frequencies are
raw allele counts / 2N, where N is the number of people typed at the locus; the
engine applies the 5/2N minimum-frequency floor when it loads a table.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

from homeward.matching.dna.loci import allele_sort_key, canonical_allele, canonical_locus

GROUPS = {
    "all": ("all 1,036 people", None),
    "african_american": ("African American, 342 people", "AA"),
    "caucasian": ("Caucasian, 361 people", "Cauc"),
    "hispanic": ("Hispanic, 236 people", "Hisp"),
    "asian": ("Asian, 97 people", "Asian"),
}

SOURCE = (
    "NIST Applied Genetics Group, U.S. population data set 'NIST 1036' (revised July 2017): "
    "Hill et al., Forensic Sci. Int. Genet. 7:e82 (2013), corrigendum Steffen et al., "
    "FSI:G 31:e36 (2017). A work of the U.S. Government, public domain."
)


def build(genotypes_csv: Path, out_dir: Path) -> list[Path]:
    """Count alleles per group and locus and write `nist1036_<group>.csv` files."""
    counts: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    people: dict[str, Counter[str]] = defaultdict(Counter)
    with genotypes_csv.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            locus = canonical_locus(row["locus"])
            if locus is None:
                raise SystemExit(f"unknown locus {row['locus']!r}")
            alleles = [canonical_allele(row[k], locus) for k in ("allele1", "allele2")]
            for group, (_, code) in GROUPS.items():
                if code is None or row["population"] == code:
                    counts[group][locus].update(alleles)
                    people[group][locus] += 1
    written = []
    for group, (label, _) in GROUPS.items():
        path = out_dir / f"nist1036_{group}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            handle.write(f"# Allele frequencies, NIST 1036 group: {label}.\n")
            handle.write(f"# Source: {SOURCE}\n")
            handle.write(
                "# Derived by homeward/matching/dna/data/build_frequencies.py: frequency = "
                "allele count / 2N, N = people typed at the locus; no floor applied.\n"
            )
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["locus", "allele", "frequency", "N"])
            for locus in sorted(counts[group]):
                n = people[group][locus]
                for allele in sorted(counts[group][locus], key=allele_sort_key):
                    freq = counts[group][locus][allele] / (2 * n)
                    writer.writerow([locus, allele, f"{freq:.10g}", n])
        written.append(path)
    return written


if __name__ == "__main__":
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/nist1036/genotypes.csv")
    for path in build(source, Path(__file__).resolve().parent):
        print(path)
