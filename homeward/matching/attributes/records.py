"""HWX found-person and missing-report records: checks, and the flat feature row the
attribute model compares.

`parse_found` / `parse_missing` raise `RecordError(field, message)` on a bad value; a field
that is absent or null is unknown (never guessed). `feature_row` gives the same columns for
both kinds (None where a column belongs to the other kind), which is what Splink's link-only
mode needs.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

from homeward.matching.attributes.divisions import normalise_division, seat
from homeward.matching.attributes.names import name_features
from homeward.matching.hwx import RecordError, date_span

SEXES = ("M", "F", "U")
ADULT_AGE = 18
# Unknown birth years still pass the age block: these are the widest years it accepts.
EARLIEST_BIRTH, LATEST_BIRTH = 1900, 2100
EPOCH = dt.date(1970, 1, 1)


def parse_date(raw: object, field: str) -> tuple[int, int] | None:
    """An HWX date ("YYYY", "YYYY-MM", "YYYY-MM-DD") as the first and last day it may mean,
    in days since 1970-01-01 (int, int); None when unknown."""
    span = date_span(raw, field)
    if span is None:
        return None
    return (span[0] - EPOCH).days, (span[1] - EPOCH).days


def day_year(day: int) -> float:
    """Days since 1970-01-01 as a fractional calendar year."""
    return 1970.0 + day / 365.2425


def _division(rec: Mapping, field: str) -> str | None:
    raw = rec.get(field)
    if raw is None or raw == "":
        return None
    try:
        return normalise_division(raw)
    except ValueError as exc:
        raise RecordError(field, str(exc)) from None


def _sex(rec: Mapping) -> str:
    sex = rec.get("sex") or "U"
    if sex not in SEXES:
        raise RecordError("sex", f"must be M, F or U, not {sex!r}")
    return sex


def _number(rec: Mapping, field: str, low: float, high: float) -> float | None:
    raw = rec.get(field)
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not low <= raw <= high:
        raise RecordError(field, f"must be a number from {low} to {high}, not {raw!r}")
    return float(raw)


def _strings(rec: Mapping, field: str) -> list[str]:
    raw = rec.get(field)
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise RecordError(field, "must be a list of strings")
    return list(raw)


# An ID number, whole or in part: 18 characters at most, unknown digits written * or ?.
_ID_CHARS = re.compile(r"^[0-9Xx*?＊]{1,18}$")


def id_number_facts(raw: object) -> tuple[str | None, tuple[int, int] | None]:
    """(birthplace code, birth days) an ID number shows, whole or in part (首六位 the county
    of household registration when it was issued, then the birth date YYYYMMDD). A part
    that is not all digits, or not a real date, is left unknown. Raises RecordError for
    text that is not an ID number at all."""
    if raw is None or raw == "":
        return None, None
    text = str(raw).strip().replace("＊", "*")
    if not isinstance(raw, str) or not _ID_CHARS.match(text):
        raise RecordError("id_number", "must be an ID number (digits, X, * for unknown)")
    place = text[:6] if len(text) >= 6 and text[:6].isdigit() and text[:2] != "00" else None
    born = None
    year = text[6:10]
    if len(year) == 4 and year.isdigit() and 1880 <= int(year) <= dt.date.today().year:
        day = text[10:14]
        if len(day) == 4 and day.isdigit():
            try:
                born = parse_date(f"{year}-{day[:2]}-{day[2:]}", "id_number")
            except RecordError:
                born = None
        if born is None:
            month = text[10:12]
            ok = len(month) == 2 and month.isdigit() and 1 <= int(month) <= 12
            born = parse_date(f"{year}-{month}" if ok else year, "id_number")
    return place, born


def _name(rec: Mapping, field: str = "name") -> str | None:
    raw = rec.get(field)
    if raw is not None and not isinstance(raw, str):
        raise RecordError(field, "must be a string")
    return raw or None


def _embeddings(rec: Mapping) -> list[list[float]]:
    raw = rec.get("face_embeddings")
    if raw is None:
        return []
    ok = isinstance(raw, list) and all(
        isinstance(e, list) and e and all(isinstance(v, int | float) for v in e) for e in raw
    )
    if not ok or len({len(e) for e in raw}) > 1:
        raise RecordError("face_embeddings", "must be a list of equal-length number lists")
    return raw


def parse_found(rec: Mapping[str, Any]) -> dict[str, Any]:
    """A checked found-person record (the HWX fields, normalised). Raises RecordError."""
    if not isinstance(rec, Mapping):
        raise RecordError("record", "a record must be a JSON object")
    if not rec.get("id"):
        raise RecordError("id", "is required")
    id_place, id_born = id_number_facts(rec.get("id_number"))
    age = rec.get("age_estimate")
    if age is not None:
        if isinstance(age, int | float) and not isinstance(age, bool):
            age = [age, age]
        ok = isinstance(age, list) and len(age) == 2
        ok = ok and all(isinstance(a, int | float) and 0 <= a <= 120 for a in age)
        if not ok or age[0] > age[1]:
            raise RecordError("age_estimate", "must be [low, high] years, 0 to 120")
    return {
        "kind": "found",
        "id": str(rec["id"]),
        "sex": _sex(rec),
        "age_estimate": None if age is None else (float(age[0]), float(age[1])),
        "name": _name(rec),
        "dialect_division": _division(rec, "dialect_division"),
        "found_date": parse_date(rec.get("found_date"), "found_date"),
        "found_division": _division(rec, "found_division"),
        "height_cm": _number(rec, "height_cm", 40, 250),
        "marks": _strings(rec, "marks"),
        "conditions": _strings(rec, "conditions"),
        "face_embeddings": _embeddings(rec),
        "photo_dates": [None] * len(_embeddings(rec)),
        "dna": rec.get("dna") or None,
        "photos": rec.get("photos") or [],
        # What an ID number shows, whole or in part (it outranks what was estimated).
        "id_birthplace": id_place,
        "id_birth_date": id_born,
    }


def parse_missing(rec: Mapping[str, Any]) -> dict[str, Any]:
    """A checked missing-person report (the HWX fields, normalised). Raises RecordError."""
    if not isinstance(rec, Mapping):
        raise RecordError("record", "a record must be a JSON object")
    if not rec.get("id"):
        raise RecordError("id", "is required")
    photos = rec.get("photos") or []
    if not isinstance(photos, list):
        raise RecordError("photos", "must be a list")
    embeddings = _embeddings(rec)
    dates = []
    for i in range(len(embeddings)):
        taken = photos[i].get("taken") if i < len(photos) and isinstance(photos[i], dict) else None
        dates.append(parse_date(taken, f"photos[{i}].taken"))
    relatives = rec.get("relatives") or []
    if not isinstance(relatives, list):
        raise RecordError("relatives", "must be a list")
    return {
        "kind": "missing",
        "id": str(rec["id"]),
        "sex": _sex(rec),
        "birth_date": parse_date(rec.get("birth_date"), "birth_date"),
        "name": _name(rec),
        "aliases": _strings(rec, "aliases"),
        "home_division": _division(rec, "home_division"),
        "lost_date": parse_date(rec.get("lost_date"), "lost_date"),
        "lost_division": _division(rec, "lost_division"),
        "height_cm": _number(rec, "height_cm", 40, 250),
        "marks": _strings(rec, "marks"),
        "conditions": _strings(rec, "conditions"),
        "face_embeddings": embeddings,
        "photo_dates": dates,
        "relatives": relatives,
        "photos": photos,
    }


def birth_years(rec: Mapping[str, Any]) -> tuple[int, int]:
    """The birth years a parsed record allows before any estimate error: int (low, high).

    A found person aged [a, b] on the day found was born between found_year - b - 1 and
    found_year - a; a report gives its birth date's years. Unknown: the widest range.
    """
    if rec["kind"] == "missing":
        if rec["birth_date"] is None:
            return EARLIEST_BIRTH, LATEST_BIRTH
        lo, hi = rec["birth_date"]
        return int(day_year(lo)), int(day_year(hi))
    if rec.get("id_birth_date") is not None:
        lo, hi = rec["id_birth_date"]
        return int(day_year(lo)), int(day_year(hi))
    if rec["age_estimate"] is None or rec["found_date"] is None:
        return EARLIEST_BIRTH, LATEST_BIRTH
    year = day_year(rec["found_date"][0])
    a, b = rec["age_estimate"]
    return int(math.floor(year - b - 1)), int(math.floor(year - a))


def _adult_height(rec: Mapping[str, Any]) -> float | None:
    """Height only where the person was an adult when measured: children grow."""
    if rec["height_cm"] is None:
        return None
    if rec["kind"] == "found":
        age = rec["age_estimate"]
        return rec["height_cm"] if age is not None and age[0] >= ADULT_AGE else None
    if rec["birth_date"] is None or rec["lost_date"] is None:
        return None
    age_at_loss = (rec["lost_date"][0] - rec["birth_date"][1]) / 365.2425
    return rec["height_cm"] if age_at_loss >= ADULT_AGE else None


FEATURE_COLUMNS = (
    "unique_id",
    "sex",
    "by_lo",
    "by_hi",
    "name",
    "name_py",
    "name_fuzzy",
    "name_sorted",
    "name_shape",
    "surname_py",
    "given_py",
    "given_syllables",
    "alias_py",
    "home",
    "place",
    "place_lat",
    "place_lon",
    "found_lo",
    "found_hi",
    "lost_lo",
    "lost_hi",
    "height",
    "marks",
    "mark_types",
    "conditions",
)


def feature_row(rec: Mapping[str, Any]) -> dict[str, Any]:
    """The attribute model's columns (FEATURE_COLUMNS) for a parsed record.

    `home` is the ID number's birthplace, else the dialect division (found), or the home
    division (missing); `place` the found or
    lost division with its seat; dates are days since 1970 (first, last possible day).
    """
    found = rec["kind"] == "found"
    names = [rec["name"]] + ([] if found else rec["aliases"])
    feats = [f for f in (name_features(n) for n in names if n) if f is not None]
    main = name_features(rec["name"]) if rec["name"] else None
    place = rec["found_division"] if found else rec["lost_division"]
    point = seat(place)
    by_lo, by_hi = birth_years(rec)
    date = rec["found_date"] if found else rec["lost_date"]
    marks = sorted(set(rec["marks"]))
    conditions = sorted(set(rec["conditions"]) - {"none_observed"})
    return {
        "unique_id": rec["id"],
        "sex": None if rec["sex"] == "U" else rec["sex"],
        "by_lo": by_lo,
        "by_hi": by_hi,
        "name": main.name if main else None,
        "name_py": main.py if main else None,
        "name_fuzzy": main.fuzzy if main else None,
        "name_sorted": main.sorted_py if main else None,
        "name_shape": main.shape if main else None,
        "surname_py": main.surname_py if main else None,
        "given_py": main.given_py if main else None,
        "given_syllables": list(main.given_syllables) if main else None,
        "alias_py": sorted({f.py for f in feats}) or None,
        # A found person's home: the birthplace an ID number shows, else where the dialect
        # points; a report's: the home division.
        "home": (rec.get("id_birthplace") or rec["dialect_division"])
        if found
        else rec["home_division"],
        "place": place,
        "place_lat": point[0] if point else None,
        "place_lon": point[1] if point else None,
        "found_lo": date[0] if found and date else None,
        "found_hi": date[1] if found and date else None,
        "lost_lo": date[0] if not found and date else None,
        "lost_hi": date[1] if not found and date else None,
        "height": _adult_height(rec),
        "marks": marks or None,
        "mark_types": sorted({m.split(":")[0] for m in marks}) or None,
        "conditions": conditions or None,
    }
