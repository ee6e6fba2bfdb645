"""Intake at the desk: with or without papers, minors flagged, bad input refused whole."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from homeward.accounts.models import AuditEvent, Role
from homeward.cases.models import Person, Stay
from homeward.cases.services import IntakeData, intake_admit
from tests.cases.conftest import admit
from tests.conftest import frozen_at, make_user


def test_a_person_without_papers_is_registered_with_an_estimated_age(suzhou, desk):
    stay = admit(suzhou, desk, belongings=[("手机", 1), ("现金", 1)], marks=["scar:forehead"])
    assert stay.status == Stay.Status.IN_STATION
    assert stay.number.endswith("-00001")
    person = stay.person
    assert (person.name, person.name_source, person.sex) == ("张三", "said", "M")
    assert person.age_on(timezone.localdate()) == (40, 50)
    assert person.marks == ["scar:face"]  # "forehead" is filed under face
    assert [b.description for b in stay.belongings.all()] == ["手机", "现金"]
    assert not stay.is_minor


def test_stay_numbers_count_up_within_a_station_and_year(suzhou, desk):
    first, second = admit(suzhou, desk), admit(suzhou, desk, name="李四")
    assert int(second.number[-5:]) == int(first.number[-5:]) + 1


def test_an_id_number_gives_birth_date_sex_and_home(suzhou, desk):
    stay = admit(
        suzhou,
        desk,
        id_number="320508198503121234",
        sex="U",
        age_estimate_min=None,
        age_estimate_max=None,
    )
    person = stay.person
    assert person.birth_date == date(1985, 3, 12)
    assert person.sex == "M"
    assert person.home_division_id == "320508"


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"id_number": "320508198503121235"}, "id_number"),
        ({"id_number": "320508198503121234", "sex": "F"}, "sex"),
        ({"id_number": "990508198503121239"}, "id_number"),
        ({"age_estimate_min": 50, "age_estimate_max": 40}, "age_estimate_max"),
        ({"age_estimate_min": 30, "age_estimate_max": None}, "age_estimate_max"),
        ({"height_cm": 300}, "height_cm"),
        ({"marks": ["scar:elbowpit"]}, "marks"),
        ({"conditions": ["grumpy"]}, "conditions"),
        ({"brought_by": "aliens"}, "brought_by"),
        ({"found_latitude": 91.0}, "found_latitude"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(suzhou, desk, fields, field):
    with pytest.raises(ValidationError) as err:
        admit(suzhou, desk, **fields)
    assert field in err.value.message_dict
    assert not Person.objects.exists() and not Stay.objects.exists()


def test_a_child_by_estimate_is_flagged_as_a_minor(suzhou, desk):
    stay = admit(
        suzhou,
        desk,
        age_estimate_min=12,
        age_estimate_max=14,
        left_behind_child=True,
        guardian_name="王芳",
        guardian_relation="祖母",
    )
    assert stay.is_minor and stay.left_behind_child


def test_a_child_by_id_number_is_a_minor_and_an_uncertain_teen_is_protected(suzhou, desk):
    with frozen_at("10:00", day=date(2026, 12, 1)):  # the child (born 2010-06-01) is 16
        child = admit(
            suzhou,
            desk,
            id_number="320583201006012349",
            sex="U",
            age_estimate_min=None,
            age_estimate_max=None,
        )
        teen = admit(suzhou, desk, name="小王", age_estimate_min=16, age_estimate_max=20)
    assert child.is_minor
    assert teen.is_minor  # the lower end of the estimate is under 18


def test_only_the_stations_own_desk_admits(suzhou, hangzhou, hangzhou_desk, jiangsu_supervisor):
    with pytest.raises(PermissionDenied):
        admit(suzhou, hangzhou_desk)
    with pytest.raises(PermissionDenied):
        admit(suzhou, jiangsu_supervisor)
    street = make_user("sz.street", Role.STREET_TEAM, station=suzhou)
    with pytest.raises(PermissionDenied):
        admit(suzhou, street)


def test_intake_is_audited(suzhou, desk):
    stay = admit(suzhou, desk)
    row = AuditEvent.objects.get(action="create", object_type="cases.stay")
    assert (row.actor, row.object_id, row.station_id) == (desk, str(stay.pk), suzhou.pk)


def test_a_returning_person_gets_a_new_stay_on_the_same_record(suzhou, desk):
    from homeward.cases.services import ExitData, stay_exit

    first = admit(suzhou, desk, name="张三")
    stay_exit(stay=first, data=ExitData(kind="left"), by=desk)
    again = intake_admit(
        station=suzhou,
        by=desk,
        person=first.person,
        data=IntakeData(brought_by="self", name="张老三", sex="M"),
    )
    assert again.person_id == first.person_id
    assert first.person.stays.count() == 2
    again.person.refresh_from_db()
    assert "张老三" in again.person.aliases and again.person.name == "张三"


def test_a_person_already_in_a_station_cannot_be_admitted_twice(suzhou, desk):
    stay = admit(suzhou, desk)
    with pytest.raises(ValidationError) as err:
        intake_admit(
            station=suzhou, by=desk, person=stay.person, data=IntakeData(brought_by="self")
        )
    assert "person" in err.value.message_dict


def test_every_problem_of_an_id_number_is_named_at_once(suzhou, desk):
    from datetime import date as day

    with pytest.raises(ValidationError) as err:
        admit(
            suzhou,
            desk,
            id_number="320508198503121235",  # the check character is wrong
            sex="F",  # the digits say a man
            birth_date=day(1985, 3, 13),  # the digits say the 12th
        )
    assert {"id_number", "sex", "birth_date"} <= set(err.value.message_dict)
