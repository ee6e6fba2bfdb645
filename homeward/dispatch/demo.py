"""Demo data for the command center: Suzhou's teams, a 110 partner, a few open reports.

Idempotent: it adds only what is missing. Places and phone numbers are made up.
"""

from __future__ import annotations

from django.db import transaction

from homeward.accounts.models import User
from homeward.dispatch.models import Incident, Partner, Team
from homeward.dispatch.services import Report, incident_open, team_create
from homeward.stations.models import Station

# The key is published with the demo; a real partner's key comes from its administrator.
DEMO_PARTNER_KEY = "homeward-demo-110-key"
TEAMS = [("姑苏一组", (31.3150, 120.6250)), ("流动救助车1号", (31.2990, 120.5850))]
REPORTS = [
    (
        "hotline",
        "平江路桥下有一名老人，衣着单薄",
        "江苏省苏州市姑苏区平江路100号",
        (31.3200, 120.6300),
        True,
    ),
    ("public", "观前街路口有人躺卧", "江苏省苏州市姑苏区观前街1号", (31.3110, 120.6200), False),
]


@transaction.atomic
def dispatch_demo_load() -> int:
    """Returns how many records it added."""
    station = Station.objects.filter(name="苏州市救助管理站").first()
    if station is None:
        return 0
    added = 0
    street = list(User.objects.filter(username="suzhou.street"))
    for i, (name, base) in enumerate(TEAMS):
        if not Team.objects.filter(station=station, name=name).exists():
            kind = Team.Kind.PATROL if i == 0 else Team.Kind.VEHICLE
            team_create(
                station=station,
                name=name,
                base=base,
                by=None,
                kind=kind,
                members=street if i == 0 else [],
            )
            added += 1
    if not Partner.objects.filter(code="suzhou-110").exists():
        Partner.objects.create(
            name="苏州市公安局110指挥中心",
            code="suzhou-110",
            kind=Partner.Kind.POLICE_110,
            key=DEMO_PARTNER_KEY,
            station=station,
        )
        added += 1
    if not Incident.objects.filter(station=station).exists():
        for channel, text, address, point, elderly in REPORTS:
            incident_open(
                station=station,
                report=Report(
                    channel=channel,
                    description=text,
                    address=address,
                    latitude=point[0],
                    longitude=point[1],
                    elderly=elderly,
                ),
                by=None,
            )
            added += 1
    return added
