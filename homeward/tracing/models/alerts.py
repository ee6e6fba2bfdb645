"""Geo-targeted alerts (寻人提醒): portal subscriptions and the outbox that delivers them."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")
    WECHAT = "wechat", _("WeChat")
    WEBHOOK = "webhook", _("Webhook")


class Subscription(models.Model):
    """A portal user's wish to hear of people lost or found near a place (提醒订阅).

    The place is a point or a division; a division subscription also keeps its
    seat's point, so both kinds are compared by distance, and a division also by
    containment (a province subscriber hears of everything inside the province).
    """

    RADIUS_CHOICES = [(10, "10 km"), (25, "25 km"), (50, "50 km"), (100, "100 km"), (200, "200 km")]

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="alert_subscriptions"
    )
    division = models.ForeignKey(
        "regions.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    radius_km = models.PositiveSmallIntegerField(
        _("distance (km)"), choices=RADIUS_CHOICES, default=50
    )
    channels = models.JSONField(_("channels"), default=list)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("mobile number"), max_length=20, blank=True)
    wechat_openid = models.CharField(_("WeChat ID"), max_length=64, blank=True)
    webhook_url = models.URLField(_("webhook address"), blank=True)
    notices = models.BooleanField(_("new tracing notices"), default=True)
    urgent = models.BooleanField(_("urgent missing reports"), default=True)
    active = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("alert subscription")
        verbose_name_plural = _("alert subscriptions")
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return f"subscription {self.public_id}"

    @property
    def channel_labels(self) -> list[str]:
        return [str(Channel(c).label) if c in Channel.values else c for c in self.channels]

    @property
    def point(self) -> tuple[float, float]:
        return (self.latitude, self.longitude)


class AlertDelivery(models.Model):
    """One alert to one subscription about one subject (a notice or an urgent report).

    The outbox: the unique constraints make a second fan-out a no-op, so each
    subscriber hears of a subject once; `sending` rows left by a crashed worker
    are taken up again after a lease; each channel that went out is kept, so a
    retry never repeats a channel that already succeeded.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled: no longer current")

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    notice = models.ForeignKey(
        "tracing.Notice", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    report = models.ForeignKey(
        "tracing.MissingReport", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    radius_km = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=9, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    done_channels = models.JSONField(default=list, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "notice"], name="one_alert_per_subscriber_notice"
            ),
            models.UniqueConstraint(
                fields=["subscription", "report"], name="one_alert_per_subscriber_report"
            ),
            models.CheckConstraint(
                condition=Q(notice__isnull=True, report__isnull=False)
                | Q(notice__isnull=False, report__isnull=True),
                name="alert_has_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"alert {self.pk} ({self.status})"
