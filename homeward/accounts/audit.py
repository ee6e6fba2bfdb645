"""Writing the audit trail. Every read of a person's record goes through here."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from homeward.accounts.models import AuditEvent, User


def _client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client wants it to be
    # unless a trusted proxy sets it, and a deployment behind one configures that.
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    label: str = "",
    station_id: int | None = None,
    request: HttpRequest | None = None,
    via: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one row to the audit trail (who, what, when, from where)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        label = label or str(obj)[:200]
        if station_id is None:
            station_id = getattr(obj, "station_id", None)
            if station_id is None and obj._meta.label_lower == "stations.station":
                station_id = obj.pk
    if via is None:
        via = "api" if request is not None and request.path.startswith("/api/") else "web"
    actor = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=label[:200],
        station_id=station_id,
        via=via,
        ip_address=_client_address(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:200] if request else ""),
        path=(request.get_full_path()[:300] if request else ""),
        detail=detail or {},
    )


def audit_list(request: HttpRequest, object_type: str, *, shown: int | None = None) -> AuditEvent:
    """A list page that shows people's records was read: by whom, which list (its address
    with the filters), how many rows."""
    return audit_record(
        actor=getattr(request, "user", None),
        action=AuditEvent.Action.LIST,
        object_type=object_type,
        label=request.get_full_path()[:200],
        request=request,
        detail={} if shown is None else {"shown": shown},
    )
