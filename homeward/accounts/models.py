"""Users, their roles and scope, API tokens, and the audit trail."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does; it decides the stations they see and what they may do."""

    INTAKE = "intake", _("Intake staff")
    CASEWORKER = "caseworker", _("Caseworker")
    TRACING_OFFICER = "tracing_officer", _("Tracing officer")
    STATION_HEAD = "station_head", _("Station head")
    DISPATCHER = "dispatcher", _("Dispatcher")
    STREET_TEAM = "street_team", _("Street-team member")
    COUNTY_ADMIN = "county_admin", _("County administrator")
    CITY_ADMIN = "city_admin", _("City administrator")
    PROVINCE_ADMIN = "province_admin", _("Province administrator")
    NATIONAL_ADMIN = "national_admin", _("National administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    FAMILY = "family", _("Family (public portal)")
    # Another system that takes alerts by webhook (a police or civil-affairs platform).
    PARTNER = "partner", _("Partner system")


STATION_ROLES = frozenset(
    {
        Role.INTAKE,
        Role.CASEWORKER,
        Role.TRACING_OFFICER,
        Role.STATION_HEAD,
        Role.DISPATCHER,
        Role.STREET_TEAM,
    }
)
# Region roles see every station inside their division; the level of the
# division must match the role (a city administrator is tied to a city).
REGION_ROLE_LEVEL = {
    Role.COUNTY_ADMIN: "county",
    Role.CITY_ADMIN: "city",
    Role.PROVINCE_ADMIN: "province",
}


class User(AbstractUser):
    """A person who signs in: station staff, administrators, supervisors, families.

    Station roles belong to one station; county, city and province
    administrators (and supervisors) to a division; national administrators
    see everything; families see only the public portal and their own reports.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, default=Role.FAMILY)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    division = models.ForeignKey(
        "regions.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For administrators and supervisors: the region they oversee."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    phone_verified = models.BooleanField(_("phone verified"), default=False)
    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("view_dna", _("Can see DNA profiles and kinship results")),
            ("view_health", _("Can see health and medical details")),
            ("view_minor_details", _("Can see minors' personal details")),
            ("view_audit", _("Can browse the audit trail")),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_station_staff(self) -> bool:
        return self.role in STATION_ROLES

    @property
    def is_read_only(self) -> bool:
        return self.role == Role.SUPERVISOR


class ApiToken(models.Model):
    """A bearer token for a partner system (110 center, city management, a lab).

    Only a SHA-256 digest is stored; the token itself is shown once, at creation.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    # What the token may do, as "section:read" or "section:write" (accounts/access.py);
    # never more than its user's role grants, checked again at every use.
    scopes = models.JSONField(_("scopes"), default=list)
    expires_at = models.DateTimeField(_("expires"), null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def allows(self, section: str, level: str) -> bool:
        """Whether the token's scopes cover `level` ("read", "write") on `section`."""
        return f"{section}:write" in self.scopes or (
            level == "read" and f"{section}:read" in self.scopes
        )


class AuditEvent(models.Model):
    """One read or write of a record (审计记录): who, what, when, from where.

    Rows are only ever added: the model refuses updates and deletes, and the
    admin shows it read-only.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        LIST = "list", _("Listed")
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        EXPORT = "export", _("Exported")
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Sign-in failed")
        LOGOUT = "logout", _("Signed out")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # No database constraint and no cascade: audit rows never change, not even
    # when the account or station they name is removed.
    actor = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    # Kept as text too, so the trail still says who after an account is removed.
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("record type"), max_length=64, db_index=True)
    object_id = models.CharField(_("record"), max_length=64, blank=True, db_index=True)
    object_label = models.CharField(_("description"), max_length=200, blank=True)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    via = models.CharField(_("channel"), max_length=8, default="web")
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events cannot be deleted")
