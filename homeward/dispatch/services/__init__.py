"""Every write of the dispatch app: views, the API, webhooks and jobs call these."""

from homeward.dispatch.services.incidents import (
    Report,
    incident_dispatch,
    incident_on_scene,
    incident_open,
    incident_resolve,
    intake_draft_admitted,
    party_add,
    supply_hand_out,
    triage,
)
from homeward.dispatch.services.teams import (
    Position,
    team_create,
    team_position_update,
    team_status_set,
)
from homeward.dispatch.services.webhooks import WebhookError, sign, webhook_receive

__all__ = [
    "Report",
    "WebhookError",
    "incident_dispatch",
    "incident_on_scene",
    "incident_open",
    "incident_resolve",
    "intake_draft_admitted",
    "party_add",
    "sign",
    "supply_hand_out",
    "team_create",
    "team_position_update",
    "Position",
    "team_status_set",
    "triage",
    "webhook_receive",
]
