"""Bad input gets a clear 4xx naming the field and saves nothing; it never gives a 500.
Each case here gave a 500, or was silently wrong, before."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from homeward.accounts.models import Role
from homeward.cases.models import Person, Stay
from homeward.dispatch import services as dispatch_services
from homeward.dispatch.models import Incident, Partner
from homeward.tracing.models import Tip
from tests.conftest import make_user


@pytest.fixture
def client(db):
    # A 500 must come back as a response the test can see, not as an exception.
    return Client(raise_request_exception=False)


@pytest.fixture
def partner(suzhou):
    return Partner.objects.create(
        name="苏州110指挥中心", code="sz110", kind="police_110", key="k" * 32, station=suzhou
    )


def webhook(client, partner, body, ts=None):
    raw = json.dumps(body).encode()
    ts = str(int(time.time())) if ts is None else ts
    signature = dispatch_services.sign(partner.key, ts, "k-1", raw)
    return client.post(
        "/api/dispatch/webhook",
        data=raw,
        content_type="application/json",
        headers={
            "X-Homeward-Partner": partner.code,
            "X-Homeward-Timestamp": ts,
            "X-Homeward-Signature": signature,
            "Idempotency-Key": "k-1",
        },
    )


BODY = {"description": "桥下有人", "address": "苏州市姑苏区人民路100号", "point": [31.31, 120.62]}


def test_a_page_number_past_any_integer_is_a_400_or_the_last_page(client, suzhou):
    client.force_login(make_user("sz.tracer", Role.TRACING_OFFICER, station=suzhou))
    response = client.get("/api/tracing/notices?page=99999999999999999999")
    assert response.status_code in (200, 400, 422), response.status_code


@pytest.mark.parametrize("stamp", ["9" * 5000, "²", "１７００００００００"])
def test_a_webhook_timestamp_of_odd_digits_is_a_401_naming_the_header(client, partner, stamp):
    response = webhook(client, partner, BODY, ts=stamp)
    assert response.status_code == 401
    assert "X-Homeward-Timestamp" in response.json()["errors"]


def test_a_signed_body_with_odd_digits_names_the_field(client, partner):
    response = webhook(client, partner, {**BODY, "people": "²"})
    assert response.status_code == 400 and "people" in response.json()["errors"]
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    "field,value",
    [
        ("reported_at", "2099-01-01T00:00:00+08:00"),
        ("description", "a\x00b"),
        ("address", "人民路\ud800"),
        ("division", "999999"),
    ],
)
def test_a_webhook_body_field_that_cannot_be_kept_is_named(client, partner, field, value):
    response = webhook(client, partner, {**BODY, field: value})
    assert response.status_code == 400, response.status_code
    assert field in response.json()["errors"]
    assert not Incident.objects.exists()


@pytest.fixture
def desk(suzhou):
    return make_user("sz.desk", Role.INTAKE, station=suzhou)


INTAKE = {"brought_by": "police", "name_source": "said", "sex": "M", "name": "王五"}


@pytest.mark.parametrize(
    "field,value",
    [
        ("id_number", "³2050819800101456X"),
        ("found_at", "0001-01-01"),
        ("found_at", "0001-01-01T00:00"),
        ("name", "王\x00五"),
        ("belongings", "手机 100000000000000000000"),
        ("found_division", "999999"),
    ],
)
def test_the_intake_form_names_the_bad_field_and_saves_nothing(client, desk, field, value):
    client.force_login(desk)
    response = client.post("/cases/intake/", {**INTAKE, field: value})
    assert response.status_code == 200, response.status_code
    assert f'data-error-for="{field}"' in response.content.decode()
    assert not Person.objects.exists() and not Stay.objects.exists()


@pytest.mark.parametrize(
    "field,value",
    [
        ("name", "王\ud800五"),
        ("name", "王\x00五"),
        ("id_number", "³2050819800101456X"),
        ("found_at", "0001-01-01T00:00:00"),
        ("belongings", [["手机", 10**20]]),
    ],
)
def test_the_intake_api_names_the_bad_field_and_saves_nothing(client, desk, field, value):
    client.force_login(desk)
    body = {"brought_by": "police", "name": "王五", field: value}
    response = client.post("/api/cases/intake", json.dumps(body), content_type="application/json")
    assert response.status_code in (400, 422), response.status_code
    assert field in json.dumps(response.json(), ensure_ascii=False)
    assert not Person.objects.exists()


def test_full_width_digits_in_an_id_number_are_read_as_digits(client, desk, suzhou):
    from homeward.cases.services import IntakeData, intake_admit

    stay = intake_admit(
        station=suzhou,
        data=IntakeData(brought_by="police", id_number="３２０５０８１９８５０３１２１２３４"),
        by=desk,
    )
    assert stay.person.id_number == "320508198503121234"


@pytest.mark.parametrize("path", ["/reports/", "/api/reports/figures"])
def test_a_report_period_to_the_year_9999_is_refused_not_a_500(client, path, suzhou):
    client.force_login(make_user("js.admin", Role.PROVINCE_ADMIN, division="320000"))
    response = client.get(path, {"start": "2024-01-01", "end": "9999-12-31"})
    assert response.status_code in (200, 400, 422), response.status_code
    if response.status_code == 200 and path.startswith("/reports"):
        assert 'data-error-for="end"' in response.content.decode()


def test_a_tip_longer_than_allowed_is_refused_not_cut(client, suzhou):
    from datetime import timedelta

    from django.utils import timezone

    from homeward.cases.services import IntakeData, intake_admit
    from homeward.tracing.models import Notice
    from homeward.tracing.services import notices_sync

    desk = make_user("sz.desk2", Role.INTAKE, station=suzhou)
    stay = intake_admit(station=suzhou, data=IntakeData(brought_by="police"), by=desk)
    Stay.objects.filter(pk=stay.pk).update(admitted_at=timezone.now() - timedelta(days=2))
    notices_sync()
    notice = Notice.objects.get()
    from tests.tracing.test_portal import started

    response = client.post(
        f"/p/notices/{notice.public_id}/",
        {"message": "像" * 2500, "contact": "13600000000", "started": started()},
    )
    assert response.status_code == 200
    assert 'data-error-for="message"' in response.content.decode()
    assert not Tip.objects.exists()


def test_a_team_position_from_2099_is_refused(client, suzhou):
    from homeward.dispatch.services import team_create

    dispatcher = make_user("sz.dispatcher", Role.DISPATCHER, station=suzhou)
    team = team_create(station=suzhou, name="一组", base=(31.3, 120.6), by=dispatcher)
    client.force_login(dispatcher)
    response = client.post(
        f"/api/dispatch/teams/{team.pk}/position",
        {"latitude": 31.31, "longitude": 120.62, "at": "2099-01-01T00:00:00+08:00"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "at" in response.json()["errors"]
    team.refresh_from_db()
    assert team.position_at is None or team.position_at.year < 2099


@pytest.mark.parametrize("path", ["/p/signup/", "/cases/intake/"])
def test_empty_posts_past_the_rate_limit_are_never_a_500(client, path, suzhou):
    if path.startswith("/cases"):
        client.force_login(make_user("sz.desk3", Role.INTAKE, station=suzhou))
    codes = {client.post(path, {}).status_code for _ in range(12)}
    assert codes <= {200, 400, 429}, codes


@pytest.mark.parametrize(
    "path,param",
    [("/api/dispatch/incidents", "status"), ("/reports/", "code"), ("/cases/", "view")],
)
def test_a_nul_in_a_query_parameter_is_a_400_naming_it(client, suzhou, path, param):
    # Found by the schemathesis pass on PostgreSQL, which refuses NUL characters.
    client.force_login(make_user("sz.head", Role.STATION_HEAD, station=suzhou))
    response = client.get(path, {param: "a\x00b"})
    assert response.status_code == 400 and param in response.content.decode()
