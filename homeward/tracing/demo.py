"""Demo tracing data: verified reports (some of them of demo people), notices, candidates.

Idempotent: runs only while no report exists. Names, phones and places are made up.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from homeward.accounts.models import Role, User
from homeward.cases.models import Stay
from homeward.regions.models import Division
from homeward.tracing.models import MissingReport
from homeward.tracing.services import ReportData, notices_sync, relink_all, report_file


def tracing_demo_load() -> int:
    """File a few reports at the Suzhou station; returns how many (0 if already done)."""
    if MissingReport.objects.exists():
        return 0
    officer = User.objects.filter(role=Role.TRACING_OFFICER, station__isnull=False).first()
    if officer is None:
        return 0
    today = timezone.localdate()
    made = 0
    # Reports of three people now in demo stations, as their families would tell it.
    for stay in Stay.objects.filter(status=Stay.Status.IN_STATION).exclude(person__name="")[:3]:
        person = stay.person
        age = person.age_on(today) or (40, 50)
        report_file(
            by=officer,
            data=ReportData(
                name=person.name,
                sex=person.sex,
                contact_name="家属" + person.name[:1],
                contact_relation="子女",
                contact_phone=f"1390000{made:04d}",
                birth_date=date(today.year - (age[0] + age[1]) // 2, 6, 1),
                birth_precision="year",
                home_division=person.dialect_division,
                lost_date=timezone.localdate(stay.admitted_at) - (today - today.replace(day=1)),
                lost_division=stay.station.division,
                height_cm=person.height_cm,
            ),
        )
        made += 1
    # And two that match nobody yet.
    for name, sex, born, home in (("陈国强", "M", 1958, "430104"), ("刘小燕", "F", 2011, "510107")):
        report_file(
            by=officer,
            data=ReportData(
                name=name,
                sex=sex,
                contact_name="家属",
                contact_relation="父母",
                contact_phone=f"1370000{made:04d}",
                birth_date=date(born, 3, 1),
                birth_precision="year",
                home_division=Division.objects.get(code=home),
                lost_date=date(today.year - 1, 11, 2),
                lost_division=Division.objects.get(code=home),
            ),
        )
        made += 1
    notices_sync()
    relink_all()
    return made
