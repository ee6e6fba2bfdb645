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
            "X-Homeward-Signature": signature or services.sign(partner.key, ts, raw),
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


def test_the_same_key_with_another_body_is_a_conflict(client, partner):
    post(client, partner)
    response = post(client, partner, body={**BODY, "description": "另一件事"})
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"


def test_a_bad_signature_is_refused(client, partner):
    response = post(client, partner, signature="sha256=" + "0" * 64)
    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"
    assert not Incident.objects.exists()


def test_a_body_changed_after_signing_is_refused(client, partner):
    ts = str(int(time.time()))
    signature = services.sign(partner.key, ts, json.dumps(BODY).encode())
    response = post(client, partner, body={**BODY, "people": 9}, ts=ts, signature=signature)
    assert response.json()["code"] == "bad_signature"


def test_an_old_request_replayed_outside_the_window_is_refused(client, partner):
    response = post(client, partner, ts=int(time.time()) - 600)
    assert response.status_code == 401
    assert response.json()["code"] == "stale_timestamp"


def test_an_unknown_partner_or_a_disabled_one_is_refused(client, partner):
    assert post(client, partner, code="nobody").json()["code"] == "unknown_partner"
    partner.is_active = False
    partner.save()
    response = post(client, partner)
    assert response.status_code == 403 and response.json()["code"] == "partner_disabled"


def test_a_missing_idempotency_key_is_refused(client, partner):
    response = post(client, partner, key="")
    assert response.status_code == 400
    assert response.json()["code"] == "missing_idempotency_key"


def test_invalid_json_and_invalid_fields_get_clear_400s(client, partner):
    assert post(client, partner, body=b"{not json").json()["code"] == "invalid_json"
    response = post(client, partner, body={"description": ""}, key="k-2")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and set(body["errors"]) >= {"description", "address"}


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
