"""The A4 tracing poster of a notice: the notice's public facts and a QR code to its page."""

from __future__ import annotations

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from homeward.tracing.models import Notice


def notice_url(notice: Notice) -> str:
    return settings.PUBLIC_URL.rstrip("/") + reverse("portal:notice", args=[notice.public_id])


def qr_svg(url: str) -> SafeString:
    """An inline SVG QR code, made here (no service, no network); medium error correction
    so a creased or stained poster still scans."""
    svg = segno.make(url, error="m").svg_inline(scale=5, border=2, title=url)
    return mark_safe(svg)  # noqa: S308 - segno's own markup; the URL is escaped by segno
