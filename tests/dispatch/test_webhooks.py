"""Partner webhooks: signature, replay window, idempotency, clear 4xx errors, the outcome back."""

from __future__ import annotations

import json
import time

import pytest

from homeward.dispatch import services
from homeward.dispatch.models import Incident, Notification

pytestmark = pytest.mark.django_db

URL = "/api/dispatch/webhook"
BODY = {
    "reference": "110-20250101-0007",
    "description": "地下通道内有人躺卧，疑似醉酒",
    "address": "江苏省苏州市姑苏区人民路100号",
    "point": [31.31, 120.62],
    "elderly": True,
}


def post(client, partner, body=BODY, key="k-1", ts=None, signature=None, code=None):
    raw = json.dumps(body).encode() if not isinstance(body, bytes) else body
    ts = str(int(time.time()) if ts is None else ts)
    return client.post(
        URL,
        data=raw,
        content_type="application/json",
        headers={
            "X-Homeward-Partner": code or partner.code,
            "X-Homeward-Timestamp": ts,
            "X-Homeward-Signature": signature or services.sign(partner.key, ts, key, raw),
            "Idempotency-Key": key,
        },
    )


def test_a_signed_report_opens_an_incident_at_the_partners_station(client, partner):
    response = post(client, partner)
    assert response.status_code == 201
    incident = Incident.objects.get()
    assert response.json()["incident"] == str(incident.public_id)
    assert incident.channel == "police_110" and incident.partner == partner
    assert incident.station == partner.station and incident.urgency == "high"
    assert incident.external_ref == "110-20250101-0007"


def test_a_retry_with_the_same_key_returns_the_same_incident_and_creates_none(client, partner):
    first = post(client, partner)
    again = post(client, partner)
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert again.json()["incident"] == first.json()["incident"]
    assert Incident.objects.count() == 1


def refused(response, status: int, code: str, field: str) -> dict:
    """The response is the refusal named, and its errors name the field at fault."""
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code and body["detail"]
    assert body["errors"][field]
    return body


def test_a_bad_signature_is_refused(client, partner):
    response = post(client, partner, signature="sha256=" + "0" * 64)
    refused(response, 401, "bad_signature", "X-Homeward-Signature")
    assert not Incident.objects.exists()


def test_a_body_changed_after_signing_is_refused(client, partner):
    ts = str(int(time.time()))
    signature = services.sign(partner.key, ts, "k-1", json.dumps(BODY).encode())
    response = post(client, partner, body={**BODY, "people": 9}, ts=ts, signature=signature)
    refused(response, 401, "bad_signature", "X-Homeward-Signature")
    assert not Incident.objects.exists()


def test_a_signed_request_replayed_with_a_new_idempotency_key_is_refused(client, partner):
    ts = str(int(time.time()))
    raw = json.dumps(BODY).encode()
    signature = services.sign(partner.key, ts, "k-1", raw)
    assert post(client, partner, body=raw, key="k-1", ts=ts, signature=signature).status_code == 201
    replay = post(client, partner, body=raw, key="k-2", ts=ts, signature=signature)
    refused(replay, 401, "bad_signature", "X-Homeward-Signature")
    assert Incident.objects.count() == 1


def test_an_old_request_replayed_outside_the_window_is_refused(client, partner):
    response = post(client, partner, ts=int(time.time()) - 600)
    refused(response, 401, "stale_timestamp", "X-Homeward-Timestamp")
    assert not Incident.objects.exists()


def test_a_request_dated_in_the_future_is_refused(client, partner):
    response = post(client, partner, ts=int(time.time()) + 600)
    refused(response, 401, "future_timestamp", "X-Homeward-Timestamp")
    # A little clock skew is tolerated.
    assert post(client, partner, ts=int(time.time()) + 20).status_code == 201


def test_a_timestamp_that_is_not_unix_seconds_is_refused(client, partner):
    response = post(client, partner, ts="2025-01-01T00:00:00")
    refused(response, 401, "bad_timestamp", "X-Homeward-Timestamp")


def test_an_unknown_partner_or_a_disabled_one_is_refused(client, partner):
    refused(post(client, partner, code="nobody"), 401, "unknown_partner", "X-Homeward-Partner")
    partner.is_active = False
    partner.save()
    refused(post(client, partner), 403, "partner_disabled", "X-Homeward-Partner")
    assert not Incident.objects.exists()


def test_a_missing_idempotency_key_is_refused(client, partner):
    response = post(client, partner, key="")
    refused(response, 400, "missing_idempotency_key", "Idempotency-Key")


def test_the_same_key_with_another_body_names_the_key(client, partner):
    post(client, partner)
    response = post(client, partner, body={**BODY, "description": "另一件事"})
    refused(response, 409, "idempotency_conflict", "Idempotency-Key")


def test_invalid_json_is_refused_naming_the_body(client, partner):
    refused(post(client, partner, body=b"{not json"), 400, "invalid_json", "body")
    refused(post(client, partner, body=[1, 2], key="k-2"), 400, "invalid", "body")


def test_missing_description_and_place_are_named(client, partner):
    body = refused(post(client, partner, body={"description": ""}), 400, "invalid", "description")
    assert set(body["errors"]) == {"description", "address"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("people", "many"),
        ("people", 0),
        ("point", [31.31]),
        ("point", "31.31,120.62"),
        ("point", [131.31, 120.62]),
        ("division", "999999"),
        ("minor", "yes"),
        ("elderly", 1),
        ("ill", "false"),
        ("urgency", "urgent"),
        ("reported_at", "yesterday"),
    ],
)
def test_a_bad_field_is_named_in_the_errors(client, partner, field, value):
    response = post(client, partner, body={**BODY, field: value})
    body = refused(response, 400, "invalid", field)
    assert set(body["errors"]) == {field}
    assert not Incident.objects.exists()


def test_several_bad_fields_are_named_at_once(client, partner):
    response = post(client, partner, body={**BODY, "people": "many", "point": [1]})
    assert set(refused(response, 400, "invalid", "people")["errors"]) == {"people", "point"}


def test_the_partner_gets_the_outcome_back(client, partner, dispatcher):
    post(client, partner)
    incident = Incident.objects.get()
    services.incident_resolve(incident=incident, outcome="police", note="", by=dispatcher)
    note = Notification.objects.get()
    assert note.channel == "webhook" and note.partner == partner
    assert note.payload["reference"] == "110-20250101-0007"
    assert note.payload["outcome"] == "police" and note.state == "pending"


def test_a_merged_partner_report_is_told_the_outcome_of_the_first(client, partner, dispatcher):
    from tests.dispatch.conftest import open_incident

    first = open_incident(partner.station, dispatcher)
    post(client, partner)
    duplicate = Incident.objects.exclude(pk=first.pk).get()
    assert duplicate.merged_into == first
    services.incident_resolve(incident=first, outcome="not_found", note="", by=dispatcher)
    note = Notification.objects.get(partner=partner)
    assert note.incident == duplicate and note.payload["merged_into"] == str(first.public_id)
