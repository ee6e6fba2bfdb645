"""Sending SMS (and later WeChat) messages through a pluggable sender.

The embedded default appends each message to a file under var/ (the outbox),
so the product runs with no gateway; a deployment names its own sender class
in SMS_SENDER.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class FileSender:
    """Writes each message as a JSON line to settings.SMS_OUTBOX."""

    def send(self, phone: str, text: str) -> None:
        path = Path(settings.SMS_OUTBOX)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = {"at": timezone.now().isoformat(), "to": phone, "text": text}
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")


def sms_sender():
    return import_string(getattr(settings, "SMS_SENDER", "homeward.portal.senders.FileSender"))()
