"""The API document declares every error answer with one error schema, required strings
that may not be empty, and its enums; the answers keep to it."""

from __future__ import annotations

import json

from homeward.accounts.models import Role
from tests.conftest import make_user


def _document(client):
    return client.get("/api/openapi.json").json()


def test_every_operation_declares_its_error_answers_with_one_schema(client, db):
    document = _document(client)
    assert set(document["components"]["schemas"]["Error"]["properties"]) == {"detail", "errors"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            codes = {"400", "403", "404", "409", "422"}
            if operation.get("security"):
                codes.add("401")
            assert codes <= {str(c) for c in responses}, (method, path)
            for code in codes:
                schema = responses.get(code) or responses.get(int(code))
                ref = schema["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Error"


def test_enums_and_required_strings_are_declared(client, db):
    schemas = _document(client)["components"]["schemas"]
    assert "police" in schemas["IntakeIn"]["properties"]["brought_by"]["enum"]
    assert "handed_to_family" in schemas["ExitIn"]["properties"]["kind"]["enum"]
    assert schemas["ReportIn"]["properties"]["name"]["minLength"] == 1
    assert schemas["WarningIn"]["properties"]["type"]["minLength"] == 1


def test_an_anonymous_post_to_a_protected_operation_is_a_401(client, db):
    response = client.post("/api/cases/intake", "{}", content_type="application/json")
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


def test_a_body_of_the_wrong_shape_is_a_422_in_the_error_schema(client, suzhou):
    client.force_login(make_user("sz.desk", Role.INTAKE, station=suzhou))
    response = client.post(
        "/api/cases/intake",
        json.dumps({"brought_by": "aliens", "age_estimate_min": "old"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    body = response.json()
    assert {"brought_by", "age_estimate_min"} <= set(body["errors"]) and body["detail"]
