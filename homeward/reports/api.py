"""The figures API: the yearly report of an area as JSON, scoped like the dashboard."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from django.http import HttpRequest
from ninja import Query, Router, Schema

from homeward.reports.report import build
from homeward.reports.scope import period_parse, scope_for

router = Router(tags=["reports"])


class FiguresQuery(Schema):
    level: str = ""
    code: str = ""
    year: int | None = None
    start: date | None = None
    end: date | None = None


class FiguresOut(Schema):
    level: str
    code: str
    name: str
    start: date
    end: date
    figures: dict
    headline: list[dict]
    areas: list[dict]


@router.get("/figures", response=FiguresOut, summary="Figures of an area for a year or period")
def figures(request: HttpRequest, q: Query[FiguresQuery]):
    """`end` is the last day included. Areas outside the caller's scope answer 404."""
    period = period_parse(start=q.start, end=q.end, year=q.year)  # 400 naming the field
    scope = scope_for(request.user, q.level, q.code)
    report = build(request.user, scope, period)
    figures = {
        name: asdict(getattr(report, name))
        for name in (
            "intake",
            "outreach",
            "reunions",
            "settlements",
            "outsourced",
            "notices",
            "campaigns",
        )
    }
    retention = asdict(report.retention)
    retention["at"] = retention["at"].isoformat()
    figures |= {
        "exits": report.exits,
        "retention": retention,
        "bed_use": {**asdict(report.bed_use), "rate": report.bed_use.rate},
        "alerts_sent": report.alerts,
    }
    return {
        "level": scope.level,
        "code": scope.code,
        "name": scope.name,
        "start": period.start,
        "end": date.fromordinal(period.end.toordinal() - 1),
        "figures": figures,
        "headline": [
            {"key": h.key, "value": h.value, "last_year": h.last_year} for h in report.headline
        ],
        "areas": [
            {
                "level": r.scope.level,
                "code": r.scope.code,
                "name": r.scope.name,
                "person_times": r.person_times,
                "minors": r.minors,
                "reunions": r.reunions,
                "in_station": r.in_station,
                "over_90": r.over_90,
                "beds": r.beds,
                "used": r.used,
            }
            for r in report.rows
        ],
    }
