"""One source for every API input: each operation's schema is made from its service's
input dataclass (`common.schemas.input_schema`), so no field the service takes is missing
from the API. The paths the pages take are taken through the API too: a minor handed to
the family, a transfer refused to a closed station, an intake with a guardian."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from homeward.accounts.models import Role
from homeward.campaigns import api as campaigns_api
from homeward.campaigns.services import FeedSignal
from homeward.cases import api as cases_api
from homeward.cases.models import Stay
from homeward.cases.services import ExitData, IntakeData
from homeward.common.schemas import reference_fields
from homeward.dispatch import api as dispatch_api
from homeward.dispatch.services import Position
from homeward.stations.models import Station
from homeward.tracing import api as tracing_api
from homeward.tracing.services import ReportData
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

# (service input, API schema, the fields the API leaves out on purpose)
OPERATIONS = [
    (IntakeData, cases_api.IntakeIn, {"source_ref"}),
    (ExitData, cases_api.ExitIn, set()),
    (ReportData, tracing_api.ReportIn, set()),
    (FeedSignal, campaigns_api.WarningIn, set()),
    (Position, dispatch_api.PositionIn, set()),
]


@pytest.mark.parametrize(("data_class", "schema", "internal"), OPERATIONS)
def test_every_field_a_service_takes_is_in_its_api(data_class, schema, internal):
    taken = {f.name for f in dataclasses.fields(data_class)}
    assert taken - internal <= set(schema.model_fields), taken - internal - set(schema.model_fields)
    for name, model in reference_fields(data_class).items():  # a reference, not an object
        wire = schema.model_fields[name].annotation
        assert wire in (str | None, int | None), (name, model, wire)


def _post(client, url, body):
    return client.post(url, json.dumps(body, default=str), content_type="application/json")


def test_the_api_hands_a_minor_to_the_family_with_the_checks_the_page_makes(client, suzhou):
    desk = make_user("sz.desk", Role.INTAKE, station=suzhou)
    client.force_login(desk)
    born = date(date.today().year - 9, 5, 1)
    created = _post(
        client,
        "/api/cases/intake",
        {
            "brought_by": "police",
            "sex": "F",
            "birth_date": born,
            "home_division": "320508",
            "left_behind_child": True,
            "guardian_name": "王芳",
            "guardian_relation": "母亲",
            "guardian_phone": "13900000001",
        },
    )
    assert created.status_code == 201, created.json()
    stay = Stay.objects.get(pk=created.json()["id"])
    assert stay.is_minor and stay.person.home_division_id == "320508"
    handover = {
        "kind": "handed_to_family",
        "escorted": True,
        "collector_name": "王芳",
        "collector_relation": "母亲",
        "collector_id_number": "11010519491231002X",
        "identity_checked": True,
    }
    refused = _post(client, f"/api/cases/stays/{stay.pk}/exit", handover)
    assert refused.status_code == 400 and "kinship_evidence" in refused.json()["errors"]
    done = _post(
        client, f"/api/cases/stays/{stay.pk}/exit", {**handover, "kinship_evidence": "dna"}
    )
    assert done.status_code == 200, done.json()
    assert done.json()["exit_kind"] == "handed_to_family"


def test_the_api_refuses_a_transfer_to_a_closed_station_as_the_page_does(client, suzhou, hangzhou):
    desk = make_user("sz.desk", Role.INTAKE, station=suzhou)
    client.force_login(desk)
    stay = Stay.objects.get(
        pk=_post(client, "/api/cases/intake", {"brought_by": "police", "sex": "M"}).json()["id"]
    )
    Station.objects.filter(pk=hangzhou.pk).update(is_active=False)
    body = {"kind": "transferred", "to_station": hangzhou.pk}
    refused = _post(client, f"/api/cases/stays/{stay.pk}/exit", body)
    assert refused.status_code == 400 and "to_station" in refused.json()["errors"]
    stay.refresh_from_db()
    assert stay.status == Stay.Status.IN_STATION
