"""The staff shell: dashboard, navigation by role, the sections, the API docs, admin."""

from __future__ import annotations

import pytest

from homeward.accounts.models import Role
from tests.conftest import make_user


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_dashboard_is_in_chinese_by_default(client, suzhou_caseworker):
    client.force_login(suzhou_caseworker)
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "工作台" in page and "苏州测试站" in page


def test_english_is_the_second_language(client, suzhou_caseworker):
    client.force_login(suzhou_caseworker)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page and "Dashboard" in page


def test_navigation_follows_the_role(client, suzhou, jiangsu_supervisor):
    street = make_user("sz.street", Role.STREET_TEAM, station=suzhou)
    client.force_login(street)
    page = client.get("/", follow=True).content.decode()  # the street team lands on its calls
    assert 'data-nav="team"' in page and 'data-nav="tracing"' not in page
    assert 'data-nav="dispatch"' not in page  # its own calls, not the command center
    client.force_login(jiangsu_supervisor)
    page = client.get("/").content.decode()
    assert 'data-nav="audit"' in page and 'data-nav="reports"' in page
    assert 'data-nav="cases"' not in page


def test_a_section_outside_the_role_is_forbidden(client, suzhou):
    street = make_user("sz.street", Role.STREET_TEAM, station=suzhou)
    client.force_login(street)
    assert client.get("/dispatch/team/").status_code == 200
    assert client.get("/dispatch/").status_code == 403
    assert client.get("/tracing/").status_code == 403
    assert client.get("/cases/").status_code == 403
    assert client.get("/s/nonsense/").status_code == 404


@pytest.mark.parametrize("path", ["/api/docs", "/api/openapi.json"])
def test_the_api_documents_itself(client, db, path):
    assert client.get(path).status_code == 200


def test_the_api_docs_load_nothing_from_a_cdn(client, db):
    page = client.get("/api/docs").content.decode()
    assert "cdn." not in page and "unpkg" not in page and "jsdelivr" not in page


def test_the_staff_pages_load_nothing_from_a_cdn(client, suzhou_caseworker):
    client.force_login(suzhou_caseworker)
    page = client.get("/").content.decode()
    assert "vendor/bootstrap-5.3.9/bootstrap.min.css" in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page


def test_station_page_shows_beds_and_their_use(client, suzhou, suzhou_caseworker):
    client.force_login(suzhou_caseworker)
    page = client.get(f"/stations/{suzhou.pk}/").content.decode()
    assert "0 / 4" in page


def test_each_role_lands_on_its_work(client, suzhou):
    from homeward.tracing.models import Candidate
    from tests.cases.conftest import admit
    from tests.tracing.conftest import staff_report

    desk = make_user("sz.desk", Role.INTAKE, station=suzhou)
    tracer = make_user("sz.tracer", Role.TRACING_OFFICER, station=suzhou)
    stay = admit(suzhou, desk, age_estimate_min=12, age_estimate_max=14)
    Candidate.objects.create(
        person=stay.person, report=staff_report(tracer), station=suzhou, posterior=0.5,
        log10_total=1,
    )  # fmt: skip
    client.force_login(desk)
    page = client.get("/").content.decode()
    assert 'data-work="minors"' in page and 'data-work="drafts"' in page
    client.force_login(tracer)
    page = client.get("/").content.decode()
    queue = page.split('data-work="queue"')[1].split("</a>")[0]
    assert ">1<" in queue
    client.force_login(make_user("sz.street", Role.STREET_TEAM, station=suzhou))
    assert client.get("/")["Location"] == "/dispatch/team/"


def test_the_desk_is_told_who_has_no_usable_photo_and_sees_them_listed(
    client, suzhou, django_capture_on_commit_callbacks
):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from homeward.cases.services import person_photo_add
    from tests.cases.conftest import admit
    from tests.tracing.conftest import face_file

    desk = make_user("sz.desk", Role.INTAKE, station=suzhou)
    out = io.BytesIO()
    Image.new("RGB", (300, 400), (90, 90, 90)).save(out, "JPEG")
    with django_capture_on_commit_callbacks(execute=True):
        good = admit(suzhou, desk, name="有照片")
        person_photo_add(person=good.person, photo=face_file("obama.jpg"), taken_on=None, by=desk)
        wall = admit(suzhou, desk, name="照片无人脸")
        person_photo_add(
            person=wall.person, photo=SimpleUploadedFile("w.jpg", out.getvalue()), taken_on=None,
            by=desk,
        )  # fmt: skip
        admit(suzhou, desk, name="没拍照")
    client.force_login(desk)
    home = client.get("/").content.decode()
    item = home.split('data-work="no-photo"')[1].split("</a>")[0]
    assert ">2<" in item and "/cases/?view=no_photo" in home
    listed = client.get("/cases/", {"view": "no_photo"}).content.decode()
    assert "照片无人脸" in listed and "没拍照" in listed and "有照片" not in listed
    everyone = client.get("/cases/").content.decode()
    assert f'src="/cases/people/{good.person_id}/photo"' in everyone  # a thumbnail
