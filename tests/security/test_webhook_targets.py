"""Alert webhooks: offered to partner accounts only, https to public hosts only, and the
host is resolved and checked again when an alert is sent."""

from __future__ import annotations

import socket

import pytest
from django.core.exceptions import ValidationError

from homeward.accounts.models import Role
from homeward.common.outbound import UnsafeAddress, webhook_url_check
from homeward.regions.models import Division
from homeward.tracing.services.alerts import SubscriptionData, subscription_create
from tests.conftest import ensure_divisions, make_user


def resolves_to(address):
    def resolver(host, port, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    return resolver


def private_resolver(host, port, **kwargs):
    return resolves_to("10.1.2.3")(host, port)


def public_resolver(host, port, **kwargs):
    return resolves_to("93.184.216.34")(host, port)


def _data(url: str) -> SubscriptionData:
    ensure_divisions()
    return SubscriptionData(
        channels=["webhook"], division=Division.objects.get(code="320500"), webhook_url=url
    )


def test_a_family_cannot_subscribe_a_webhook(db):
    family = make_user("13900000001", Role.FAMILY)
    with pytest.raises(ValidationError) as refused:
        subscription_create(user=family, data=_data("https://hooks.example.org/a"))
    assert "channels" in refused.value.message_dict


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254/latest/meta-data/",
        "https://127.0.0.1:8000/",
        "https://[::1]/",
        "https://10.0.0.8/hook",
        "https://localhost/hook",
        "https://user:secret@hooks.example.org/",
        "ftp://hooks.example.org/",
    ],
)
def test_a_partner_cannot_point_a_webhook_inward(url, db):
    partner = make_user("partner.sz", Role.PARTNER)
    with pytest.raises(ValidationError) as refused:
        subscription_create(user=partner, data=_data(url))
    assert "webhook_url" in refused.value.message_dict


def test_a_host_that_resolves_to_a_private_address_is_refused_at_send_time(settings):
    settings.WEBHOOK_RESOLVER = "tests.security.test_webhook_targets.private_resolver"
    with pytest.raises(UnsafeAddress):
        webhook_url_check("https://hooks.example.org/a")
    settings.WEBHOOK_RESOLVER = "tests.security.test_webhook_targets.public_resolver"
    assert webhook_url_check("https://hooks.example.org/a") == ["93.184.216.34"]


def test_a_partner_subscribes_a_public_https_webhook(db):
    partner = make_user("partner.sz", Role.PARTNER)
    subscription = subscription_create(user=partner, data=_data("https://hooks.example.org/a"))
    assert subscription.webhook_url == "https://hooks.example.org/a"
