"""An SMS sender for the kill test: it hands the message over (the outbox line is written,
as a gateway would have taken it), then hangs while HOMEWARD_TEST_SLOW_SEND names a file
that exists, so the job can be killed between the gateway taking the message and the row
being marked sent."""

from __future__ import annotations

import os
import time
from pathlib import Path

from homeward.common.senders import FileSender


class SlowSender(FileSender):
    def send(self, phone: str, text: str, key: str | None = None) -> None:
        super().send(phone, text, key=key)
        flag = os.environ.get("HOMEWARD_TEST_SLOW_SEND")
        while flag and Path(flag).exists():
            time.sleep(0.1)
