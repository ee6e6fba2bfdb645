"""Locus names, their aliases, and canonical allele designations.

Canonical locus names follow NIST STRBase spelling (``vWA``, ``TH01``, ``Penta D``);
input matches case-, space-, dash- and underscore-insensitively, plus the common
misspellings (``THO1`` with a letter O, ``CSF1P0`` with a zero).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from homeward.matching.dna.errors import DnaError

AMELOGENIN = "Amelogenin"

AUTOSOMAL_LOCI: tuple[str, ...] = (
    "CSF1PO", "D1S1656", "D2S1338", "D2S441", "D3S1358", "D5S818", "D6S1043", "D7S820",
    "D8S1179", "D10S1248", "D12S391", "D13S317", "D16S539", "D18S51", "D19S433", "D21S11",
    "D22S1045", "F13A01", "F13B", "FESFPS", "FGA", "LPL", "Penta C", "Penta D", "Penta E",
    "SE33", "TH01", "TPOX", "vWA",
)  # fmt: skip

# Expanded CODIS core (FBI, 2017): the 20 loci the benchmarks use.
CODIS_20: tuple[str, ...] = (
    "CSF1PO", "D3S1358", "D5S818", "D7S820", "D8S1179", "D13S317", "D16S539", "D18S51",
    "D21S11", "FGA", "TH01", "TPOX", "vWA", "D1S1656", "D2S441", "D2S1338", "D10S1248",
    "D12S391", "D19S433", "D22S1045",
)  # fmt: skip

# The loci of the common Chinese kits (CODIS core plus the list).
CHINA_KIT: tuple[str, ...] = CODIS_20 + ("Penta D", "Penta E", "D6S1043")

_EXTRA_ALIASES = {
    "THO1": "TH01",
    "CSF1P0": "CSF1PO",
    "VWA31": "vWA",
    "FIBRA": "FGA",
    "F13A1": "F13A01",
    "FES": "FESFPS",
    "FESFPS": "FESFPS",
    "AMEL": AMELOGENIN,
    "AM": AMELOGENIN,
    "AMG": AMELOGENIN,
    "PD": "Penta D",
    "PE": "Penta E",
}


def _key(name: str) -> str:
    return re.sub(r"[\s_\-/.]", "", name).upper()


_ALIASES: dict[str, str] = {_key(n): n for n in (*AUTOSOMAL_LOCI, AMELOGENIN)}
_ALIASES.update({_key(k): v for k, v in _EXTRA_ALIASES.items()})


def canonical_locus(name: str) -> str | None:
    """The canonical name of a locus, or None when the name is not a known autosomal STR."""
    if not isinstance(name, str):
        return None
    return _ALIASES.get(_key(name))


_ALLELE_RE = re.compile(r"^\d{1,3}(\.\d+)?$")


def canonical_allele(raw: object, locus: str) -> str:
    """An allele designation as a canonical string: ``"9.3"``, ``"13"``, ``"X"``.

    Accepts strings and JSON numbers. Spreadsheet float artefacts (``10.199999999999999``)
    are rounded to one decimal; ``"13.0"`` becomes ``"13"``. Raises DnaError naming the
    locus and allele for anything that is not an allele designation (``"OL"``, ``"9.7"``).
    """
    if isinstance(raw, bool) or raw is None:
        raise DnaError(f"{locus}: allele {raw!r} is not an allele designation.", locus=locus)
    text = repr(raw) if isinstance(raw, float) else str(raw).strip()
    if locus == AMELOGENIN:
        if text.upper() in ("X", "Y"):
            return text.upper()
        raise DnaError(f"Amelogenin: allele '{text}' must be X or Y.", locus=locus, allele=text)
    if text.upper() in ("X", "Y"):
        raise DnaError(
            f"{locus}: allele '{text}' is only valid at Amelogenin.", locus=locus, allele=text
        )
    if text.upper().startswith("OL") or text.upper() in ("<", ">") or "OL" in text.upper():
        raise DnaError(
            f"{locus}: allele '{text}' is off-ladder; re-type the sample or designate the "
            "allele against the ladder before comparison.",
            locus=locus,
            allele=text,
        )
    if not _ALLELE_RE.match(text):
        raise DnaError(
            f"{locus}: allele '{text}' is not a repeat number such as 13 or 9.3.",
            locus=locus,
            allele=text,
        )
    try:
        value = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise DnaError(f"{locus}: allele '{text}' is not a number.", locus=locus) from exc
    decimals = len(text.split(".")[1]) if "." in text else 0
    if decimals > 1:
        if decimals < 6:
            raise DnaError(
                f"{locus}: allele '{text}' has more than one decimal; microvariants are "
                "written like 9.3.",
                locus=locus,
                allele=text,
            )
        value = value.quantize(Decimal("0.1"))
    whole, tenth = divmod(int(value * 10), 10)
    if tenth > 4:
        raise DnaError(
            f"{locus}: allele '{text}' is not a valid microvariant (the part after the "
            "point counts bases and is 1 to 4).",
            locus=locus,
            allele=text,
        )
    return str(whole) if tenth == 0 else f"{whole}.{tenth}"


def allele_value(allele: str) -> float:
    """The repeat number of a canonical allele as a float (``"9.3"`` -> 9.3)."""
    return float(allele)


def allele_sort_key(allele: str) -> tuple[int, int]:
    """Sort key ordering canonical alleles by repeat number, microvariants after their base."""
    whole, _, tenth = allele.partition(".")
    return int(whole), int(tenth or 0)
