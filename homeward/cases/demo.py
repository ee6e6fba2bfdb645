"""Demo people for the demo stations: realistic stays, minors, long stays, every exit kind.

Made-up names and numbers, drawn from a fixed seed so every demo looks the same.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from homeward.accounts.models import Role, User
from homeward.cases.models import Stay
from homeward.cases.services import (
    ExitData,
    IntakeData,
    bed_assign,
    care_record,
    child_protection_refer,
    incident_record,
    intake_admit,
    stay_exit,
)
from homeward.regions.models import Division
from homeward.stations.models import Bed, Room, Station

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
# Given names by sex, so a demo woman is not called 建国.
GIVEN = {
    "M": ["建国", "志强", "小明", "伟", "军", "强", "德福", "春生", "国庆", "宝山", "磊", "海涛"],
    "F": ["秀英", "桂兰", "海燕", "芳", "丽", "敏", "玉兰", "翠花", "小红", "春梅", "淑珍", "婷"],
}
HOMES = [
    "410102",
    "411302",
    "341202",
    "510107",
    "430104",
    "360102",
    "522601",
    "450102",
    "130102",
    "370102",
    "620102",
    "421002",
]
LANGUAGES = {
    "41": "河南话",
    "34": "安徽话",
    "51": "四川话",
    "43": "湖南话",
    "36": "江西话",
    "52": "贵州话",
    "45": "广西话",
    "13": "河北话",
    "37": "山东话",
    "62": "甘肃话",
    "42": "湖北话",
}
SOURCES = ["police", "police", "city_management", "self", "hotline", "street_team", "hospital"]
CONDITIONS = ["intellectual_disability", "mental_illness", "dementia", "hearing_speech"]
EXITS = [
    "returned_home",
    "returned_home",
    "returned_home",
    "handed_to_family",
    "handed_to_family",
    "transferred",
    "placed",
    "hospital",
    "left",
    "died",
]


def _free_bed(station: Station, stay: Stay) -> Bed | None:
    kind = (
        Room.Kind.MINORS
        if stay.is_minor
        else (Room.Kind.WOMEN if stay.person.sex == "F" else Room.Kind.MEN)
    )
    return Bed.objects.filter(room__station=station, room__kind=kind, state=Bed.State.FREE).first()


def _intake(rng: random.Random, station: Station, by: User, days_ago: float, minor: bool) -> Stay:
    home = rng.choice(HOMES)
    low = rng.randint(8, 14) if minor else rng.choice([22, 35, 45, 55, 65, 72])
    knows_name = rng.random() < 0.6
    sex = rng.choice("MMMF")
    now = timezone.now()
    admitted = now - timedelta(days=days_ago)
    return intake_admit(
        station=station,
        by=by,
        admitted_at=admitted,
        data=IntakeData(
            brought_by=rng.choice(SOURCES),
            referring_unit=rng.choice(["辖区派出所", "城管执法大队", "", "120急救中心"]),
            name=(rng.choice(SURNAMES) + rng.choice(GIVEN[sex])) if knows_name else "",
            name_source="said" if knows_name else "unknown",
            sex=sex,
            age_estimate_min=low,
            age_estimate_max=low + (3 if minor else 10),
            language=LANGUAGES.get(home[:2], "普通话") if rng.random() < 0.7 else "",
            dialect_division=Division.objects.get(code=home[:2] + "0000")
            if rng.random() < 0.5
            else None,
            height_cm=rng.randint(130, 160) if minor else rng.randint(150, 182),
            marks=rng.sample(
                ["scar:face", "mole:neck", "tattoo:left_arm", "scar:right_hand"], rng.randint(0, 2)
            ),
            conditions=[rng.choice(CONDITIONS)] if rng.random() < 0.5 else [],
            found_at=admitted - timedelta(hours=rng.randint(1, 6)),
            found_division=station.division,
            found_address=rng.choice(
                ["火车站南广场", "汽车客运站", "人民公园", "高架桥下", "商业街"]
            ),
            health_on_arrival=rng.choice(["", "体表无明显外伤", "营养不良", "脚部冻伤"]),
            left_behind_child=minor and rng.random() < 0.5,
            guardian_name="" if not minor else rng.choice(SURNAMES) + rng.choice(GIVEN["F"]),
            guardian_relation="" if not minor else rng.choice(["祖母", "父亲", "母亲"]),
            belongings=[("手机", 1)] if rng.random() < 0.4 else [],
        ),
    )


def cases_demo_load(seed: int = 2026) -> int:
    """Give every demo station a dozen people; returns how many stays were made (0 if done)."""
    if Stay.objects.exists():
        return 0
    rng = random.Random(seed)
    made = 0
    stations = list(Station.objects.order_by("pk"))
    for station in stations:
        staff = User.objects.filter(station=station, role=Role.STATION_HEAD).first()
        if staff is None:
            continue
        for i in range(12):
            minor = i in (0, 7)
            days_ago = rng.choice([0.2, 0.4, 2, 5, 12, 35, 60, 95, 140, 200])
            stay = _intake(rng, station, staff, days_ago, minor)
            made += 1
            bed = _free_bed(station, stay)
            if bed is not None:
                bed_assign(
                    stay=stay, bed=bed, by=staff, at=stay.admitted_at + timedelta(minutes=30)
                )
            care_record(
                stay=stay,
                kind="meal",
                text="按时就餐",
                by=staff,
                at=stay.admitted_at + timedelta(hours=2),
            )
            if minor:
                child_protection_refer(
                    stay=stay, unit=f"{station.division.name}未成年人救助保护中心", by=staff
                )
            if rng.random() < 0.15:
                incident_record(
                    stay=stay,
                    kind=rng.choice(["fall", "fight", "illness"]),
                    description="值班人员及时处置",
                    by=staff,
                    at=stay.admitted_at + timedelta(hours=5),
                )
            # Older stays end; the long ones (95+ days) mostly stay, as they do.
            if days_ago >= 2 and (days_ago < 90 or rng.random() < 0.3):
                _end(rng, stay, staff, stations, turn=made)
    return made


def _end(rng: random.Random, stay: Stay, by: User, stations: list[Station], turn: int) -> None:
    # Taken in turn, so every kind of exit shows up in the demo.
    kind = EXITS[turn % len(EXITS)]
    if stay.is_minor and kind in ("left", "died", "transferred", "placed"):
        kind = "returned_home"
    at = stay.admitted_at + timedelta(days=rng.uniform(0.5, min(9, stay.days_in_station())))
    data = ExitData(kind=kind, at=min(at, timezone.now() - timedelta(hours=1)))
    if kind == "returned_home":
        data.destination_division = Division.objects.get(code=rng.choice(HOMES))
        data.ticket = "火车票"
        data.travel_cost_yuan = Decimal(rng.randint(80, 600))
        data.escorted = stay.is_minor
        data.escort_name = "站内社工" if stay.is_minor else ""
    elif kind == "handed_to_family":
        data.collector_name = rng.choice(SURNAMES) + rng.choice(GIVEN["F"])
        data.collector_relation = rng.choice(["儿子", "女儿", "妻子", "父亲", "哥哥"])
        data.identity_checked = True
        data.kinship_evidence = "dna" if stay.is_minor or stay.person.conditions else ""
        data.collector_id_number = "320508198503121234" if stay.is_minor else ""
    elif kind == "transferred":
        data.to_station = rng.choice([s for s in stations if s.pk != stay.station_id])
    elif kind == "placed":
        data.to_institution = f"{stay.station.division.name}社会福利院"
    elif kind == "hospital":
        data.hospital = "市第一人民医院"
    elif kind == "died":
        data.authority_informed = "辖区公安分局"
    stay_exit(stay=stay, data=data, by=by)
