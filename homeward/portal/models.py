"""Portal accounts' phone verification codes."""

from __future__ import annotations

from django.db import models


class PhoneCode(models.Model):
    """A one-time code sent to a family account's phone; only its hash is kept."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    # The number the code went to: the account's own, or the one it is moving to (the
    # move happens only when this code comes back).
    phone = models.CharField(max_length=20, blank=True)
    digest = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"code for {self.user_id}"
