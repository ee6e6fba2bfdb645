"""Field-level encryption at rest for the most sensitive values: ID numbers, DNA profiles
and families' phone numbers.

A value is stored as `hw1:<key id>:<base64 of nonce and AES-256-GCM ciphertext>`; the key
id and the column (`table.column`) are the associated data, so a token moved under another
key, or into another row's column of another kind, does not open. The keys
come from settings (`FIELD_KEYS`: the first encrypts, all decrypt), so a key is rotated by
adding a new one in front and running `homeward rotate-keys`, which re-encrypts every value
still under an older key; then the old key can go. Where an exact lookup is needed (the
same ID number seen before, the same family phone on two reports) a keyed hash sits beside
the value (`keyed_hash`, HMAC-SHA256 under `FIELD_HASH_KEY`), never the value itself.

A value without the prefix is read as it is: rows written before encryption, until the
migration that encrypts them has run.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact

PREFIX = "hw1"
NONCE = 12


class FieldKeyMissing(RuntimeError):
    """A value is under a key that settings no longer hold."""


def _keys() -> list[tuple[str, bytes]]:
    return list(settings.FIELD_KEYS)


def current_key_id() -> str:
    return _keys()[0][0]


def _aad(key_id: str, context: str) -> bytes:
    return f"{key_id}|{context}".encode() if context else key_id.encode("ascii")


def encrypt(text: str, context: str = "") -> str:
    """`text` sealed under the current key; `context` (a column) must be given again to open it."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key_id, key = _keys()[0]
    nonce = os.urandom(NONCE)
    sealed = AESGCM(key).encrypt(nonce, text.encode("utf-8"), _aad(key_id, context))
    return f"{PREFIX}:{key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def key_id_of(token: str | None) -> str | None:
    """The key a stored token is under (None for an empty or a plain value)."""
    if not token or not token.startswith(PREFIX + ":"):
        return None
    return token.split(":", 2)[1]


def decrypt(token: str, context: str = "") -> str:
    key_id = key_id_of(token)
    if key_id is None:
        return token  # not encrypted (yet)
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = dict(_keys()).get(key_id)
    if key is None:
        raise FieldKeyMissing(
            f"a value is encrypted under key {key_id!r}, which FIELD_KEYS no longer holds"
        )
    try:
        raw = base64.b64decode(token.split(":", 2)[2], validate=True)
        plain = AESGCM(key).decrypt(raw[:NONCE], raw[NONCE:], _aad(key_id, context))
    except (InvalidTag, ValueError):
        raise FieldKeyMissing(
            f"a value under key {key_id!r} does not open with it (changed, or moved from "
            "another column)"
        ) from None
    return plain.decode("utf-8")


def keyed_hash(text: str) -> str:
    """The lookup digest of `text` (already normalised by the caller); "" for nothing."""
    if not text:
        return ""
    return hmac.new(settings.FIELD_HASH_KEY, text.encode("utf-8"), hashlib.sha256).hexdigest()


def hash_key_fingerprint() -> str:
    """Names the lookup-hash key without revealing it: digests made under another key find
    nothing, so a restore checks this first."""
    return keyed_hash("homeward:fingerprint")[:16]


def phone_digits(phone: str) -> str:
    """A phone number as its digits, without China's country code: the form it is compared in."""
    digits = "".join(c for c in phone if c.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


class _EmptyOnlyExact(Exact):
    """An encrypted column compares with nothing but the empty value: each encryption draws a
    fresh nonce, so `filter(field=value)` would silently find nothing. Look up by the keyed
    hash beside it instead."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.name} is encrypted: look it up by its keyed hash, not its value"
            )
        return super().get_prep_lookup()


def _context(field: models.Field) -> str:
    return f"{field.model._meta.db_table}.{field.column}"


class EncryptedTextField(models.TextField):
    """A short text (an ID number, a phone number) encrypted at rest; `max_length` limits the
    plain value, as a CharField's would, and forms show one line."""

    def from_db_value(self, value, expression, connection):
        return value if value is None else decrypt(value, _context(self))

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value, _context(self))

    def get_lookup(self, lookup_name):
        if lookup_name not in ("exact", "isnull"):
            raise FieldError(f"{self.name} is encrypted: no {lookup_name} lookup")
        return _EmptyOnlyExact if lookup_name == "exact" else super().get_lookup(lookup_name)

    def formfield(self, **kwargs):
        from django import forms

        return super().formfield(**{"widget": forms.TextInput, **kwargs})


class EncryptedJSONField(models.TextField):
    """A JSON value (a DNA profile) encrypted at rest."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        plain = decrypt(value, _context(self))
        return json.loads(plain) if isinstance(plain, str) else plain

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True), _context(self))

    def value_to_string(self, obj) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(f"{self.name} is encrypted: no {lookup_name} lookup")
        return super().get_lookup(lookup_name)

    def formfield(self, **kwargs):
        from django import forms

        return forms.JSONField(**kwargs)


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every model with encrypted columns, and their names (for rotation and checks)."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (EncryptedTextField, EncryptedJSONField))
        ]
        if names:
            found.append((model, names))
    return found


def stored_tokens(model: type[models.Model], name: str):
    """The stored (encrypted) text of column `name`, row by row, as (pk, token): read past
    the field's decryption, for rotation and for the backup's list of keys."""
    from django.db.models.functions import Cast

    rows = model._base_manager.filter(**{f"{name}__isnull": False}).annotate(
        raw=Cast(name, models.TextField())
    )
    return rows.values_list("pk", "raw").iterator(chunk_size=2000)


def key_ids_in_use() -> list[str]:
    """Every key id some stored value is under, sorted."""
    found = set()
    for model, names in encrypted_fields():
        for name in names:
            found.update(key_id_of(token) for _pk, token in stored_tokens(model, name))
    return sorted(k for k in found if k)


def rotate(*, batch: int = 500) -> dict[str, int]:
    """Re-encrypt every value that is not under the current key (or not encrypted at all)
    with the current key. Returns how many values of each model were re-encrypted; running
    it again finds none."""
    from django.db import transaction

    current = current_key_id()
    done: dict[str, int] = {}
    for model, names in encrypted_fields():
        for name in names:
            stale = [pk for pk, token in stored_tokens(model, name)
                     if token and key_id_of(token) != current]  # fmt: skip
            for start in range(0, len(stale), batch):
                chunk = stale[start : start + batch]
                with transaction.atomic():  # locked: an edit meanwhile is not written over
                    rows = model._base_manager.select_for_update().filter(pk__in=chunk)
                    for pk, value in rows.values_list("pk", name):
                        model._base_manager.filter(pk=pk).update(**{name: value})
            if stale:
                label = f"{model._meta.label_lower}.{name}"
                done[label] = len(stale)
    return done
