"""A user sees the stations their role covers, in the UI and the API alike."""

from __future__ import annotations

import pytest

from homeward.accounts.models import AuditEvent, Role
from homeward.accounts.selectors import users_visible
from homeward.stations.selectors import stations_visible
from tests.conftest import make_user


def station_names(user) -> set[str]:
    return set(stations_visible(user).values_list("name", flat=True))


def test_station_staff_see_only_their_station(suzhou, hangzhou, suzhou_caseworker):
    assert station_names(suzhou_caseworker) == {"苏州测试站"}


def test_station_user_gets_404_for_another_stations_page(
    client, suzhou, hangzhou, suzhou_caseworker
):
    client.force_login(suzhou_caseworker)
    assert client.get(f"/stations/{suzhou.pk}/").status_code == 200
    assert client.get(f"/stations/{hangzhou.pk}/").status_code == 404


def test_station_user_gets_404_for_another_station_through_the_api(
    client, suzhou, hangzhou, suzhou_caseworker
):
    client.force_login(suzhou_caseworker)
    own = client.get(f"/api/stations/{suzhou.pk}")
    assert own.status_code == 200
    assert own.json()["name"] == "苏州测试站"
    assert client.get(f"/api/stations/{hangzhou.pk}").status_code == 404
    listed = {s["name"] for s in client.get("/api/stations").json()}
    assert listed == {"苏州测试站"}


def test_out_of_scope_and_missing_stations_answer_alike(
    client, suzhou, hangzhou, suzhou_caseworker
):
    client.force_login(suzhou_caseworker)
    hidden = client.get(f"/api/stations/{hangzhou.pk}")
    missing = client.get("/api/stations/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_province_admin_sees_all_its_stations_and_none_outside(
    client, suzhou, kunshan, hangzhou, jiangsu_admin
):
    assert station_names(jiangsu_admin) == {"苏州测试站", "昆山测试站"}
    client.force_login(jiangsu_admin)
    assert client.get(f"/stations/{kunshan.pk}/").status_code == 200
    assert client.get(f"/stations/{hangzhou.pk}/").status_code == 404
    page = client.get("/stations/").content.decode()
    assert "苏州测试站" in page and "昆山测试站" in page and "杭州测试站" not in page


def test_city_admin_sees_the_county_station_inside_the_city(
    suzhou, kunshan, hangzhou, suzhou_city_admin
):
    assert station_names(suzhou_city_admin) == {"苏州测试站", "昆山测试站"}


def test_county_admin_sees_only_the_county(suzhou, kunshan, kunshan_county_admin):
    assert station_names(kunshan_county_admin) == {"昆山测试站"}


def test_national_admin_sees_every_station(suzhou, hangzhou):
    national = make_user("cn.admin", Role.NATIONAL_ADMIN)
    assert station_names(national) == {"苏州测试站", "杭州测试站"}


def test_family_account_sees_no_station_and_no_dashboard(client, suzhou):
    family = make_user("family", Role.FAMILY)
    assert station_names(family) == set()
    client.force_login(family)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/p/me/"
    assert client.get("/api/stations").status_code == 403  # no section of theirs


def test_staff_user_list_is_scoped(
    suzhou, hangzhou, suzhou_caseworker, hangzhou_head, jiangsu_admin
):
    assert set(users_visible(jiangsu_admin).values_list("username", flat=True)) == {"sz.caseworker"}
    assert set(users_visible(hangzhou_head).values_list("username", flat=True)) == {"hz.head"}


def test_each_read_of_a_scoped_record_leaves_an_audit_row(client, suzhou, suzhou_caseworker):
    client.force_login(suzhou_caseworker)
    before = AuditEvent.objects.filter(action="view", object_type="stations.station").count()
    client.get(f"/stations/{suzhou.pk}/")
    client.get(f"/api/stations/{suzhou.pk}", REMOTE_ADDR="10.1.2.3")
    rows = list(
        AuditEvent.objects.filter(action="view", object_type="stations.station").order_by("id")
    )
    assert len(rows) == before + 2
    web, api = rows[-2:]
    assert (web.actor, web.object_id, web.station_id, web.via) == (
        suzhou_caseworker,
        str(suzhou.pk),
        suzhou.pk,
        "web",
    )
    assert (api.via, api.ip_address) == ("api", "10.1.2.3")


def test_a_refused_read_leaves_no_view_row(client, suzhou, hangzhou, suzhou_caseworker):
    client.force_login(suzhou_caseworker)
    client.get(f"/stations/{hangzhou.pk}/")
    assert not AuditEvent.objects.filter(action="view", object_id=str(hangzhou.pk)).exists()


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.TRACING_OFFICER])
def test_a_station_role_without_a_station_is_refused(db, role):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        make_user("nobody", role)
    assert "station" in err.value.message_dict
