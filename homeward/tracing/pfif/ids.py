"""PFIF record ids and namespaces.

A PFIF record id is `domain/local-id`, where the domain names the repository that first
held the record and must be a domain name whose labels start with a letter (PFIF 1.4 §4,
RFC 1034 §3.5). Ours is PFIF_DOMAIN, or else the host of PUBLIC_URL; an IP address or
`localhost` names no site to another system, so an export refuses it and says which
setting to change.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from django.conf import settings

VERSIONS = {f"http://zesty.ca/pfif/1.{minor}": f"1.{minor}" for minor in (1, 2, 3, 4)}
NS = "http://zesty.ca/pfif/1.4"
PREFIX = "pfif:"  # source_ref of a report imported from PFIF: "pfif:" + its record id

_LABEL = r"[a-zA-Z](?:[-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?"
DOMAIN_NAME = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}\.?")
RECORD_ID = re.compile(rf"{DOMAIN_NAME.pattern}/.+", re.DOTALL)


class PfifDomainError(ValueError):
    """This site has no domain name to put in PFIF record ids."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"PFIF record ids begin with this site's domain name, and {name!r} is not one "
            "(an IP address or localhost names no site to another system). Set PFIF_DOMAIN, "
            "or PUBLIC_URL, to the station's public address, such as homeward.example.org."
        )


def _configured() -> str:
    return settings.PFIF_DOMAIN or urlparse(settings.PUBLIC_URL).hostname or ""


def domain() -> str:
    """This site's PFIF domain; raises PfifDomainError when it has none."""
    name = _configured()
    if not DOMAIN_NAME.fullmatch(name) or name.rstrip(".").lower() == "localhost":
        raise PfifDomainError(name)
    return name.rstrip(".")


def own_prefix() -> str | None:
    """ "domain/" of our own records, or None when this site has no PFIF domain (then no
    record read can be ours)."""
    try:
        return domain() + "/"
    except PfifDomainError:
        return None


def report_record_id(report, site: str) -> str:
    """A report's record id: the one it came with, if imported; else ours."""
    if report.source_ref.startswith(PREFIX):
        return report.source_ref.removeprefix(PREFIX)
    return f"{site}/report.{report.public_id}"


def notice_record_id(notice, site: str) -> str:
    return f"{site}/notice.{notice.public_id}"
