"""The GB/T 2260 divisions as the database holds them, from the table the product carries
(`matching/data/divisions.csv`; source and licence in `matching/data/DIVISIONS.md`)."""

from __future__ import annotations

from dataclasses import dataclass

from homeward.matching.divisions_table import division_rows


@dataclass(frozen=True)
class DivisionRow:
    code: str
    name: str
    level: str
    parent_code: str | None
    latitude: float
    longitude: float


def level_of(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def read_divisions() -> list[DivisionRow]:
    """All divisions, parents before children."""
    # Rows without a point are the 市辖区 placeholders of prefecture-level
    # cities (e.g. 320301): not places anyone lives in, so they are left out.
    rows = [row for row in division_rows() if row["latitude"] and row["longitude"]]
    codes = {row["code"] for row in rows}
    out = []
    for row in rows:
        code = row["code"]
        level = level_of(code)
        parent: str | None = None
        if level == "city":
            parent = code[:2] + "0000"
        elif level == "county":
            # Counties under a municipality's 市辖区 or directly under a province
            # (省直辖县级市 such as 潜江 429005) have no city row of their own.
            city = code[:4] + "00"
            parent = city if city in codes else code[:2] + "0000"
        if parent is not None and parent not in codes:
            parent = None
        out.append(
            DivisionRow(
                code=code,
                name=row["name"],
                level=level,
                parent_code=parent,
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
            )
        )
    order = {"province": 0, "city": 1, "county": 2}
    out.sort(key=lambda d: (order[d.level], d.code))
    return out
