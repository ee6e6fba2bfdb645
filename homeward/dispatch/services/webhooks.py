"""Signed reports from partner systems (110, city management).

A request carries four headers:

- `X-Homeward-Partner`: the partner code;
- `X-Homeward-Timestamp`: Unix seconds when it was signed;
- `Idempotency-Key`: the partner's own unique id for this report (1-100 characters);
- `X-Homeward-Signature`: `sha256=` + hex HMAC-SHA256 of
  `"<timestamp>.<idempotency-key>." + body` under the partner's key.

The signature covers the key, so a captured request cannot be sent again under a
new key to open a second incident. A timestamp more than WINDOW_SECONDS old, or
more than FUTURE_SECONDS ahead (clock skew), is refused: an old request replayed
is useless. A repeated key with the same body gets the first answer back, never
a second incident; the same key with another body is a conflict.

Every refusal is a WebhookError; its `errors` map names the header or body
field at fault, in the partner's vocabulary (`people`, `point`, ...).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from homeward.common.clock import is_future
from homeward.common.text import ascii_int
from homeward.dispatch.models import Channel, Incident, Partner, WebhookReceipt
from homeward.dispatch.services.incidents import Report, incident_open
from homeward.regions.selectors import division_get

WINDOW_SECONDS = 300
# A partner's clock may run a little ahead of ours; further ahead is refused, or a
# request signed for the future could be replayed long after it was sent.
FUTURE_SECONDS = 60
CHANNEL_OF = {
    Partner.Kind.POLICE_110: Channel.POLICE_110,
    Partner.Kind.CITY_MANAGEMENT: Channel.CITY_MANAGEMENT,
}
# The services' field names, as the partner's body calls them.
BODY_FIELD = {"people_count": "people", "latitude": "point", "longitude": "point"}
PARTNER_HEADER = "X-Homeward-Partner"
TIMESTAMP_HEADER = "X-Homeward-Timestamp"
SIGNATURE_HEADER = "X-Homeward-Signature"
KEY_HEADER = "Idempotency-Key"


class WebhookError(Exception):
    """A refused request: HTTP status, a stable code for machines, a message for people.

    `errors` maps the header or body field at fault to its messages.
    """

    def __init__(self, status: int, code: str, message: str, errors: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.errors = errors or {}


def _refuse(status: int, code: str, field: str, message: str) -> WebhookError:
    return WebhookError(status, code, message, {field: [message]})


@dataclass(frozen=True)
class Accepted:
    incident: Incident
    replayed: bool


def sign(key: str, timestamp: str | int, idempotency_key: str, body: bytes) -> str:
    """The signature header value a partner sends (also used by tests and the benchmark)."""
    signed = f"{timestamp}.{idempotency_key}.".encode() + body
    return "sha256=" + hmac.new(key.encode(), signed, hashlib.sha256).hexdigest()


def _verify(
    partner_code: str, timestamp: str, idempotency_key: str, signature: str, body: bytes, now: float
) -> Partner:
    partner = Partner.objects.select_related("station").filter(code=partner_code).first()
    if partner is None:
        raise _refuse(401, "unknown_partner", PARTNER_HEADER, _("No partner system has this code."))
    seconds = ascii_int(timestamp, max_digits=12) if timestamp.isascii() else None
    if seconds is None:
        raise _refuse(
            401, "bad_timestamp", TIMESTAMP_HEADER, _("The timestamp must be Unix seconds.")
        )
    age = now - seconds
    if age > WINDOW_SECONDS:
        raise _refuse(
            401,
            "stale_timestamp",
            TIMESTAMP_HEADER,
            _("The request was signed more than %(s)s seconds ago; sign it again.")
            % {"s": WINDOW_SECONDS},
        )
    if -age > FUTURE_SECONDS:
        raise _refuse(
            401,
            "future_timestamp",
            TIMESTAMP_HEADER,
            _("The timestamp is more than %(s)s seconds ahead of our clock; check your clock.")
            % {"s": FUTURE_SECONDS},
        )
    if not hmac.compare_digest(sign(partner.key, timestamp, idempotency_key, body), signature):
        raise _refuse(
            401,
            "bad_signature",
            SIGNATURE_HEADER,
            _("The signature does not match the timestamp, the Idempotency-Key and the body."),
        )
    if not partner.is_active:
        raise _refuse(
            403, "partner_disabled", PARTNER_HEADER, _("This partner system is switched off.")
        )
    return partner


def _point(value, errors: dict) -> tuple[float | None, float | None]:
    if value is None:
        return None, None
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        return float(value[0]), float(value[1])
    errors["point"] = [_("Give the point as [latitude, longitude] in degrees.")]
    return None, None


def _people(value, errors: dict) -> int:
    if value is None:
        return 1
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and ascii_int(value, max_digits=3) is not None:
        return ascii_int(value, max_digits=3) or 1
    errors["people"] = [_("Give the number of people as a whole number.")]
    return 1


def _report(partner: Partner, data: dict) -> Report:
    """The body as a Report; every field at fault is named at once."""
    if not isinstance(data, dict):
        raise _refuse(400, "invalid", "body", _("The body must be a JSON object."))
    errors: dict[str, list[str]] = {}
    division = None
    if data.get("division"):
        division = division_get(str(data["division"]))
        if division is None:
            errors["division"] = [_("No division has this code.")]
    latitude, longitude = _point(data.get("point"), errors)
    people = _people(data.get("people"), errors)
    flags = {}
    for name in ("minor", "elderly", "ill"):
        value = data.get(name, False)
        if not isinstance(value, bool):
            errors[name] = [_("Give true or false.")]
        flags[name] = value is True
    reported_at = None
    if data.get("reported_at"):
        try:
            reported_at = parse_datetime(str(data["reported_at"]))
        except ValueError:
            reported_at = None
        if reported_at is not None and reported_at.tzinfo is None:
            reported_at = timezone.make_aware(reported_at)  # the local time of the station
        if reported_at is None or reported_at.year < 2000:
            errors["reported_at"] = [_("Give a date and time in ISO 8601.")]
        elif is_future(reported_at):
            errors["reported_at"] = [_("The time reported is in the future.")]
    if errors:
        raise WebhookError(400, "invalid", _("Some fields are not valid."), errors)
    return Report(
        channel=CHANNEL_OF[partner.kind],
        description=str(data.get("description") or ""),
        address=str(data.get("address") or ""),
        division=division,
        latitude=latitude,
        longitude=longitude,
        reporter_name=str(data.get("reporter_name") or ""),
        reporter_phone=str(data.get("reporter_phone") or ""),
        people_count=people,
        urgency=str(data.get("urgency") or "normal"),
        external_ref=str(data.get("reference") or "")[:64],
        received_at=reported_at,
        **flags,
    )


def _body_errors(message_dict: dict[str, list[str]]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, messages in message_dict.items():
        errors.setdefault(BODY_FIELD.get(name, name), []).extend(messages)
    return errors


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
    partner = _verify(partner_code, timestamp, idempotency_key, signature, body, now)
    key = idempotency_key.strip()
    if not key or len(key) > 100:
        raise _refuse(
            400,
            "missing_idempotency_key",
            KEY_HEADER,
            _("Send an Idempotency-Key header (1-100 characters)."),
        )
    digest = hashlib.sha256(body).hexdigest()
    earlier = _earlier(partner, key, digest)
    if earlier is not None:
        return earlier
    try:
        data = json.loads(body)
    except ValueError:
        raise _refuse(400, "invalid_json", "body", _("The body is not valid JSON.")) from None
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
            400, "invalid", _("Some fields are not valid."), _body_errors(exc.message_dict)
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
        raise _refuse(
            409,
            "idempotency_conflict",
            KEY_HEADER,
            _("This Idempotency-Key was already used for a different report."),
        )
    return Accepted(receipt.incident, replayed=True)
