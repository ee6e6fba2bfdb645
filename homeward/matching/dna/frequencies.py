"""Allele-frequency tables: shipped NIST 1036 tables, laboratory CSV imports, overrides,
and the NRC II minimum allele frequency (5/2N) for rare and unseen alleles."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from homeward.matching.dna.errors import DnaError
from homeward.matching.dna.loci import allele_sort_key, canonical_allele, canonical_locus

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_POPULATION = "nist1036"
POPULATIONS = {
    "nist1036": "nist1036_all.csv",
    "nist1036-african-american": "nist1036_african_american.csv",
    "nist1036-caucasian": "nist1036_caucasian.csv",
    "nist1036-hispanic": "nist1036_hispanic.csv",
    "nist1036-asian": "nist1036_asian.csv",
}
# NRC II (1996) recommends 5/2N as the smallest frequency any allele is given.
DEFAULT_MIN_COUNT = 5.0
# Alleles outside [smallest - margin, largest + margin] repeats of a table are treated as
# off-ladder typing errors rather than new alleles.
LADDER_MARGIN = 3


@dataclass(frozen=True)
class LocusFrequencies:
    """One locus of a table: alleles (canonical strings), raw frequencies (float64), N people."""

    alleles: tuple[str, ...]
    freqs: np.ndarray
    n: int

    def ladder_range(self) -> tuple[int, int]:
        """Smallest and largest whole repeat numbers accepted at this locus."""
        wholes = [allele_sort_key(a)[0] for a in self.alleles]
        return min(wholes) - LADDER_MARGIN, max(wholes) + LADDER_MARGIN


@dataclass
class FrequencyTable:
    """Allele frequencies for one population, per locus.

    `min_count` sets the NRC II floor: every allele gets at least min_count / 2N, where N is
    the number of people typed at the locus; `min_frequency`, when set, replaces that floor.
    """

    name: str
    source: str
    loci: dict[str, LocusFrequencies]
    min_count: float = DEFAULT_MIN_COUNT
    min_frequency: float | None = None
    overridden: list[str] = field(default_factory=list)

    def floor(self, locus: str) -> float:
        """The minimum frequency at `locus`."""
        if self.min_frequency is not None:
            return self.min_frequency
        return self.min_count / (2 * self.loci[locus].n)

    def distribution(self, locus: str, extra: Iterable[str] = ()) -> tuple[list[str], np.ndarray]:
        """Alleles (table ones plus `extra` unseen ones, sorted) and their floored,
        renormalised frequencies (float64, summing to 1)."""
        entry = self.loci[locus]
        known = dict(zip(entry.alleles, entry.freqs.tolist(), strict=True))
        for allele in extra:
            known.setdefault(allele, 0.0)
        alleles = sorted(known, key=allele_sort_key)
        freqs = np.maximum(
            np.array([known[a] for a in alleles], dtype=np.float64), self.floor(locus)
        )
        return alleles, freqs / freqs.sum()

    def check_allele(self, locus: str, allele: str, *, field: str | None = None) -> None:
        """Raise DnaError when `allele` lies outside this table's ladder at `locus`."""
        if locus not in self.loci:
            return
        low, high = self.loci[locus].ladder_range()
        whole = allele_sort_key(allele)[0]
        if not low <= whole <= high:
            raise DnaError(
                f"{locus}: allele '{allele}' is outside the allelic ladder ({low} to {high}); "
                "check the typing before comparison.",
                field=field,
                locus=locus,
                allele=allele,
            )

    def with_overrides(self, overrides: Mapping[str, Mapping[str, float]]) -> FrequencyTable:
        """A copy where the loci named in `overrides` ({LOCUS: {ALLELE: p}}) replace the
        table's; N for an overridden locus is kept from the table (for the floor) or taken
        as the size that makes its smallest given frequency the floor."""
        loci = dict(self.loci)
        names = []
        for raw_locus, table in overrides.items():
            locus = canonical_locus(raw_locus)
            if locus is None:
                raise DnaError(
                    f"frequencies: locus '{raw_locus}' is not a known autosomal STR.",
                    field="frequencies",
                    locus=str(raw_locus),
                )
            if not isinstance(table, Mapping) or not table:
                raise DnaError(
                    f"frequencies: {locus} must map alleles to frequencies.",
                    field="frequencies",
                    locus=locus,
                )
            parsed = {}
            for raw_allele, value in table.items():
                allele = canonical_allele(raw_allele, locus)
                parsed[allele] = _frequency(value, locus, allele, "frequencies")
            alleles = tuple(sorted(parsed, key=allele_sort_key))
            freqs = np.array([parsed[a] for a in alleles], dtype=np.float64)
            _check_sum(freqs, locus, "frequencies")
            n = (
                self.loci[locus].n
                if locus in self.loci
                else max(1, math.ceil(5 / (2 * freqs.min())))
            )
            loci[locus] = LocusFrequencies(alleles, freqs / freqs.sum(), n)
            names.append(locus)
        return FrequencyTable(
            self.name, self.source, loci, self.min_count, self.min_frequency, names
        )


