"""Demo tracing data: verified reports (some of them of demo people), notices, candidates.

Idempotent: runs only while no report exists. Names, phones and places are made up.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
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
    made += _family_report(today)
    faces = _faces()
    if faces:
        made += _photographed(officer, faces, today)
        _embed_all()
    notices_sync()
    relink_all()
    return made


def _family_report(today: date) -> int:
    """The demo family's own report, filed on the portal and waiting for a station, with a
    detail the family added later: what "my reports" shows a family."""
    from homeward.tracing.services.family import report_add

    family = User.objects.filter(role=Role.FAMILY, phone_verified=True).first()
    if family is None:
        return 0
    report = report_file(
        by=family,
        data=ReportData(
            name="王秀英",
            sex="F",
            contact_name=family.display_name or "家属",
            contact_relation="女儿",
            contact_phone=family.phone,
            birth_date=date(1952, 1, 1),
            birth_precision="year",
            home_division=Division.objects.get(code="330106"),
            lost_date=today - timedelta(days=12),
            lost_division=Division.objects.get(code="330106"),
            lost_address="西湖区文三路附近的菜市场",
            description="有阿尔茨海默病，记不清家里地址，说杭州话。",
        ),
    )
    report_add(report=report, by=family, text="走失时穿灰色棉袄，戴一顶红色毛线帽。")
    return 1


def _photographed(officer: User, faces: Path, today: date) -> int:
    """With the demo faces, two men with no name in the officer's station get photos: the
    first two (at intake and yesterday) and a family's report with an old photo of him; the
    second a photo of another man, whose family has none to give."""
    men = list(
        Stay.objects.filter(
            status=Stay.Status.IN_STATION,
            station=officer.station,
            person__name="",
            person__sex="M",
            is_minor=False,
        ).order_by("admitted_at")[:2]
    )
    for turn, stay in enumerate(men):
        admitted = timezone.localdate(stay.admitted_at)
        _photograph(stay.person, faces, ("obama2.jpg", "biden.jpg")[turn], admitted)
    if not men:
        return 0
    stay = men[0]
    _photograph(stay.person, faces, "obama3.jpg", today - timedelta(days=1), later=True)
    age = stay.person.age_on(today) or (45, 55)
    report_file(
        by=officer,
        photos=[(_upload(faces, "obama.jpg"), 2009)],
        data=ReportData(
            name="周建国",
            sex="M",
            contact_name="周丽",
            contact_relation="女儿",
            contact_phone="13900009999",
            birth_date=date(today.year - (age[0] + age[1]) // 2, 1, 1),
            birth_precision="year",
            home_division=stay.station.division,
            lost_date=timezone.localdate(stay.admitted_at) - timedelta(days=20),
            lost_division=stay.station.division,
        ),
    )
    return 1


def _faces() -> Path | None:
    folder = Path(settings.DEMO_FACES)
    names = ("obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg")
    return folder if all((folder / n).exists() for n in names) else None


def _upload(folder: Path, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (folder / name).read_bytes(), content_type="image/jpeg")


def _photograph(person, folder: Path, name: str, taken_on: date, later: bool = False) -> None:
    from homeward.cases.models import PersonPhoto
    from homeward.cases.services.photos import photo_store
    from homeward.common.images import clean_upload

    source = PersonPhoto.Source.ADDED if later else PersonPhoto.Source.INTAKE
    photo_store(
        person, clean_upload(_upload(folder, name)), taken_on=taken_on, by=None, source=source
    )


def _embed_all() -> None:
    from homeward.cases.models import Person
    from homeward.tracing.models import ReportPhoto
    from homeward.tracing.services import face_embed_person, face_embed_report_photo

    for photo in ReportPhoto.objects.filter(face__isnull=True):
        face_embed_report_photo(photo)
    for person in Person.objects.filter(photos__face__isnull=True).distinct():
        face_embed_person(person)
