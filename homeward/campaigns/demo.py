"""Demo data for campaigns: last winter's warmth campaign in Suzhou, with its report.

Idempotent (the warning's feed id is the key). Figures are made up.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from homeward.campaigns.models import WeatherWarning
from homeward.campaigns.services import (
    WarningData,
    outreach_record,
    shelter_open,
    warning_record,
)
from homeward.regions.models import Division

FEED_ID = "demo-cold-wave-320500-2025-01"


@transaction.atomic
def campaigns_demo_load() -> int:
    """Returns how many records it added."""
    if WeatherWarning.objects.filter(external_id=FEED_ID).exists():
        return 0
    city = Division.objects.filter(code="320500").first()
    gusu = Division.objects.filter(code="320508").first()
    if city is None or gusu is None:
        return 0
    start = datetime(2025, 1, 10, 8, tzinfo=ZoneInfo("Asia/Shanghai"))
    warning = warning_record(
        data=WarningData(
            hazard="cold_wave",
            level="orange",
            divisions=[city],
            valid_from=start,
            valid_until=start + timedelta(days=3),
            text="苏州市气象台发布寒潮橙色预警信号",
            external_id=FEED_ID,
        ),
        by=None,
        source=WeatherWarning.Source.FEED,
    )
    campaign = warning.campaigns.get()
    shelter_open(
        campaign=campaign,
        name="姑苏区临时避寒点",
        kind="cold",
        division=gusu,
        address="苏州市姑苏区示例路5号",
        point=(31.3050, 120.6100),
        capacity=40,
        hours=(time(18), time(8)),
        by=None,
    )
    for day, reached, persuaded in ((0, 12, 5), (1, 9, 4), (2, 7, 2)):
        outreach_record(
            campaign=campaign,
            division=gusu,
            at=start + timedelta(days=day, hours=12),
            people_reached=reached,
            persuaded=persuaded,
            by=None,
        )
    return 5
