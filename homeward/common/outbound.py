"""Addresses we send to on a user's behalf (alert webhooks): https, public hosts only.

A webhook address is the user's to choose, so it could point at this server's own
network: the cloud's metadata service (169.254.169.254), the database, a router. We
refuse anything but https, and at send time resolve the host and refuse it unless every
address it resolves to is a public one.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _


class UnsafeAddress(ValueError):
    """The address may not be sent to; `message` says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _resolve(host: str, port: int) -> list[str]:
    resolver = import_string(getattr(settings, "WEBHOOK_RESOLVER", "socket.getaddrinfo"))
    return sorted({info[4][0] for info in resolver(host, port, type=socket.SOCK_STREAM)})


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def webhook_url_problem(url: str) -> str | None:
    """What is wrong with a webhook address as given (no look-up), or None."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname:
        return _("A webhook address must start with https:// and name a host.")
    if parts.username or parts.password:
        return _("A webhook address may not carry a user name or password.")
    host = parts.hostname
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None and not _public(host):
        return _("A webhook address must be on the public internet.")
    if literal is None and (host == "localhost" or "." not in host):
        return _("A webhook address must be on the public internet.")
    return None


def webhook_url_check(url: str) -> list[str]:
    """Resolve the address's host now and return its addresses; raises UnsafeAddress
    unless the address is https and every address is public."""
    problem = webhook_url_problem(url)
    if problem:
        raise UnsafeAddress(problem)
    parts = urlsplit(url.strip())
    try:
        addresses = _resolve(parts.hostname or "", parts.port or 443)
    except OSError as error:
        raise UnsafeAddress(_("The webhook host cannot be found.")) from error
    if not addresses or not all(_public(a) for a in addresses):
        raise UnsafeAddress(_("A webhook address must be on the public internet."))
    return addresses
