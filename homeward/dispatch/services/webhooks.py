"""Signed reports from partner systems (110, city management).

A request carries four headers:

- `X-Homeward-Partner`: the partner code;
- `X-Homeward-Timestamp`: Unix seconds when it was signed;
- `X-Homeward-Signature`: `sha256=` + hex HMAC-SHA256 of `"<timestamp>." + body` under
  the partner's key;
- `Idempotency-Key`: the partner's own unique id for this report.

A timestamp outside the window is refused (an old request replayed is useless);
a repeated key with the same body gets the first answer back, never a second
incident; the same key with another body is a conflict.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from homeward.dispatch.models import Channel, Incident, Partner, WebhookReceipt
from homeward.dispatch.services.incidents import Report, incident_open
from homeward.regions.selectors import division_get

WINDOW_SECONDS = 300
CHANNEL_OF = {
    Partner.Kind.POLICE_110: Channel.POLICE_110,
    Partner.Kind.CITY_MANAGEMENT: Channel.CITY_MANAGEMENT,
}


class WebhookError(Exception):
    """A refused request: HTTP status, a stable code for machines, a message for people."""

    def __init__(self, status: int, code: str, message: str, errors: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors or {}


@dataclass(frozen=True)
class Accepted:
    incident: Incident
    replayed: bool


def sign(key: str, timestamp: str | int, body: bytes) -> str:
    """The signature header value a partner sends (also used by tests and the benchmark)."""
    mac = hmac.new(key.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _verify(partner_code: str, timestamp: str, signature: str, body: bytes, now: float) -> Partner:
    partner = Partner.objects.select_related("station").filter(code=partner_code).first()
    if partner is None:
        raise WebhookError(401, "unknown_partner", _("No partner system has this code."))
    if not timestamp.isdigit():
        raise WebhookError(401, "bad_timestamp", _("The timestamp must be Unix seconds."))
    if abs(now - int(timestamp)) > WINDOW_SECONDS:
        raise WebhookError(
            401,
            "stale_timestamp",
            _("The request was signed more than %(s)s seconds ago or ahead; sign it again.")
            % {"s": WINDOW_SECONDS},
        )
    if not hmac.compare_digest(sign(partner.key, timestamp, body), signature):
        raise WebhookError(401, "bad_signature", _("The signature does not match the body."))
    if not partner.is_active:
        raise WebhookError(403, "partner_disabled", _("This partner system is switched off."))
    return partner


def _point(value) -> tuple[float | None, float | None]:
    if value is None:
        return None, None
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) for v in value)
    ):
        return float(value[0]), float(value[1])
    raise WebhookError(400, "invalid", _("point must be [latitude, longitude]."))


def _report(partner: Partner, data: dict) -> Report:
    if not isinstance(data, dict):
        raise WebhookError(400, "invalid", _("The body must be a JSON object."))
    division = None
    if data.get("division"):
        division = division_get(str(data["division"]))
        if division is None:
            raise WebhookError(
                400, "invalid", _("Some fields are not valid."), {"division": [_("Unknown code.")]}
            )
    latitude, longitude = _point(data.get("point"))
    reported_at = parse_datetime(str(data["reported_at"])) if data.get("reported_at") else None
    try:
        return Report(
            channel=CHANNEL_OF[partner.kind],
            description=str(data.get("description") or ""),
            address=str(data.get("address") or ""),
            division=division,
            latitude=latitude,
            longitude=longitude,
            reporter_name=str(data.get("reporter_name") or ""),
            reporter_phone=str(data.get("reporter_phone") or ""),
            people_count=int(data.get("people", 1)),
            minor=bool(data.get("minor")),
            elderly=bool(data.get("elderly")),
            ill=bool(data.get("ill")),
            urgency=str(data.get("urgency") or "normal"),
            external_ref=str(data.get("reference") or "")[:64],
            received_at=reported_at,
        )
    except (TypeError, ValueError):
        raise WebhookError(400, "invalid", _("people must be a whole number.")) from None


def webhook_receive(
    *,
    partner_code: str,
    timestamp: str,
    signature: str,
    idempotency_key: str,
    body: bytes,
    now: float | None = None,
) -> Accepted:
    """Check a partner's request and open its incident exactly once."""
    now = time.time() if now is None else now
    partner = _verify(partner_code, timestamp, signature, body, now)
    key = idempotency_key.strip()
    if not key or len(key) > 100:
        raise WebhookError(
            400, "missing_idempotency_key", _("Send an Idempotency-Key header (1-100 characters).")
        )
    digest = hashlib.sha256(body).hexdigest()
    earlier = _earlier(partner, key, digest)
    if earlier is not None:
        return earlier
    try:
        data = json.loads(body)
    except ValueError:
        raise WebhookError(400, "invalid_json", _("The body is not valid JSON.")) from None
    report = _report(partner, data)
    try:
        with transaction.atomic():
            incident = incident_open(
                station=partner.station, report=report, by=None, partner=partner
            )
            WebhookReceipt.objects.create(
                partner=partner, idempotency_key=key, body_sha256=digest, incident=incident
            )
    except ValidationError as exc:
        raise WebhookError(
            400, "invalid", _("Some fields are not valid."), exc.message_dict
        ) from None
    except IntegrityError:
        # The same key arrived twice at once; the other request won, so answer as it did.
        earlier = _earlier(partner, key, digest)
        if earlier is None:
            raise
        return earlier
    return Accepted(incident, replayed=False)


def _earlier(partner: Partner, key: str, digest: str) -> Accepted | None:
    receipt = (
        WebhookReceipt.objects.select_related("incident")
        .filter(partner=partner, idempotency_key=key)
        .first()
    )
    if receipt is None:
        return None
    if receipt.body_sha256 != digest:
        raise WebhookError(
            409,
            "idempotency_conflict",
            _("This Idempotency-Key was already used for a different report."),
        )
    return Accepted(receipt.incident, replayed=True)
