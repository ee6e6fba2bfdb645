"""A family's whole path on the portal, through the pages: sign-up says where the code went
and the number can be changed there; a forgotten password is reset by a code; "my reports"
opens each report with its history, its station and what comes next; the family adds
information and a photo, and withdraws the report."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from homeward.accounts.models import AuditEvent, Role, User
from homeward.tracing.models import Candidate, MissingReport, ReportPhoto
from homeward.tracing.services import ReportData, report_file, report_verify
from tests.conftest import make_user, started, texts


def family(username="13900000009", phone_verified=True) -> User:
    user = make_user(username, Role.FAMILY)
    User.objects.filter(pk=user.pk).update(phone=username, phone_verified=phone_verified)
    user.refresh_from_db()
    return user


def filed(by: User, **changes) -> MissingReport:
    data = ReportData(
        name="李明",
        sex="M",
        contact_name="李红",
        contact_relation="女儿",
        contact_phone=by.phone,
        **changes,
    )
    return report_file(data=data, by=by)


def jpeg() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (64, 80), (180, 140, 120)).save(out, "JPEG")
    out.seek(0)
    out.name = "photo.jpg"
    return out


def test_sign_up_says_where_the_code_went_and_the_number_can_be_changed(client, outbox, db):
    client.post(
        "/p/signup/",
        {
            "display_name": "李红",
            "phone": "13900000001",
            "password": "a long password",
            "started": started(),
        },
    )
    page = client.get("/p/verify/").content.decode()
    assert "139****0001" in page and "13900000001" not in page  # masked
    # A typo in the number: changed on the code page, the code goes to the new number.
    response = client.post("/p/verify/", {"phone": "13900000002"})
    assert response.status_code == 302
    assert texts(outbox)[-1]["to"] == "13900000002"
    assert "139****0002" in client.get("/p/verify/").content.decode()
    code = texts(outbox)[-1]["text"][-6:]
    assert client.post("/p/verify/", {"code": code})["Location"] == "/p/me/"
    user = User.objects.get(role=Role.FAMILY)
    assert (user.username, user.phone, user.phone_verified) == ("13900000002", "13900000002", True)


def test_changing_to_a_taken_number_moves_nothing_and_tells_its_owner(client, outbox, db):
    owner = family("13900000003")
    mover = family("13900000004")
    client.force_login(mover)
    response = client.post("/p/phone/", {"phone": "139 0000 0003"})
    assert response["Location"] == "/p/verify/"  # the same answer as for a free number
    mover.refresh_from_db()
    owner.refresh_from_db()
    assert mover.phone == "13900000004" and mover.phone_verified  # unchanged
    assert owner.phone == "13900000003"
    warning = texts(outbox)[-1]
    assert warning["to"] == "13900000003"
    assert not re.search(r"\d{6}", warning["text"])  # told, and sent no code to take over


def test_a_forgotten_password_is_reset_by_a_code(client, outbox, db):
    user = family("13900000005")
    response = client.post("/p/reset/", {"phone": "13900000005"})
    assert response["Location"] == "/p/reset/code/"
    assert "139****0005" in client.get("/p/reset/code/").content.decode()
    code = texts(outbox)[-1]["text"][-6:]
    wrong = "000000" if code != "000000" else "111111"
    page = client.post("/p/reset/code/", {"code": wrong, "password": "a new long secret"})
    assert 'data-error-for="code"' in page.content.decode()
    weak = client.post("/p/reset/code/", {"code": code, "password": "123"})
    assert 'data-error-for="password"' in weak.content.decode()
    done = client.post("/p/reset/code/", {"code": code, "password": "a new long secret"})
    assert done["Location"] == "/p/me/"
    user.refresh_from_db()
    assert user.check_password("a new long secret")
    assert AuditEvent.objects.filter(actor=user, detail__password="reset by code").exists()


def test_a_reset_for_an_unknown_number_answers_the_same_and_sends_nothing(client, outbox, db):
    response = client.post("/p/reset/", {"phone": "13900000006"})
    assert response["Location"] == "/p/reset/code/"
    assert texts(outbox) == []
    page = client.post("/p/reset/code/", {"code": "123456", "password": "a new long secret"})
    assert 'data-error-for="code"' in page.content.decode()


def test_my_report_shows_history_station_next_step_and_takes_additions(client, outbox, suzhou, db):
    from homeward.regions.models import Division

    user = family()
    report = filed(user, lost_division=Division.objects.get(code="320508"))
    client.force_login(user)
    listing = client.get("/p/me/").content.decode()
    assert f"/p/me/{report.public_id}/" in listing and "138****" not in listing
    page = client.get(f"/p/me/{report.public_id}/").content.decode()
    assert 'id="report-history"' in page and suzhou.name in page and suzhou.phone_24h in page
    assert AuditEvent.objects.filter(actor=user, action="view", object_id=str(report.pk)).exists()
    response = client.post(
        f"/p/me/{report.public_id}/",
        {"action": "add", "text": "他左手少一根手指", "photo": jpeg(), "photo_year": "2015"},
    )
    assert response.status_code == 302
    assert ReportPhoto.objects.filter(report=report, taken_year=2015).count() == 1
    page = client.get(f"/p/me/{report.public_id}/").content.decode()
    assert "他左手少一根手指" in page
    assert 'id="report-photo-count">1<' in page
    empty = client.post(f"/p/me/{report.public_id}/", {"action": "add", "text": " "})
    assert 'data-error-for="text"' in empty.content.decode()
    # The station's tracing officer sees what the family added.
    client.force_login(make_user("sz.tracer", Role.TRACING_OFFICER, station=suzhou))
    staff = client.get(f"/tracing/reports/{report.pk}/").content.decode()
    assert 'id="family-updates"' in staff and "他左手少一根手指" in staff


def test_a_photo_added_by_a_family_is_decoded_and_reencoded(client, outbox, db):
    user = family()
    report = filed(user)
    client.force_login(user)
    fake = io.BytesIO(b"<svg onload=alert(1)></svg>")
    fake.name = "face.jpg"
    page = client.post(f"/p/me/{report.public_id}/", {"action": "add", "photo": fake})
    assert 'data-error-for="photo"' in page.content.decode()
    assert not ReportPhoto.objects.exists()


def test_withdrawing_closes_the_report_and_its_candidates(client, outbox, suzhou, db):
    from homeward.cases.services import IntakeData, intake_admit

    user = family()
    report = filed(user)
    report_verify(report=report, by=make_user("sz.tracer", Role.TRACING_OFFICER, station=suzhou))
    desk = make_user("sz.desk", Role.INTAKE, station=suzhou)
    stay = intake_admit(
        station=suzhou,
        by=desk,
        data=IntakeData(brought_by="police", sex="M", age_estimate_min=40, age_estimate_max=60),
    )
    Candidate.objects.get_or_create(
        person=stay.person,
        report=report,
        defaults={"station": suzhou, "posterior": 0.5, "log10_total": 1},
    )
    client.force_login(user)
    response = client.post(
        f"/p/me/{report.public_id}/", {"action": "withdraw", "reason": "他已经回家了"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == MissingReport.Status.CLOSED
    assert not Candidate.objects.filter(report=report, status__in=["open", "inquiry"]).exists()
    page = client.get(f"/p/me/{report.public_id}/").content.decode()
    assert "他已经回家了" in page and 'id="report-add"' not in page
    again = client.post(f"/p/me/{report.public_id}/", {"action": "add", "text": "more"})
    assert again.status_code == 200 and 'data-error-for="status"' not in again.content.decode()
    assert report.updates.filter(kind="info").count() == 0


def test_another_familys_report_is_not_found(client, outbox, db):
    report = filed(family("13900000007"))
    client.force_login(family("13900000008"))
    assert client.get(f"/p/me/{report.public_id}/").status_code == 404
    response = client.post(f"/p/me/{report.public_id}/", {"action": "withdraw"})
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == MissingReport.Status.PENDING


def test_families_sign_out_from_the_portal(client, db):
    user = family()
    client.force_login(user)
    page = client.get("/p/").content.decode()
    assert 'id="sign-out"' in page
    response = client.post("/logout/", {"next": "/p/"})
    assert response["Location"] == "/p/"
    assert 'id="nav-sign-in"' in client.get("/p/").content.decode()


def test_the_sign_in_page_leads_families_to_sign_up_and_reset(client, db):
    page = client.get("/login/?next=/p/me/").content.decode()
    assert 'href="/p/signup/"' in page and 'href="/p/reset/"' in page
    assert 'id="portal-nav"' in page  # coming from the portal, it wears the portal's header
    staff = client.get("/login/").content.decode()
    assert 'id="portal-nav"' not in staff and 'href="/p/reset/"' in staff


def test_a_new_number_takes_effect_only_when_its_code_comes_back(client, outbox, db):
    user = family("13900000031")
    client.force_login(user)
    client.post("/p/phone/", {"phone": "13900000032"})
    user.refresh_from_db()
    assert user.username == "13900000031" and user.phone_verified  # a typo locks nobody out
    assert "139****0032" in client.get("/p/verify/").content.decode()
    code = texts(outbox)[-1]
    assert code["to"] == "13900000032"
    client.post("/p/verify/", {"code": code["text"][-6:]})
    user.refresh_from_db()
    assert (user.username, user.phone, user.phone_verified) == ("13900000032", "13900000032", True)


def test_moving_to_a_taken_number_looks_the_same_as_to_a_free_one(client, outbox, db):
    family("13900000041")
    pages = []
    for mover, target in (("13900000042", "13900000041"), ("13900000043", "13900000044")):
        client.force_login(family(mover))
        response = client.post("/p/phone/", {"phone": target})
        page = client.get("/p/verify/").content.decode()
        pages.append(
            (response.status_code, response["Location"], "139****00" + target[-2:] in page)
        )
    assert pages[0] == pages[1] == (302, "/p/verify/", True)


def test_a_reset_never_judges_the_password_of_a_number_without_its_code(client, outbox, db):
    family("13900000051")
    answers = []
    for number in ("13900000051", "13900000052"):  # registered, and not
        client.post("/p/reset/", {"phone": number})
        page = client.post("/p/reset/code/", {"code": "000001", "password": "password"})
        content = page.content.decode()
        answers.append(('data-error-for="code"' in content, 'data-error-for="password"' in content))
    assert answers[0] == answers[1] == (True, False)


def test_the_sixth_wrong_code_reads_the_same_for_any_number(client, outbox, db):
    family("13900000061")
    last = []
    for number in ("13900000061", "13900000062"):
        client.post("/p/reset/", {"phone": number})
        for _ in range(6):
            page = client.post("/p/reset/code/", {"code": "000002", "password": "a long secret"})
        last.append(page.context["form"].errors["code"])
    assert last[0] == last[1]


@pytest.mark.parametrize("typed", ["+86 139 0000 0071", "0086-13900000071", "139-0000-0071"])
def test_a_family_signs_in_with_the_number_as_people_write_it(client, db, typed):
    user = family("13900000071")
    user.set_password("a long family secret")
    user.save()
    response = client.post("/login/", {"username": typed, "password": "a long family secret"})
    assert response.status_code == 302
    assert client.get("/p/me/").status_code == 200


def test_an_old_sign_up_session_cannot_move_a_verified_account(client, outbox, db):
    client.post(
        "/p/signup/",
        {
            "display_name": "李红",
            "phone": "13900000081",
            "password": "a long password",
            "started": started(),
        },
    )
    client.post("/p/verify/", {"code": texts(outbox)[-1]["text"][-6:]})
    client.logout()  # the session is gone; a copy of its sign-up state is not enough
    session = client.session
    session["portal.signup"] = {"user": User.objects.get().pk, "phone": "13900000081", "tries": 0}
    session.save()
    response = client.post("/p/verify/", {"phone": "13900000082"})
    assert response["Location"] == "/p/signup/"
    assert User.objects.get().phone == "13900000081"
    assert all(t["to"] != "13900000082" for t in texts(outbox))


def test_a_wrong_code_for_a_move_reads_the_same_whether_the_number_is_taken(client, outbox, db):
    family("13900000091")
    answers = []
    for mover, target in (("13900000092", "13900000091"), ("13900000093", "13900000094")):
        client.force_login(family(mover))
        client.post("/p/phone/", {"phone": target})
        client.post("/p/verify/", {"resend": "1"})
        page = client.post("/p/verify/", {"code": "000003"})
        answers.append(page.context["form"].errors["code"])
    assert answers[0] == answers[1]
    # The taken number's owner is warned, and never sent a code.
    assert not [
        t for t in texts(outbox) if t["to"] == "13900000091" and re.search(r"\d{6}", t["text"])
    ]
