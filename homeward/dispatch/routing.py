"""How far a team is from an incident. Great-circle by default; a routing service plugs in.

Set DISPATCH_ROUTER to the dotted path of a class with the `Router` shape (for
example one that asks a road-routing service for driving times); it is
called once per dispatch proposal with every candidate team.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from homeward.regions.geo import great_circle_km

Point = tuple[float, float]


class Router(Protocol):
    def costs(self, origin: Point, destinations: Sequence[Point]) -> list[float]:
        """One cost per destination (lower is nearer), in the same order."""


class GreatCircleRouter:
    """Straight-line distance in kilometres: no service needed, good enough within a city."""

    def costs(self, origin: Point, destinations: Sequence[Point]) -> list[float]:
        return [great_circle_km(origin, d) for d in destinations]


@functools.cache
def _router_class(path: str) -> type:
    return import_string(path)


def router() -> Router:
    path = getattr(settings, "DISPATCH_ROUTER", "homeward.dispatch.routing.GreatCircleRouter")
    return _router_class(path)()
