from homeward.dispatch.models.incidents import (
    RESPONSE_MINUTES,
    URGENCY_RANK,
    Channel,
    Incident,
    IncidentEvent,
    IntakeDraft,
    JointParty,
    Outcome,
    Supply,
    SupplyHandout,
    Urgency,
    response_minutes,
)
from homeward.dispatch.models.partners import Notification, Partner, WebhookReceipt
from homeward.dispatch.models.teams import Team

__all__ = [
    "RESPONSE_MINUTES",
    "URGENCY_RANK",
    "Channel",
    "Incident",
    "IncidentEvent",
    "IntakeDraft",
    "JointParty",
    "Notification",
    "Outcome",
    "Partner",
    "Supply",
    "SupplyHandout",
    "Team",
    "Urgency",
    "WebhookReceipt",
    "response_minutes",
]