def _frequency(value: object, locus: str, allele: str, field: str) -> float:
    try:
        freq = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        freq = float("nan")
    if not 0 < freq <= 1:
        raise DnaError(
            f"{locus}: frequency of allele '{allele}' must be a number in (0, 1], got {value!r}.",
            field=field,
            locus=locus,
            allele=allele,
        )
    return freq


def _check_sum(freqs: np.ndarray, locus: str, field: str) -> None:
    # Published tables round each frequency, so they sum to 1 only roughly.
    total = float(freqs.sum())
    if not 0.95 <= total <= 1.05:
        raise DnaError(
            f"{locus}: allele frequencies sum to {total:.4f}; expected 1.",
            field=field,
            locus=locus,
        )


def read_csv(text: str, *, name: str, source: str | None = None) -> FrequencyTable:
    """Parse a laboratory table: CSV with header ``locus,allele,frequency,N``; lines
    starting with ``#`` are comments, and a ``# Source:`` comment names the source."""
    lines = text.splitlines()
    comments = [line[1:].strip() for line in lines if line.startswith("#")]
    found_source = next(
        (c.split(":", 1)[1].strip() for c in comments if c.lower().startswith("source:")), None
    )
    body = "\n".join(line for line in lines if line.strip() and not line.startswith("#"))
    reader = csv.DictReader(io.StringIO(body))
    missing = {"locus", "allele", "frequency", "N"} - set(reader.fieldnames or ())
    if missing:
        raise DnaError(
            f"frequency table {name}: missing column(s) {', '.join(sorted(missing))}.",
            field="frequencies",
        )
    rows: dict[str, dict[str, float]] = {}
    sizes: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        locus = canonical_locus(row["locus"])
        if locus is None:
            raise DnaError(
                f"frequency table {name}, line {number}: unknown locus '{row['locus']}'.",
                field="frequencies",
                locus=row["locus"],
            )
        allele = canonical_allele(row["allele"], locus)
        rows.setdefault(locus, {})[allele] = _frequency(
            row["frequency"], locus, allele, "frequencies"
        )
        try:
            sizes[locus] = int(float(row["N"]))
        except ValueError as exc:
            raise DnaError(
                f"frequency table {name}, line {number}: N must be a whole number.",
                field="frequencies",
                locus=locus,
            ) from exc
    loci = {}
    for locus, table in rows.items():
        alleles = tuple(sorted(table, key=allele_sort_key))
        freqs = np.array([table[a] for a in alleles], dtype=np.float64)
        _check_sum(freqs, locus, "frequencies")
        loci[locus] = LocusFrequencies(alleles, freqs / freqs.sum(), sizes[locus])
    return FrequencyTable(name, source or found_source or "unknown", loci)


def load_table(path_or_name: str | Path = DEFAULT_POPULATION) -> FrequencyTable:
    """A shipped population (see POPULATIONS) by name, or a laboratory CSV by path."""
    key = str(path_or_name)
    if key in POPULATIONS:
        path = DATA_DIR / POPULATIONS[key]
        return read_csv(path.read_text(encoding="utf-8"), name=key)
    path = Path(path_or_name)
    if not path.is_file():
        raise DnaError(
            f"population '{key}' is neither a shipped table ({', '.join(POPULATIONS)}) "
            "nor a CSV file.",
            field="population",
        )
    return read_csv(path.read_text(encoding="utf-8"), name=path.stem)
