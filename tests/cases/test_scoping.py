"""Another station's staff can neither see nor change a stay; every read is audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from homeward.accounts.models import AuditEvent
from homeward.cases.services import ExitData, care_record, stay_exit
from tests.cases.conftest import admit


def test_another_stations_staff_get_404_in_the_ui_and_api(client, suzhou, desk, hangzhou_desk):
    stay = admit(suzhou, desk)
    client.force_login(hangzhou_desk)
    assert client.get(f"/cases/stays/{stay.pk}/").status_code == 404
    assert client.get(f"/cases/stays/{stay.pk}/exit/").status_code == 404
    assert client.get(f"/cases/people/{stay.person_id}/").status_code == 404
    assert client.get(f"/api/cases/stays/{stay.pk}").status_code == 404
    assert client.get("/api/cases/stays").json() == []


def test_another_stations_staff_cannot_change_the_stay(suzhou, desk, hangzhou_desk):
    stay = admit(suzhou, desk)
    with pytest.raises(PermissionDenied):
        care_record(stay=stay, kind="meal", text="x", by=hangzhou_desk)
    with pytest.raises(PermissionDenied):
        stay_exit(stay=stay, data=ExitData(kind="left"), by=hangzhou_desk)


def test_the_province_sees_the_stay_but_cannot_write(client, suzhou, desk, jiangsu_admin):
    stay = admit(suzhou, desk)
    client.force_login(jiangsu_admin)
    assert client.get(f"/cases/stays/{stay.pk}/").status_code == 200
    assert client.get(f"/cases/stays/{stay.pk}/exit/").status_code == 403


def test_each_read_of_a_stay_and_a_person_is_audited(client, suzhou, desk):
    stay = admit(suzhou, desk)
    client.force_login(desk)
    client.get(f"/cases/stays/{stay.pk}/")
    client.get(f"/cases/people/{stay.person_id}/")
    client.get(f"/api/cases/stays/{stay.pk}")
    reads = AuditEvent.objects.filter(action="view", actor=desk)
    assert reads.filter(object_type="cases.stay", object_id=str(stay.pk)).count() == 2
    assert reads.filter(object_type="cases.person", object_id=str(stay.person_id)).count() == 1


def test_a_minors_details_need_the_permission(client, suzhou, desk):
    from homeward.accounts.models import Role
    from tests.conftest import make_user

    child = admit(
        suzhou,
        desk,
        name="小明",
        age_estimate_min=9,
        age_estimate_max=11,
        guardian_name="王芳",
        guardian_phone="13800000000",
    )
    dispatcher = make_user("sz.dispatch", Role.DISPATCHER, station=suzhou)
    client.force_login(dispatcher)
    page = client.get(f"/cases/stays/{child.pk}/").content.decode()
    assert "13800000000" not in page
    client.force_login(desk)
    assert "13800000000" in client.get(f"/cases/stays/{child.pk}/").content.decode()


def test_the_api_registers_an_intake_and_names_the_bad_field(client, suzhou, desk):
    client.force_login(desk)
    good = client.post(
        "/api/cases/intake",
        {
            "brought_by": "police",
            "name": "周七",
            "sex": "M",
            "age_estimate_min": 30,
            "age_estimate_max": 40,
            "found_point": [31.3, 120.6],
        },
        content_type="application/json",
    )
    assert good.status_code == 201
    assert good.json()["name"] == "周七" and good.json()["station_id"] == suzhou.pk
    bad = client.post(
        "/api/cases/intake",
        {"brought_by": "police", "id_number": "123"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "id_number" in bad.json()["errors"]
