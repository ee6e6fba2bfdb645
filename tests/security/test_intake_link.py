"""The desk links a stay only to a person the earlier-records lookup offered to that clerk;
a changed fact keeps its history for every station that knows the person."""

from __future__ import annotations

import re

from homeward.accounts.models import AuditEvent
from homeward.cases.models import Person, Stay
from homeward.cases.services import ExitData, IntakeData, intake_admit, stay_exit


def _left_guangzhou(guangzhou, guangzhou_desk) -> Person:
    stay = intake_admit(
        station=guangzhou,
        data=IntakeData(
            brought_by="police", name="陈大", name_source="said", sex="M", height_cm=170
        ),
        by=guangzhou_desk,
    )
    stay_exit(stay=stay, data=ExitData(kind="left"), by=guangzhou_desk)
    return stay.person


INTAKE = {"brought_by": "police", "name": "陈大", "name_source": "said", "sex": "F"}


def test_a_raw_person_id_links_nothing(client, suzhou, desk, guangzhou, guangzhou_desk):
    person = _left_guangzhou(guangzhou, guangzhou_desk)
    client.force_login(desk)
    response = client.post("/cases/intake/", {**INTAKE, "existing_person": str(person.pk)})
    assert response.status_code == 200
    assert "不是最近一小时内查询给您的" in response.content.decode()
    person.refresh_from_db()
    assert person.sex == "M" and person.stays.count() == 1
    assert Stay.objects.get(station=guangzhou).person_sex == "M"


def test_an_offer_made_to_another_clerk_links_nothing(
    client, suzhou, desk, guangzhou, guangzhou_desk
):
    person = _left_guangzhou(guangzhou, guangzhou_desk)
    client.force_login(guangzhou_desk)
    offered = client.post("/cases/intake/earlier/", {"name": "陈大"}).content.decode()
    token = re.search(r'name="existing_person" value="([^"]+)"', offered).group(1)
    client.force_login(desk)
    client.post("/cases/intake/", {**INTAKE, "existing_person": token})
    assert person.stays.count() == 1


def test_the_offered_record_links_and_the_other_station_sees_what_changed(
    client, suzhou, desk, guangzhou, guangzhou_desk
):
    person = _left_guangzhou(guangzhou, guangzhou_desk)
    client.force_login(desk)
    offered = client.post("/cases/intake/earlier/", {"name": "陈大"}).content.decode()
    assert f'data-person="{person.pk}"' in offered
    # The lookup across stations is on the audit trail: who was shown to whom.
    shown = AuditEvent.objects.filter(
        actor=desk, action="list", object_type="cases.person", object_id=str(person.pk)
    )
    assert shown.exists()
    token = re.search(r'name="existing_person" value="([^"]+)"', offered).group(1)
    response = client.post("/cases/intake/", {**INTAKE, "existing_person": token, "height_cm": 172})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.stays.count() == 2 and person.height_cm == 172

    client.force_login(guangzhou_desk)
    page = client.get(f"/cases/people/{person.pk}/").content.decode()
    assert 'id="changes"' in page and "sz.desk" in page and "172" in page and "170" in page
