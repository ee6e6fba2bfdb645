"""Returning people: earlier records found at the desk, merges made by staff and undone."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from homeward.accounts.models import AuditEvent
from homeward.cases import selectors
from homeward.cases.models import Person
from homeward.cases.services import ExitData, person_merge, person_merge_undo, stay_exit
from tests.cases.conftest import admit


def test_the_desk_finds_an_earlier_record_by_id_number_and_by_name(
    suzhou, hangzhou, desk, hangzhou_desk
):
    known = admit(
        hangzhou,
        hangzhou_desk,
        name="王建国",
        id_number="320508198503121234",
        sex="U",
        age_estimate_min=None,
        age_estimate_max=None,
    )
    stay_exit(stay=known, data=ExitData(kind="left"), by=hangzhou_desk)
    by_id = selectors.earlier_records(id_number="320508198503121234")
    assert [(r.person, r.last_stay.station) for r in by_id] == [(known.person, hangzhou)]
    by_name = selectors.earlier_records(name="王建国", sex="M", age=(38, 45))
    assert [r.person for r in by_name] == [known.person]
    too_young = selectors.earlier_records(name="王建国", sex="M", age=(8, 10))
    assert too_young == []
    assert selectors.earlier_records(name="王建国", sex="F") == []


def test_the_earlier_records_fragment_lists_what_the_clerk_may_link(client, suzhou, desk):
    first = admit(suzhou, desk, name="李四")
    stay_exit(stay=first, data=ExitData(kind="left"), by=desk)
    client.force_login(desk)
    page = client.get("/cases/intake/earlier/", {"name": "李四", "sex": "M"}).content.decode()
    assert f'data-person="{first.person_id}"' in page and 'value="new"' in page


def test_a_merge_keeps_both_records_shows_one_timeline_and_can_be_undone(suzhou, desk):
    first, second = admit(suzhou, desk, name="张三"), admit(suzhou, desk, name="张老三")
    stay_exit(stay=first, data=ExitData(kind="left"), by=desk)
    with pytest.raises(ValidationError) as err:
        person_merge(kept=first.person, merged=second.person, reason=" ", by=desk)
    assert "reason" in err.value.message_dict
    merge = person_merge(
        kept=first.person, merged=second.person, reason="同一人，指纹一致", by=desk
    )
    second.person.refresh_from_db()
    assert second.person.merged_into == first.person
    assert {s.pk for s in second.person.stays.all()} == {second.pk}  # its history stays its own
    timeline = selectors.person_timeline(first.person, sensitive=False)
    assert {e.stay.pk for e in timeline} == {first.pk, second.pk}
    assert AuditEvent.objects.filter(
        object_type="cases.person", object_id=str(first.person_id), action="update"
    ).exists()
    person_merge_undo(merge=merge, by=desk)
    assert Person.objects.get(pk=second.person_id).merged_into is None
    assert {e.stay.pk for e in selectors.person_timeline(first.person, sensitive=False)} == {
        first.pk
    }
    with pytest.raises(ValidationError):
        person_merge_undo(merge=merge, by=desk)


def test_records_with_different_id_numbers_are_never_merged(suzhou, desk):
    a = admit(
        suzhou,
        desk,
        id_number="320508198503121234",
        sex="U",
        age_estimate_min=None,
        age_estimate_max=None,
    )
    b = admit(
        suzhou,
        desk,
        id_number="11010519491231002X",
        sex="U",
        age_estimate_min=None,
        age_estimate_max=None,
    )
    with pytest.raises(ValidationError):
        person_merge(kept=a.person, merged=b.person, reason="误", by=desk)


def test_night_duty_shows_who_arrived_between_six_and_eight(suzhou, desk):
    zone = timezone.get_current_timezone()
    today = timezone.localdate()
    night = admit(suzhou, desk, name="夜归人")
    night.admitted_at = datetime.combine(today, time(2, 30), zone)
    night.save()
    evening = admit(suzhou, desk, name="傍晚")
    evening.admitted_at = datetime.combine(today - timedelta(days=1), time(17, 0), zone)
    evening.save()
    assert list(selectors.night_arrivals(desk, today)) == [night]


def test_the_lists_filter_by_what_staff_look_for(client, suzhou, desk):
    admit(suzhou, desk, name="王芳", sex="F", brought_by="hotline", conditions=["dementia"])
    admit(suzhou, desk, name="小明", age_estimate_min=9, age_estimate_max=11)
    client.force_login(desk)

    def names(**params) -> set[str]:
        page = client.get("/cases/", params)
        return {s.person.name for s in page.context["rows"]}

    assert names() == {"王芳", "小明"}
    assert names(sex="F") == {"王芳"}
    assert names(brought_by="hotline") == {"王芳"}
    assert names(condition="dementia") == {"王芳"}
    assert names(view="minors") == {"小明"}
    assert names(q="王") == {"王芳"}
