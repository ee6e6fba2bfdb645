"""GB/T 2260 divisions: code checks, the level two codes share, and seat-to-seat distance.

Codes are 2 (province), 4 (city) or 6 (county) digits; a 12-digit code is cut to 6. The seat
coordinates come from the table the product carries (`matching/data/divisions.csv`). A code
the table does not know still compares by prefix; it has no distance.
"""

from __future__ import annotations

import functools

import numpy as np

from homeward.matching.divisions_table import division_rows

# Levels of `shared_level`, finest first.
SAME_COUNTY, SAME_CITY, SAME_PROVINCE, DIFFERENT = 3, 2, 1, 0


def normalise_division(raw: object) -> str:
    """A GB/T 2260 code as 2, 4 or 6 digits (12 digits are cut to 6; trailing zero pairs
    of a 6-digit code are kept: "410000" is a province written long). Raises ValueError."""
    text = str(raw).strip()
    if not text.isdigit() or len(text) not in (2, 4, 6, 12):
        raise ValueError(f"not a GB/T 2260 code: {raw!r}")
    text = text[:6]
    if len(text) == 6 and text.endswith("0000"):
        return text[:2]
    if len(text) == 6 and text.endswith("00"):
        return text[:4]
    return text


def shared_level(a: str | None, b: str | None) -> int | None:
    """How much two normalised codes share: SAME_COUNTY (3) .. DIFFERENT (0); None when one
    is unknown. Compared at the coarser code's precision ("41" vs "410102": same province)."""
    if not a or not b:
        return None
    if len(a) >= 6 and len(b) >= 6 and a[:6] == b[:6]:
        return SAME_COUNTY
    if len(a) >= 4 and len(b) >= 4 and a[:4] == b[:4]:
        return SAME_CITY
    if a[:2] == b[:2]:
        return SAME_PROVINCE
    return DIFFERENT


@functools.cache
def seats() -> dict[str, tuple[float, float]]:
    """{normalised code: (latitude, longitude)} of every division seat in the table; a city
    or province missing from the table gets the mean of its counties."""
    out: dict[str, tuple[float, float]] = {}
    for row in division_rows():
        try:
            code = normalise_division(row["code"])
            out[code] = (float(row["latitude"]), float(row["longitude"]))
        except (ValueError, KeyError):
            continue
    for width in (4, 2):
        groups: dict[str, list[tuple[float, float]]] = {}
        for code, point in out.items():
            if len(code) == 6:
                groups.setdefault(code[:width], []).append(point)
        for prefix, points in groups.items():
            if prefix not in out:
                out[prefix] = (
                    float(np.mean([p[0] for p in points])),
                    float(np.mean([p[1] for p in points])),
                )
    return out


@functools.cache
def counties() -> tuple[str, ...]:
    """Every county-level code with a seat, sorted (the synthetic world draws from these)."""
    return tuple(sorted(c for c in seats() if len(c) == 6))


def seat(code: str | None) -> tuple[float, float] | None:
    """(latitude, longitude) of a code's seat, falling back to its city, then its province."""
    if not code:
        return None
    table = seats()
    for width in (6, 4, 2):
        if len(code) >= width and code[:width] in table:
            return table[code[:width]]
    return None


def haversine_km(lat1, lon1, lat2, lon2):  # noqa: ANN001, ANN201 - floats or float64 arrays
    """Great-circle distance in km (float or float64 array, broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def distance_km(a: str | None, b: str | None) -> float | None:
    """Seat-to-seat distance of two codes in km; None when either has no seat."""
    pa, pb = seat(a), seat(b)
    if pa is None or pb is None:
        return None
    return float(haversine_km(pa[0], pa[1], pb[0], pb[1]))


SQL_HAVERSINE = (
    "2 * 6371.0 * asin(sqrt(least(1.0, pow(sin(radians({lat2} - {lat1}) / 2), 2) + "
    "cos(radians({lat1})) * cos(radians({lat2})) * pow(sin(radians({lon2} - {lon1}) / 2), 2))))"
)
