"""ISO 3166-2 codes of China's provincial divisions, by the first two digits of their
GB/T 2260 code.

Source: ISO 3166-2:CN as changed in 2017 (ISO 3166 Newsletter, "ISO 3166-2:CN" on the ISO
Online Browsing Platform), which gave every province a two-letter code in place of the
numeric ones. PFIF (1.2 and later) writes `home_state` as such a code.
"""

from __future__ import annotations

PROVINCES = {
    "11": "BJ", "12": "TJ", "13": "HE", "14": "SX", "15": "NM",
    "21": "LN", "22": "JL", "23": "HL",
    "31": "SH", "32": "JS", "33": "ZJ", "34": "AH", "35": "FJ", "36": "JX", "37": "SD",
    "41": "HA", "42": "HB", "43": "HN", "44": "GD", "45": "GX", "46": "HI",
    "50": "CQ", "51": "SC", "52": "GZ", "53": "YN", "54": "XZ",
    "61": "SN", "62": "GS", "63": "QH", "64": "NX", "65": "XJ",
    "71": "TW", "81": "HK", "82": "MO",
}  # fmt: skip
BY_LETTERS = {letters: prefix for prefix, letters in PROVINCES.items()}
# Directly governed cities: the province is the city.
MUNICIPALITIES = {"11", "12", "31", "50"}


def subdivision_code(division_code: str) -> str | None:
    """ "CN-SC" for any division of Sichuan (51xxxx); None for a code outside the table."""
    letters = PROVINCES.get(division_code[:2])
    return f"CN-{letters}" if letters else None


def province_code(subdivision: str) -> str | None:
    """The GB/T 2260 province code ("510000") of "CN-SC" or "SC", any case; else None."""
    letters = subdivision.strip().upper().removeprefix("CN-")
    prefix = BY_LETTERS.get(letters)
    return f"{prefix}0000" if prefix else None
