"""A known set of records at three stations, with a fixed clock, for exact figures.

Suzhou and Kunshan are in Jiangsu (one city, 苏州市); Hangzhou is in Zhejiang.
Every date is written out, and the expected figures are worked out by hand
in tests/reports/test_figures.py.
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from homeward.accounts.models import Role
from homeward.cases.models import BedAssignment, Exit, OutsourcedCare, Person, Settlement, Stay
from homeward.dispatch.models import Incident
from homeward.stations.models import Bed
from homeward.tracing.models import Candidate, MissingReport, Notice, Reunion
from tests.conftest import make_user

ZONE = ZoneInfo("Asia/Shanghai")
# The fixed clock: the 2024 report is made on 1 March 2025.
NOW = datetime(2025, 3, 1, 9, 0, tzinfo=ZONE)
_numbers = count(1)


def at(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, tzinfo=ZONE)


def person(sex="M", born=None, born_before=None, conditions=()) -> Person:
    return Person.objects.create(
        sex=sex, birth_date=born, born_before=born_before, conditions=list(conditions)
    )


def stay(station, who: Person, admitted: datetime, brought_by="police", **fields) -> Stay:
    return Stay.objects.create(
        person=who,
        station=station,
        number=f"T{next(_numbers):05d}",
        admitted_at=admitted,
        brought_by=brought_by,
        **fields,
    )


def end(s: Stay, kind: str, when: datetime, **fields) -> Exit:
    s.status, s.exited_at = Stay.Status.EXITED, when
    s.save(update_fields=["status", "exited_at"])
    return Exit.objects.create(stay=s, kind=kind, at=when, **fields)


def reunite(s: Stay, channel: str, completed: datetime, officer) -> Reunion:
    report = MissingReport.objects.create(
        channel="staff",
        name="某人",
        contact_name="家属",
        contact_relation="父亲",
        contact_phone="1",
    )
    candidate = Candidate.objects.create(
        person=s.person, report=report, station=s.station, posterior=0.99, log10_total=5.0
    )
    return Reunion.objects.create(
        candidate=candidate, stay=s, channel=channel, confirmed_by=officer, completed_at=completed
    )


def bed_for(s: Stay, since: datetime) -> None:
    bed = Bed.objects.filter(room__station=s.station, state=Bed.State.FREE).first()
    bed.state = Bed.State.OCCUPIED
    bed.save()
    BedAssignment.objects.create(stay=s, bed=bed, since=since)


def incident(station, received: datetime, outcome: str, status="resolved") -> Incident:
    return Incident.objects.create(
        station=station,
        channel="hotline",
        description="桥下有人",
        received_at=received,
        status=status,
        outcome=outcome,
    )


@pytest.fixture
def records(suzhou, kunshan, hangzhou):
    return build_records(suzhou, kunshan, hangzhou)


def build_records(suzhou, kunshan, hangzhou) -> dict:
    """The known records; the browser test builds them too."""
    officer = make_user("sz.tracing", Role.TRACING_OFFICER, station=suzhou)
    # Suzhou, 2024.
    old_man = person("M", born=date(1950, 5, 1), conditions=["dementia"])
    s1 = stay(suzhou, old_man, at(2024, 1, 10))
    end(s1, "returned_home", at(2024, 1, 20))
    girl = person("F", born=date(2012, 3, 1))
    s2 = stay(
        suzhou, girl, at(2024, 2, 5), "city_management", is_minor=True, left_behind_child=True
    )
    reunite(s2, "dna", at(2024, 2, 15), officer)
    end(s2, "handed_to_family", at(2024, 2, 15))
    silent = person(
        "M", born_before=date(1980, 1, 1), conditions=["intellectual_disability", "hearing_speech"]
    )
    s3 = stay(suzhou, silent, at(2024, 3, 1), "street_team")
    bed_for(s3, at(2024, 3, 1))
    OutsourcedCare.objects.create(stay=s3, institution="某养护院", since=date(2024, 4, 1))
    Notice.objects.create(
        stay=s3,
        due_at=at(2024, 3, 2),
        published_at=at(2024, 3, 2),
        refreshed_at=at(2024, 4, 2),
        sex="M",
        station_name=suzhou.name,
        station_phone=suzhou.phone_24h,
    )
    s4 = stay(suzhou, person("U"), at(2024, 12, 25), "self")
    bed_for(s4, at(2024, 12, 25))
    s6 = stay(suzhou, old_man, at(2024, 11, 1))
    end(s6, "transferred", at(2024, 11, 3), to_station=kunshan)
    spare = Bed.objects.filter(room__station=suzhou, state=Bed.State.FREE).first()
    spare.state = Bed.State.OUT_OF_SERVICE
    spare.save()
    incident(suzhou, at(2024, 3, 1), "brought_to_station")
    incident(suzhou, at(2024, 7, 1), "refused_help")
    incident(suzhou, at(2024, 8, 1), "not_found")
    incident(suzhou, at(2024, 8, 1, 11), "", status="merged")
    # Suzhou, stays begun in 2023.
    s5 = stay(suzhou, person("M", born=date(1970, 7, 1)), at(2023, 6, 1), "hotline")
    reunite(s5, "face", at(2024, 6, 11), officer)
    end(s5, "handed_to_family", at(2024, 6, 11))
    s7 = stay(suzhou, person("M", born=date(1960, 1, 1)), at(2023, 3, 1))
    end(s7, "returned_home", at(2023, 3, 5))
    long_stay = person("F", born=date(1958, 1, 1), conditions=["mental_illness"])
    s8 = stay(suzhou, long_stay, at(2023, 1, 10))
    end(s8, "placed", at(2024, 5, 1))
    Settlement.objects.create(
        person=long_stay,
        station=suzhou,
        institution="市社会福利院",
        placed_on=date(2024, 5, 1),
        hukou_applied_on=date(2024, 6, 1),
        hukou_registered_on=date(2024, 8, 1),
        dibao_on=date(2024, 9, 1),
        medical_assistance_on=date(2024, 9, 1),
    )
    # Kunshan, 2024.
    k1 = stay(
        kunshan,
        person("F", born=date(2010, 1, 1)),
        at(2024, 4, 1),
        is_minor=True,
        child_in_plight=True,
    )
    reunite(k1, "police", at(2024, 4, 3), officer)
    end(k1, "handed_to_family", at(2024, 4, 3))
    k2 = stay(kunshan, old_man, at(2024, 11, 3), "transfer", transferred_from=s6)
    end(k2, "returned_home", at(2024, 11, 10))
    # Hangzhou, 2024: never counted in Jiangsu.
    h1 = stay(hangzhou, person("M", born=date(1980, 1, 1)), at(2024, 5, 5))
    bed_for(h1, at(2024, 5, 5))
    h2 = stay(hangzhou, person("F", born=date(2015, 1, 1)), at(2024, 6, 1), is_minor=True)
    reunite(h2, "notice", at(2024, 6, 20), officer)
    end(h2, "handed_to_family", at(2024, 6, 20))
    incident(hangzhou, at(2024, 3, 1), "brought_to_station")
    return {"suzhou": suzhou, "kunshan": kunshan, "hangzhou": hangzhou}


@pytest.fixture
def national_admin(db):
    return make_user("cn.admin", Role.NATIONAL_ADMIN)


@pytest.fixture
def suzhou_head(suzhou):
    return make_user("sz.head", Role.STATION_HEAD, station=suzhou)
