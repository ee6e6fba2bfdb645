from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from homeward.common.limits import allow
from homeward.regions.models import Division
from homeward.regions.selectors import (
    address_parse,
    division_children,
    division_get,
    division_path,
    divisions_by_name,
)

router = Router(tags=["regions"])


class DivisionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None
    latitude: float
    longitude: float
    path: str

    @staticmethod
    def of(d: Division) -> DivisionOut:
        return DivisionOut(
            code=d.code,
            name=d.name,
            level=d.level,
            parent=d.parent_id,
            latitude=d.latitude,
            longitude=d.longitude,
            path=division_path(d),
        )


class ParsedOut(Schema):
    division: DivisionOut | None
    rest: str


def _limited(request: HttpRequest) -> None:
    """Anyone may look divisions up, within a limit per address for those not signed in
    (the address parser is the costly part)."""
    if request.user.is_authenticated:
        return
    client = request.META.get("REMOTE_ADDR", "?")
    if not allow(f"regions:{client}", limit=600, per_seconds=3600):
        raise HttpError(429, _("Too many look-ups from here: please try again later."))


# The divisions are public data (GB/T 2260): the portal's anonymous forms suggest them too.
@router.get("/search", response=list[DivisionOut], summary="Divisions by name", auth=None)
def search(request: HttpRequest, name: str):
    _limited(request)
    return [DivisionOut.of(d) for d in divisions_by_name(name)[:50]]


@router.get("/parse", response=ParsedOut, summary="Free-text address to its division", auth=None)
def parse(request: HttpRequest, address: str):
    _limited(request)
    parsed = address_parse(address)
    return ParsedOut(
        division=DivisionOut.of(parsed.division) if parsed.division else None, rest=parsed.rest
    )


@router.get("/{code}", response=DivisionOut, summary="A division by GB/T 2260 code")
def get(request: HttpRequest, code: str):
    division = division_get(code)
    if division is None:
        raise Http404
    return DivisionOut.of(division)


@router.get("/{code}/children", response=list[DivisionOut], summary="Divisions inside one")
def children(request: HttpRequest, code: str):
    division = division_get(code)
    if division is None:
        raise Http404
    return [DivisionOut.of(d) for d in division_children(division).select_related("parent")]
