"""Family accounts: the phone code locks for good after five wrong tries, tries are limited
per phone and per address, sign-up never tells whether a number is registered, and every
password meets the validators."""

from __future__ import annotations

import pytest

from homeward.accounts.models import Role, User
from homeward.portal.models import PhoneCode
from tests.conftest import make_user, started, texts


def signup(client, phone="13900000001", password="a long password"):
    return client.post(
        "/p/signup/",
        {"display_name": "李红", "phone": phone, "password": password, "started": started()},
    )


def test_six_wrong_codes_lock_the_code_and_the_right_one_then_fails(client, outbox, db):
    assert signup(client).status_code == 302
    code = texts(outbox)[-1]["text"][-6:]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(6):
        page = client.post("/p/verify/", {"code": wrong}).content.decode()
        assert 'data-error-for="code"' in page
    assert PhoneCode.objects.get().attempts == 5 and PhoneCode.objects.get().used_at
    response = client.post("/p/verify/", {"code": code})
    assert response.status_code == 200  # still not verified
    assert not User.objects.get(username="13900000001").phone_verified


def test_signing_up_with_a_registered_number_answers_as_for_a_new_one(client, outbox, db):
    owner = make_user("13900000002", Role.FAMILY)
    first = signup(client, phone="13900000003")
    client.cookies.clear()
    second = signup(client, phone="139-0000-0002")
    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])
    page = client.get("/p/verify/").content.decode()
    assert 'id="verify-form"' in page
    assert "13900000002" not in page
    assert User.objects.filter(username="13900000002").count() == 1
    owner.refresh_from_db()
    assert owner.check_password("correct horse battery staple")  # nothing changed
    warning = texts(outbox)[-1]
    assert warning["to"] == "13900000002" and not warning["text"][-6:].isdigit()
    assert client.post("/p/verify/", {"code": "123456"}).status_code == 200  # no way in


@pytest.mark.parametrize("password", ["12345678", "password", "13900000004"])
def test_weak_family_passwords_are_refused_by_the_validators(client, outbox, db, password):
    response = signup(client, phone="13900000004", password=password)
    assert response.status_code == 200
    assert 'data-error-for="password"' in response.content.decode()
    assert not User.objects.filter(username="13900000004").exists()


def test_codes_are_limited_per_address(client, outbox, db):
    for n in range(31):
        make_user(f"1390000{n:04d}", Role.FAMILY)
    answers = []
    for n in range(31):
        user = User.objects.get(username=f"1390000{n:04d}")
        client.force_login(user)
        answers.append(client.post("/p/verify/", {"code": "000000"}).content.decode())
    assert "尝试次数过多" in answers[-1]
    assert all("尝试次数过多" not in a for a in answers[:30])
