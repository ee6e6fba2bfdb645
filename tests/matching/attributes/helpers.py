"""Hand-made records for the attribute tests."""

from __future__ import annotations

from typing import Any

from homeward.matching.attributes.records import feature_row, parse_found, parse_missing


def found(**fields: Any) -> dict[str, Any]:
    rec = {"id": "F-1", "sex": "M", "age_estimate": [30, 36], "found_date": "2024-06-19"}
    rec.update(fields)
    return feature_row(parse_found(rec))


def missing(**fields: Any) -> dict[str, Any]:
    rec = {"id": "M-1", "sex": "M", "birth_date": "1990-03", "lost_date": "2020-02-10"}
    rec.update(fields)
    return feature_row(parse_missing(rec))
