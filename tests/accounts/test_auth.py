"""Sign-in: Argon2, lock-out after repeated failures, API tokens, the sign-in audit."""

from __future__ import annotations

from django.utils import timezone

from homeward.accounts.models import ApiToken, AuditEvent, Role
from homeward.accounts.services import api_token_create
from tests.conftest import PASSWORD, make_user


def test_passwords_are_hashed_with_argon2(suzhou_caseworker):
    assert suzhou_caseworker.password.startswith("argon2$")
    assert suzhou_caseworker.check_password(PASSWORD)


def test_signing_in_reaches_the_dashboard_and_is_audited(client, suzhou_caseworker):
    response = client.post("/login/", {"username": "sz.caseworker", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="login", actor=suzhou_caseworker).count() == 1


def test_a_wrong_password_is_refused_and_audited(client, suzhou_caseworker):
    response = client.post("/login/", {"username": "sz.caseworker", "password": "wrong"})
    assert response.status_code == 200
    assert "id_username" in response.content.decode()
    failed = AuditEvent.objects.get(action="login_failed")
    assert failed.object_label == "sz.caseworker"


def test_repeated_failures_lock_the_account_even_with_the_right_password(
    client, settings, suzhou_caseworker
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "sz.caseworker", "password": "wrong"})
    response = client.post("/login/", {"username": "sz.caseworker", "password": PASSWORD})
    assert response.status_code == 429
    assert client.get("/").status_code == 302  # still signed out


def test_the_lock_is_per_account(client, settings, suzhou, suzhou_caseworker):
    make_user("sz.intake", Role.INTAKE, station=suzhou)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "sz.caseworker", "password": "wrong"})
    response = client.post("/login/", {"username": "sz.intake", "password": PASSWORD})
    assert response.status_code == 302


def test_a_partner_token_reads_the_api_with_its_users_scope(
    client, suzhou, hangzhou, suzhou_caseworker
):
    token, raw = api_token_create(user=suzhou_caseworker, name="110 指挥中心")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/me", **auth).json()["username"] == "sz.caseworker"
    assert client.get(f"/api/stations/{suzhou.pk}", **auth).status_code == 200
    assert client.get(f"/api/stations/{hangzhou.pk}", **auth).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    # Only a digest is kept.
    assert raw not in ApiToken.objects.filter(pk=token.pk).values_list("digest", flat=True)[0]


def test_a_revoked_or_unknown_token_is_refused(client, suzhou_caseworker):
    token, raw = api_token_create(user=suzhou_caseworker, name="old")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer hw_nonsense").status_code == 401
    assert client.get("/api/me").status_code == 401


def test_sensitive_details_need_their_own_permission(suzhou, jiangsu_supervisor):
    tracer = make_user("sz.tracing", Role.TRACING_OFFICER, station=suzhou)
    dispatcher = make_user("sz.dispatch", Role.DISPATCHER, station=suzhou)
    assert tracer.has_perm("accounts.view_dna")
    assert not dispatcher.has_perm("accounts.view_dna")
    assert not dispatcher.has_perm("accounts.view_health")
    assert jiangsu_supervisor.has_perm("accounts.view_audit")
    assert not jiangsu_supervisor.has_perm("accounts.view_minor_details")
    assert not jiangsu_supervisor.has_perm("accounts.view_health")
