"""The attribute comparisons: each level once as SQL (what Splink runs on DuckDB) and once as
plain Python (the slow reference twin the tests hold the SQL to).

Levels are listed most specific first; the first that holds is the pair's level. Every
condition is symmetric in the two records (Splink may put either table on the left), so the
asymmetric date comparison reads each date with `coalesce(x_l, x_r)`: a column is null on
the kind of record that does not carry it. Hanzi are only ever compared for equality:
DuckDB's string distances work on UTF-8 bytes, not characters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeward.matching.attributes.divisions import SQL_HAVERSINE, haversine_km

Row = Mapping[str, Any]
# An age range wider than this many years is "unknown" (see records.birth_years).
UNKNOWN_AGE_SPAN = 60


@dataclass(frozen=True)
class Level:
    """One comparison level: chart label, SQL condition, Python predicate on (row a, row b)."""

    label: str
    sql: str
    test: Callable[[Row, Row], bool]
    null: bool = False
    fixed_m: float | None = None  # an impossible level keeps this m instead of learning one


@dataclass(frozen=True)
class Comparison:
    """A field's comparison: output column name and levels (the last is the else level)."""

    name: str
    levels: tuple[Level, ...]


def _null(*cols: str) -> Level:
    sql = " or ".join(f"{c}_l is null or {c}_r is null" for c in cols)
    return Level(
        "unknown", sql, lambda a, b: any(a[c] is None or b[c] is None for c in cols), null=True
    )


def _else() -> Level:
    return Level("else", "ELSE", lambda a, b: True)


def _eq(col: str, label: str) -> Level:
    return Level(label, f"{col}_l = {col}_r", lambda a, b: a[col] == b[col])


def _any(col: str) -> Callable[[Row, Row], bool]:
    return lambda a, b: bool(set(a[col] or ()) & set(b[col] or ()))


def _prefix(col: str, width: int, label: str) -> Level:
    sql = (
        f"length({col}_l) >= {width} and length({col}_r) >= {width} "
        f"and left({col}_l, {width}) = left({col}_r, {width})"
    )

    def test(a: Row, b: Row) -> bool:
        x, y = a[col], b[col]
        return len(x) >= width and len(y) >= width and x[:width] == y[:width]

    return Level(label, sql, test)


# -- names --------------------------------------------------------------------------------
NAME = Comparison(
    "name",
    (
        _null("name_py"),
        _eq("name", "same characters"),
        _eq("name_py", "same pinyin (homophone)"),
        _eq("name_fuzzy", "same pinyin up to dialect (zh/z, n/l, -ng/-n, f/h)"),
        _eq("name_shape", "look-alike characters (形近字)"),
        Level(
            "swapped order or an alias",
            "name_sorted_l = name_sorted_r or list_has_any(alias_py_l, alias_py_r)",
            lambda a, b: a["name_sorted"] == b["name_sorted"] or _any("alias_py")(a, b),
        ),
        Level(
            "same given name, surname different or not said",
            "(given_py_l <> '' and given_py_l = given_py_r) "
            "or name_py_l = given_py_r or given_py_l = name_py_r",
            lambda a, b: (
                (a["given_py"] != "" and a["given_py"] == b["given_py"])
                or a["name_py"] == b["given_py"]
                or a["given_py"] == b["name_py"]
            ),
        ),
        Level(
            "same surname, given names share a syllable",
            "surname_py_l <> '' and surname_py_l = surname_py_r "
            "and list_has_any(given_syllables_l, given_syllables_r)",
            lambda a, b: (
                a["surname_py"] != ""
                and a["surname_py"] == b["surname_py"]
                and _any("given_syllables")(a, b)
            ),
        ),
        Level(
            "same surname, one given name not said",
            "surname_py_l <> '' and surname_py_l = surname_py_r "
            "and (given_py_l = '' or given_py_r = '')",
            lambda a, b: (
                a["surname_py"] != ""
                and a["surname_py"] == b["surname_py"]
                and (a["given_py"] == "" or b["given_py"] == "")
            ),
        ),
        Level(
            "same surname only",
            "surname_py_l <> '' and surname_py_l = surname_py_r",
            lambda a, b: a["surname_py"] != "" and a["surname_py"] == b["surname_py"],
        ),
        _else(),
    ),
)

# -- sex and age ----------------------------------------------------------------------------
SEX = Comparison("sex", (_null("sex"), _eq("sex", "same sex"), _else()))

AGE_GAP_SQL = "greatest(by_lo_l - by_hi_r, by_lo_r - by_hi_l, 0)"


def age_gap(a: Row, b: Row) -> int:
    """Years between two birth-year ranges (0 when they overlap)."""
    return max(a["by_lo"] - b["by_hi"], b["by_lo"] - a["by_hi"], 0)


def _age_unknown(a: Row, b: Row) -> bool:
    return any(r["by_hi"] - r["by_lo"] > UNKNOWN_AGE_SPAN for r in (a, b))


def _age(years: int) -> Level:
    return Level(
        f"birth years {years} or fewer apart" if years else "birth years agree",
        f"{AGE_GAP_SQL} <= {years}",
        lambda a, b: age_gap(a, b) <= years,
    )


AGE = Comparison(
    "age",
    (
        Level(
            "unknown",
            f"by_hi_l - by_lo_l > {UNKNOWN_AGE_SPAN} or by_hi_r - by_lo_r > {UNKNOWN_AGE_SPAN}",
            _age_unknown,
            null=True,
        ),
        _age(0),
        _age(2),
        _age(5),
        _age(10),
        _else(),
    ),
)

