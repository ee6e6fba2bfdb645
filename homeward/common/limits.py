"""Abuse limits for what anyone may call without an account (sign-up, codes, tips, the
public region search): fixed windows counted in the cache."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone


def allow(key: str, *, limit: int, per_seconds: int) -> bool:
    """A fixed-window rate limit in the cache: False once `limit` is passed."""
    bucket = f"rate:{key}:{int(timezone.now().timestamp()) // per_seconds}"
    added = cache.add(bucket, 1, per_seconds)
    if added:
        return True
    try:
        return cache.incr(bucket) <= limit
    except ValueError:
        return True
