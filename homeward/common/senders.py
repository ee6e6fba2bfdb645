"""Sending SMS, WeChat and webhook messages through pluggable senders.

The embedded defaults append each message to a file under var/ (the outbox),
so the product runs with no gateway and no network; a deployment names its
own sender classes in SMS_SENDER, WECHAT_SENDER and WEBHOOK_SENDER. A sender
has one method, `send(to, text)`, and raises on failure (the caller retries).

A sender may also take `key`: the same key for every attempt of one message. A job killed
after the gateway took a message and before the row was marked sent sends it again after a
restart; a gateway that keeps the key (a client message id, an idempotency header) drops
the second, and the file senders here do the same.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class FileSender:
    """Writes each message as a JSON line to settings.SMS_OUTBOX."""

    def _path(self) -> Path:
        return Path(settings.SMS_OUTBOX)

    def send(self, phone: str, text: str, key: str | None = None) -> None:
        path = self._path()
        path.parent.mkdir(parents=True, exist_ok=True)
        if key and _sent_before(path, key):
            return  # this message went out before a crash: not twice
        line = {"at": timezone.now().isoformat(), "to": phone, "text": text}
        if key:
            line["key"] = key
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")


def _sent_before(path: Path, key: str) -> bool:
    if not path.is_file():
        return False
    needle = json.dumps(key)
    with path.open(encoding="utf-8") as handle:
        return any(f'"key": {needle}' in line for line in handle)


def send_once(sender, to: str, text: str, key: str) -> None:
    """`sender.send` with the message's key, when the sender takes one (a deployment's own
    sender may not)."""
    try:
        parameters = inspect.signature(sender.send).parameters.values()
        accepts = any(
            p.name == "key" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters
        )
    except (TypeError, ValueError):
        accepts = False
    if accepts:
        sender.send(to, text, key=key)
    else:
        sender.send(to, text)


class WechatFileSender(FileSender):
    """WeChat template messages, written beside the SMS outbox (wechat.jsonl)."""

    def _path(self) -> Path:
        default = Path(settings.SMS_OUTBOX).with_name("wechat.jsonl")
        return Path(getattr(settings, "WECHAT_OUTBOX", default))


class WebhookFileSender(FileSender):
    """Webhook posts, recorded (address and JSON body) instead of sent: no network."""

    def _path(self) -> Path:
        default = Path(settings.SMS_OUTBOX).with_name("webhooks.jsonl")
        return Path(getattr(settings, "WEBHOOK_OUTBOX", default))


def sms_sender():
    return import_string(getattr(settings, "SMS_SENDER", "homeward.common.senders.FileSender"))()


def wechat_sender():
    name = getattr(settings, "WECHAT_SENDER", "homeward.common.senders.WechatFileSender")
    return import_string(name)()


def webhook_sender():
    name = getattr(settings, "WEBHOOK_SENDER", "homeward.common.senders.WebhookFileSender")
    return import_string(name)()