# -- places ---------------------------------------------------------------------------------
HOME = Comparison(
    "home",
    (
        _null("home"),
        _prefix("home", 6, "same county"),
        _prefix("home", 4, "same city"),
        _prefix("home", 2, "same province"),
        _else(),
    ),
)

DISTANCE_SQL = SQL_HAVERSINE.format(
    lat1="place_lat_l", lon1="place_lon_l", lat2="place_lat_r", lon2="place_lon_r"
)


def _km(a: Row, b: Row) -> float | None:
    if a["place_lat"] is None or b["place_lat"] is None:
        return None
    return float(haversine_km(a["place_lat"], a["place_lon"], b["place_lat"], b["place_lon"]))


def _within(km: int) -> Level:
    def test(a: Row, b: Row) -> bool:
        d = _km(a, b)
        return d is not None and d <= km

    return Level(
        f"seats within {km} km",
        f"place_lat_l is not null and place_lat_r is not null and {DISTANCE_SQL} <= {km}",
        test,
    )


PLACE = Comparison(
    "place",
    (
        _null("place"),
        _prefix("place", 6, "same county"),
        _prefix("place", 4, "same city"),
        _prefix("place", 2, "same province"),
        _within(300),
        _within(1000),
        _else(),
    ),
)

# -- dates ----------------------------------------------------------------------------------
_F_LO, _F_HI = "coalesce(found_lo_l, found_lo_r)", "coalesce(found_hi_l, found_hi_r)"
_L_LO, _L_HI = "coalesce(lost_lo_l, lost_lo_r)", "coalesce(lost_hi_l, lost_hi_r)"
GAP_SQL = f"(({_F_LO} + {_F_HI}) - ({_L_LO} + {_L_HI})) / 2"


def _col(a: Row, b: Row, col: str) -> Any:
    return a[col] if a[col] is not None else b[col]


def date_gap(a: Row, b: Row) -> float | None:
    """Days from the middle of the lost date to the middle of the found date."""
    f_lo, f_hi, l_lo, l_hi = (_col(a, b, c) for c in ("found_lo", "found_hi", "lost_lo", "lost_hi"))
    if f_lo is None or l_lo is None:
        return None
    return ((f_lo + f_hi) - (l_lo + l_hi)) / 2


def _gap(days: int, label: str) -> Level:
    return Level(label, f"{GAP_SQL} <= {days}", lambda a, b: date_gap(a, b) <= days)


DATES = Comparison(
    "dates",
    (
        Level(
            "unknown",
            f"{_F_LO} is null or {_L_LO} is null",
            lambda a, b: date_gap(a, b) is None,
            null=True,
        ),
        Level(
            "found before lost",
            f"{_F_HI} < {_L_LO}",
            lambda a, b: _col(a, b, "found_hi") < _col(a, b, "lost_lo"),
            fixed_m=1e-4,
        ),
        _gap(90, "found within 90 days"),
        _gap(730, "found within 2 years"),
        _gap(3652, "found within 10 years"),
        _else(),
    ),
)

# -- body -----------------------------------------------------------------------------------


def _height(cm: int) -> Level:
    return Level(
        f"adult heights within {cm} cm",
        f"abs(height_l - height_r) <= {cm}",
        lambda a, b: abs(a["height"] - b["height"]) <= cm,
    )


HEIGHT = Comparison("height", (_null("height"), _height(3), _height(8), _height(15), _else()))

MARKS = Comparison(
    "marks",
    (
        _null("marks"),
        Level(
            "two or more marks in common",
            "len(list_intersect(marks_l, marks_r)) >= 2",
            lambda a, b: len(set(a["marks"]) & set(b["marks"])) >= 2,
        ),
        Level("one mark in common", "list_has_any(marks_l, marks_r)", _any("marks")),
        Level(
            "same kind of mark elsewhere",
            "list_has_any(mark_types_l, mark_types_r)",
            _any("mark_types"),
        ),
        _else(),
    ),
)

CONDITIONS = Comparison(
    "conditions",
    (
        _null("conditions"),
        Level(
            "a condition in common", "list_has_any(conditions_l, conditions_r)", _any("conditions")
        ),
        _else(),
    ),
)

COMPARISONS: tuple[Comparison, ...] = (
    NAME,
    SEX,
    AGE,
    HOME,
    PLACE,
    DATES,
    HEIGHT,
    MARKS,
    CONDITIONS,
)


def reference_level(comparison: Comparison, a: Row, b: Row) -> int:
    """Index (into `comparison.levels`) of the first level that holds for rows a, b."""
    for i, level in enumerate(comparison.levels):
        if level.sql == "ELSE" or level.test(a, b):
            return i
    raise AssertionError("a comparison ends with an else level")


def splink_comparisons() -> list[Any]:
    """The comparisons as Splink `CustomComparison`s (imports Splink lazily)."""
    import splink.comparison_library as cl

    out = []
    for comp in COMPARISONS:
        levels = []
        for level in comp.levels:
            spec: dict[str, Any] = {"sql_condition": level.sql, "label_for_charts": level.label}
            if level.null:
                spec["is_null_level"] = True
            if level.fixed_m is not None:
                spec["m_probability"] = level.fixed_m
                spec["fix_m_probability"] = True
            levels.append(spec)
        out.append(cl.CustomComparison(comparison_levels=levels, output_column_name=comp.name))
    return out


def gamma_to_level(comparison: Comparison, gamma: int) -> int:
    """Splink's comparison vector value (-1 null, then counting down to 0 = else) as an
    index into `comparison.levels`."""
    if gamma == -1:
        return 0
    return len(comparison.levels) - 1 - gamma
