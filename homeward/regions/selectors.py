"""Reads of divisions: by code, by name, the parent/child walk, address parsing, distance."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from homeward.regions.addresses import parse
from homeward.regions.geo import great_circle_km
from homeward.regions.models import Division

_CODE = re.compile(r"^\d{2}(\d{2}){0,2}(\d{6})?$")


def normalise_code(code: str) -> str | None:
    """A 2, 4, 6 or 12-digit code as the six-digit key, or None if it is not one."""
    code = (code or "").strip()
    if not _CODE.match(code):
        return None
    return code[:6].ljust(6, "0")


def division_get(code: str) -> Division | None:
    key = normalise_code(code)
    if key is None:
        return None
    return Division.objects.select_related("parent").filter(code=key).first()


def divisions_resolve(fields: dict, *names: str) -> None:
    """Replace each code in `fields[name]` by its Division, in place; an empty code is
    None, and an unknown one is a ValidationError naming every such field (never dropped
    without a word)."""
    errors = {}
    for name in names:
        code = fields.get(name)
        if not code:
            fields[name] = None
            continue
        fields[name] = division_get(str(code))
        if fields[name] is None:
            errors[name] = [_("No division has the code %(code)s.") % {"code": code}]
    if errors:
        raise ValidationError(errors)


def references_resolve(fields: dict, data_class: type, lookups: dict | None = None) -> None:
    """Turn an API payload's references back into instances, in place, for a service input
    made by `common.schemas.input_schema`: divisions by code (`divisions_resolve`), any
    other model through `lookups[field](id)`, which returns it or raises ValidationError."""
    from homeward.common.schemas import reference_fields

    references = reference_fields(data_class)
    divisions_resolve(fields, *[name for name, model in references.items() if model is Division])
    for name, model in references.items():
        if model is Division:
            continue
        value = fields.get(name)
        if value in (None, ""):
            fields[name] = None
        elif lookups and name in lookups:
            fields[name] = lookups[name](value)
        else:
            raise TypeError(f"{data_class.__name__}.{name}: no lookup for {model.__name__}")


def divisions_by_name(name: str) -> QuerySet[Division]:
    """Divisions whose name is `name`, or starts with it (苏州 finds 苏州市).

    Names repeat across the country (朝阳区 is in Beijing and in Changchun),
    so this returns every match, provinces first.
    """
    name = (name or "").strip()
    if not name:
        return Division.objects.none()
    exact = Division.objects.filter(name=name)
    if exact.exists():
        return exact.order_by("code")
    return Division.objects.filter(name__startswith=name).order_by("code")


def division_children(division: Division) -> QuerySet[Division]:
    return division.children.order_by("code")


def division_ancestors(division: Division) -> list[Division]:
    """From the province down to the division's parent."""
    chain: list[Division] = []
    node = division.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def division_path(division: Division) -> str:
    """Full name, e.g. 江苏省苏州市姑苏区."""
    names = [d.name for d in division_ancestors(division)] + [division.name]
    # Municipalities carry a 市辖区 pseudo-city that nobody says aloud.
    return "".join(n for n in names if n not in ("市辖区", "县"))


def division_contains(outer: Division, inner: Division) -> bool:
    return inner.code.startswith(outer.prefix)


@dataclass(frozen=True)
class ParsedAddress:
    division: Division | None
    province: str
    city: str
    county: str
    rest: str


def address_parse(text: str) -> ParsedAddress:
    """Parse free text such as '江苏苏州姑苏区人民路100号' to its most precise division
    (`regions.addresses`: a name several places share, with nothing to choose between
    them, places nothing)."""
    parsed = parse(text)
    if parsed.place is None:
        return ParsedAddress(None, "", "", "", parsed.rest)
    names = {p.level: p.name for p in parsed.path}
    return ParsedAddress(
        division_get(parsed.place.code),
        names.get("province", ""),
        names.get("city", ""),
        names.get("county", ""),
        parsed.rest,
    )


def distance_km(a: Division | tuple[float, float], b: Division | tuple[float, float]) -> float:
    """Great-circle distance between two divisions' seats or (lat, lon) points."""
    pa = a.point if isinstance(a, Division) else a
    pb = b.point if isinstance(b, Division) else b
    return great_circle_km(pa, pb)
