"""The dashboard's charts as plain data; static/homeward/reports.js draws them with ECharts."""

from __future__ import annotations

from django.utils.translation import gettext as _

from homeward.reports.drilldown import station_load
from homeward.reports.report import LENGTH_LABELS, Report
from homeward.tracing.models import Reunion


def chart_data(report: Report, user=None) -> dict:
    channels = dict(Reunion.Channel.choices)
    data = {
        "monthly": {
            "title": _("Person-times by month"),
            "labels": [f"{m.start:%Y-%m}" for m in report.period.months()],
            "values": report.intake.monthly,
        },
        "reunions": {
            "title": _("Reunions by channel"),
            "items": [
                {"name": str(channels[k]), "value": v}
                for k, v in report.reunions.by_channel.items()
                if v
            ],
        },
        "retention": {
            "title": _("In the station by length of stay"),
            "labels": [str(LENGTH_LABELS[k]) for k in report.retention.by_length],
            "values": list(report.retention.by_length.values()),
        },
    }
    if user is not None:
        data["map"] = {
            "title": _("Stations by load"),
            "x": _("Longitude"),
            "y": _("Latitude"),
            "points": station_load(user, report.scope),
        }
    return data
