"""`homeward rotate_keys`: re-encrypt every encrypted value under the current field key.

A rotation, step by step (docs/operations.md):
1. `homeward rotate_keys --new` puts a new key in front of var/field_keys.json (or add one in
   front of FIELD_KEYS in the environment), and restart the app: new values use it.
2. `homeward rotate_keys` re-encrypts every value under an older key.
3. `homeward rotate_keys --check` lists the keys still in use; a key no value is under may go.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from homeward.common import crypto


class Command(BaseCommand):
    help = "Re-encrypt ID numbers, DNA profiles and phone numbers under the current field key."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--new", action="store_true", help="add a new key in front first")
        parser.add_argument("--check", action="store_true", help="only list the keys in use")

    def handle(self, *args, new: bool, check: bool, **options) -> None:
        if new:
            # Only the key: processes running now hold the old keys alone, and would fail
            # to read what a rotation wrote. Restart them, then run rotate_keys.
            self._new_key()
            return
        if check:
            in_use = crypto.key_ids_in_use()
            held = [key_id for key_id, _key in settings.FIELD_KEYS]
            self.stdout.write(f"keys held: {', '.join(held)} (the first encrypts)")
            self.stdout.write(f"keys in use: {', '.join(in_use) or 'none'}")
            unused = [k for k in held[1:] if k not in in_use]
            if unused:
                self.stdout.write(f"no value is under {', '.join(unused)}: it may be removed")
            return
        done = crypto.rotate()
        for label, count in sorted(done.items()):
            self.stdout.write(f"{label}\t{count}")
        self.stdout.write(
            f"re-encrypted {sum(done.values())} values under {crypto.current_key_id()}"
        )

    def _new_key(self) -> None:
        if os.environ.get("FIELD_KEYS"):
            raise CommandError(
                "FIELD_KEYS is set in the environment: add the new key in front there"
            )
        path = settings.VAR_DIR / "field_keys.json"
        stored = json.loads(path.read_text())
        held = {key_id for key_id, _ in stored["keys"]}
        key_id = f"k{secrets.token_hex(4)}"
        while key_id in held:
            key_id = f"k{secrets.token_hex(4)}"
        stored["keys"].insert(0, [key_id, base64.b64encode(secrets.token_bytes(32)).decode()])
        fd, partial = tempfile.mkstemp(prefix=".field_keys.", dir=path.parent)
        with os.fdopen(fd, "w") as handle:
            json.dump(stored, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
        settings.FIELD_KEYS = [(k, base64.b64decode(v)) for k, v in stored["keys"]]
        self.stdout.write(f"new key {key_id} added in front of {path}; restart the app to use it")
