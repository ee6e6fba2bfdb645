"""Partner systems that send reports by signed webhook, and what we send back."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Partner(models.Model):
    """A 110 command center or a digital city-management platform (数字城管) that reports to us.

    The key signs every request (HMAC-SHA256); it must be kept in clear text to
    check signatures, so only administrators see this table.
    """

    class Kind(models.TextChoices):
        POLICE_110 = "police_110", _("110 command center")
        CITY_MANAGEMENT = "city_management", _("City management platform")

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("partner code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    key = models.CharField(_("signing key"), max_length=128)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("receiving station"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("partner system")
        verbose_name_plural = _("partner systems")

    def __str__(self) -> str:
        return self.name


class WebhookReceipt(models.Model):
    """One accepted webhook request, kept so a retry with the same key gets the same answer."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="receipts")
    idempotency_key = models.CharField(max_length=100)
    body_sha256 = models.CharField(max_length=64)
    incident = models.ForeignKey("dispatch.Incident", on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "idempotency_key"], name="webhook_key_unique_per_partner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.idempotency_key}"


class Notification(models.Model):
    """An outcome sent back to whoever reported (the partner system, or the caller by SMS).

    Rows are the outbox: a delivery worker (not part of the embedded product)
    sends them; here they are recorded, never sent over the network.
    """

    class Channel(models.TextChoices):
        WEBHOOK = "webhook", _("Partner system")
        SMS = "sms", _("Text message")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")

    incident = models.ForeignKey(
        "dispatch.Incident", on_delete=models.CASCADE, related_name="notifications"
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(max_length=100, blank=True)
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}"
