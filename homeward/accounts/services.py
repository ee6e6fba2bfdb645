"""Writes for accounts: users, roles, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.accounts.audit import audit_record
from homeward.accounts.models import REGION_ROLE_LEVEL, STATION_ROLES, ApiToken, Role, User
from homeward.regions.models import Division

if TYPE_CHECKING:  # a user belongs to a station; stations import accounts, not the reverse
    from homeward.stations.models import Station

TOKEN_PREFIX = "hw_"


def validate_role_scope(*, role: str, station: Station | None, division: Division | None) -> None:
    """A station role needs a station; a region role needs a division of its level."""
    if role in STATION_ROLES and station is None:
        raise ValidationError({"station": _("This role works at a station: choose one.")})
    level = REGION_ROLE_LEVEL.get(role)
    if level is not None:
        if division is None:
            raise ValidationError({"division": _("This role oversees a region: choose one.")})
        if division.level != level:
            raise ValidationError(
                {
                    "division": _("The region must be a %(level)s.")
                    % {"level": Division.Level(level).label}
                }
            )


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    station: Station | None = None,
    division: Division | None = None,
    display_name: str = "",
    email: str = "",
    phone: str = "",
    created_by: User | None = None,
) -> User:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    validate_role_scope(role=role, station=station, division=division)
    user = User(
        username=username,
        role=role,
        station=station,
        division=division,
        display_name=display_name,
        email=email,
        phone=phone,
        is_staff=role == Role.NATIONAL_ADMIN,
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    audit_record(actor=created_by, action="create", obj=user, station_id=user.station_id)
    return user


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


TOKEN_DAYS = 90
TOKEN_MAX_DAYS = 366


def api_token_scopes_for(user: User) -> list[str]:
    """Every scope `user` could give a token: the sections their role grants."""
    from homeward.accounts.access import READ, SECTIONS, WRITE, can

    return [
        f"{section}:{level}"
        for section in SECTIONS
        for level in (READ, WRITE)
        if can(user, section, level)
    ]


@transaction.atomic
def api_token_create(
    *, user: User, name: str, scopes: list[str] | None = None, days: int = TOKEN_DAYS
) -> tuple[ApiToken, str]:
    """A new token for a partner system, for `scopes` (default: everything the user's role
    grants) and `days`; the raw token is returned once and never stored."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Give the token a name.")]
    allowed = api_token_scopes_for(user)
    scopes = allowed if scopes is None else sorted(set(scopes))
    if not scopes:
        errors["scopes"] = [_("Choose at least one thing the token may do.")]
    elif any(scope not in allowed for scope in scopes):
        errors["scopes"] = [_("A token cannot do more than your role allows.")]
    if not 1 <= days <= TOKEN_MAX_DAYS:
        errors["days"] = [_("A token lasts from 1 to %(n)d days.") % {"n": TOKEN_MAX_DAYS}]
    if errors:
        raise ValidationError(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=raw[:8],
        digest=_digest(raw),
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(
        actor=user,
        action="create",
        obj=token,
        station_id=user.station_id,
        detail={"scopes": scopes, "days": days},
    )
    return token, raw


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The live token (not revoked, not expired, its user active) behind `raw`, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user", "user__division", "user__station")
        .filter(digest=_digest(raw), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> None:
    """Revoke a token: its own user's, or any token for a superuser."""
    if token.user_id != by.pk and not by.is_superuser:
        raise PermissionDenied(_("Only the token's own user can revoke it."))
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    audit_record(actor=by, action="update", obj=token, detail={"revoked": True})
