"""Attribute evidence between a found person and a missing report: Fellegi–Sunter on Splink
(DuckDB). Stages: `records` (HWX -> feature rows), `names` and `divisions` (features),
`comparisons` (levels, SQL + Python twin), `model` (block, estimate, predict, save/load)."""

from homeward.matching.attributes.model import AttributeModel, Scored
from homeward.matching.attributes.records import (
    RecordError,
    feature_row,
    parse_found,
    parse_missing,
)

__all__ = ["AttributeModel", "RecordError", "Scored", "feature_row", "parse_found", "parse_missing"]
