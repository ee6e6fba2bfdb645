"""Beds, care, incidents, minors kept apart, bed-use rate."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from homeward.cases import selectors
from homeward.cases.services import (
    bed_assign,
    care_record,
    child_protection_refer,
    incident_follow_up,
    incident_record,
)
from homeward.stations.models import Bed
from tests.cases.conftest import admit


def bed_in(station, room: str, label: str = "1") -> Bed:
    return Bed.objects.get(room__station=station, room__name=room, label=label)


def test_assigning_a_bed_occupies_it_and_moving_frees_the_old_one(suzhou, desk):
    stay = admit(suzhou, desk)
    first, second = bed_in(suzhou, "101", "1"), bed_in(suzhou, "101", "2")
    bed_assign(stay=stay, bed=first, by=desk)
    first.refresh_from_db()
    assert first.state == "occupied" and selectors.current_bed(stay) == first
    bed_assign(stay=stay, bed=second, by=desk)
    first.refresh_from_db()
    assert first.state == "free" and selectors.current_bed(stay).pk == second.pk


def test_an_occupied_bed_cannot_be_given_twice(suzhou, desk):
    a, b = admit(suzhou, desk), admit(suzhou, desk, name="李四")
    bed_assign(stay=a, bed=bed_in(suzhou, "101"), by=desk)
    with pytest.raises(ValidationError) as err:
        bed_assign(stay=b, bed=bed_in(suzhou, "101"), by=desk)
    assert "bed" in err.value.message_dict


def test_minors_and_adults_sleep_apart(suzhou, desk):
    child = admit(suzhou, desk, name="小明", age_estimate_min=9, age_estimate_max=11)
    adult = admit(suzhou, desk)
    with pytest.raises(ValidationError):
        bed_assign(stay=child, bed=bed_in(suzhou, "101"), by=desk)
    with pytest.raises(ValidationError):
        bed_assign(stay=adult, bed=bed_in(suzhou, "301"), by=desk)
    bed_assign(stay=child, bed=bed_in(suzhou, "301"), by=desk)
    assert selectors.current_bed(child).room.kind == "minors"


def test_a_man_is_not_put_in_the_womens_room(suzhou, desk):
    with pytest.raises(ValidationError):
        bed_assign(stay=admit(suzhou, desk), bed=bed_in(suzhou, "201"), by=desk)


def test_care_and_incidents_are_recorded_and_followed_up(suzhou, desk):
    stay = admit(suzhou, desk)
    care_record(stay=stay, kind="meal", text="午餐", by=desk)
    with pytest.raises(ValidationError) as err:
        care_record(stay=stay, kind="meal", text="  ", by=desk)
    assert "text" in err.value.message_dict
    incident = incident_record(stay=stay, kind="fall", description="在走廊摔倒", by=desk)
    incident_follow_up(incident=incident, follow_up="已送医检查，无骨折", resolved=True, by=desk)
    incident.refresh_from_db()
    assert incident.resolved_at is not None and "无骨折" in incident.follow_up
    kinds = [e.kind for e in selectors.person_timeline(stay.person, sensitive=True)]
    assert kinds == ["intake", "care", "incident"]


def test_health_lines_are_hidden_from_readers_without_the_permission(suzhou, desk):
    stay = admit(suzhou, desk)
    care_record(stay=stay, kind="medical", text="血压 180/110", by=desk)
    hidden = selectors.person_timeline(stay.person, sensitive=False)
    shown = selectors.person_timeline(stay.person, sensitive=True)
    assert "180/110" not in " ".join(e.text for e in hidden)
    assert "180/110" in " ".join(e.text for e in shown)


def test_only_a_minor_is_referred_to_child_protection(suzhou, desk):
    child = admit(suzhou, desk, name="小明", age_estimate_min=9, age_estimate_max=11)
    child_protection_refer(stay=child, unit="苏州市未成年人救助保护中心", by=desk)
    child.refresh_from_db()
    assert child.child_protection_referred_at is not None
    with pytest.raises(ValidationError):
        child_protection_refer(stay=admit(suzhou, desk), unit="x", by=desk)


def test_bed_use_rate_counts_beds_used_that_day(suzhou, desk):
    zone = timezone.get_current_timezone()
    day = timezone.localdate() - timedelta(days=1)
    at = datetime.combine(day, datetime.min.time(), zone) + timedelta(hours=9)
    beds = suzhou.rooms.get(name="101").beds.count() + 4  # 101 plus rooms 201 and 301
    a = admit(suzhou, desk)
    a.admitted_at = at - timedelta(hours=2)
    a.save()
    bed_assign(stay=a, bed=bed_in(suzhou, "101"), by=desk, at=at)
    assert selectors.bed_use_rate(suzhou, day) == pytest.approx(1 / beds)
    assert selectors.bed_use_rate(suzhou, day - timedelta(days=1)) == 0


@pytest.mark.parametrize("days,flags", [(3, []), (10, [10]), (45, [10, 30]), (120, [10, 30, 90])])
def test_long_stays_are_flagged_at_10_30_and_90_days(suzhou, desk, days, flags):
    stay = admit(suzhou, desk)
    stay.admitted_at = timezone.now() - timedelta(days=days, hours=1)
    stay.save()
    assert stay.flags() == flags
    long = selectors.stays_in_station(desk, selectors.StayFilter(min_days=10))
    assert (stay in long) == (days >= 10)


def test_bed_moves_and_care_notes_leave_audit_rows(suzhou, desk):
    from homeward.accounts.models import AuditEvent

    stay = admit(suzhou, desk)
    bed = bed_in(suzhou, "101")
    bed_assign(stay=stay, bed=bed, by=desk)
    note = care_record(stay=stay, kind="meal", text="午餐", by=desk)
    rows = AuditEvent.objects.filter(actor=desk, station=suzhou)
    assert rows.filter(
        object_type="cases.stay", object_id=str(stay.pk), detail={"bed": bed.pk}
    ).exists()
    assert rows.filter(
        object_type="cases.carenote", object_id=str(note.pk), action="create"
    ).exists()


def test_each_timeline_entry_names_who_recorded_it(client, suzhou, desk):
    from homeward.cases.services import care_record
    from tests.cases.conftest import admit as admit_one

    stay = admit_one(suzhou, desk)
    care_record(stay=stay, kind="meal", text="午餐", by=desk)
    client.force_login(desk)
    page = client.get(f"/cases/stays/{stay.pk}/").content.decode()
    entries = page.split('id="timeline"')[1].split("</ol>")[0]
    assert entries.count("sz.desk") >= 2  # the intake and the meal


def test_the_bed_chooser_offers_only_beds_the_person_may_take(client, suzhou, desk):
    from tests.cases.conftest import admit as admit_one

    man = admit_one(suzhou, desk, sex="M")
    woman = admit_one(suzhou, desk, name="李芳", sex="F")
    client.force_login(desk)
    for stay, allowed, refused in ((man, "101-", "201-"), (woman, "201-", "101-")):
        page = client.get(f"/cases/stays/{stay.pk}/").content.decode()
        chooser = page.split('id="id_bed-bed"')[1].split("</select>")[0]
        assert allowed in chooser and refused not in chooser and "301-" not in chooser
