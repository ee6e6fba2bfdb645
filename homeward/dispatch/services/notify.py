"""Telling the reporter's channel how it ended (the outbox; nothing is sent from here)."""

from __future__ import annotations

from homeward.dispatch.models import Incident, Notification


def _payload(incident: Incident, reported: Incident) -> dict:
    return {
        "incident": str(reported.public_id),
        "reference": reported.external_ref,
        "merged_into": str(incident.public_id) if reported.pk != incident.pk else None,
        "status": incident.status,
        "outcome": incident.outcome,
        "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
        "station": incident.station.name,
    }


def outcome_notify(incident: Incident) -> list[Notification]:
    """One outbox row per reporter of this incident and of the reports merged into it.

    Partner systems get a webhook row; callers who left a phone number a text message.
    """
    rows = []
    for reported in [incident, *incident.duplicates.select_related("partner")]:
        if reported.partner_id:
            channel, recipient = Notification.Channel.WEBHOOK, reported.partner.code
        elif reported.reporter_phone:
            channel, recipient = Notification.Channel.SMS, reported.reporter_phone
        else:
            continue
        rows.append(
            Notification(
                incident=reported,
                partner=reported.partner,
                channel=channel,
                recipient=recipient,
                payload=_payload(incident, reported),
            )
        )
    return Notification.objects.bulk_create(rows)
