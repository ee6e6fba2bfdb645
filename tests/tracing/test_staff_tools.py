"""Staff tools of tracing: DNA entry on the report and person pages, the tracing API, and
the printable poster of a notice."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.forms import ValidationError
from django.utils import timezone, translation

from homeward.tracing.forms import parse_profile_text
from homeward.tracing.models import FoundDna, MissingReport, Notice, Relative
from homeward.tracing.services import notices_sync
from tests.cases.conftest import admit
from tests.tracing.conftest import staff_report

PROFILE_TEXT = "D8S1179: 13,14\nD21S11：29，30\nTH01: 9.3"


def test_a_profile_is_typed_as_json_or_one_locus_a_line():
    assert parse_profile_text(PROFILE_TEXT) == {
        "D8S1179": ["13", "14"],
        "D21S11": ["29", "30"],
        "TH01": ["9.3"],
    }
    assert parse_profile_text('{"TH01": ["9.3", "6"]}') == {"TH01": ["9.3", "6"]}
    assert parse_profile_text("  ") is None
    with translation.override("en"), pytest.raises(ValidationError, match="Line 2"):
        parse_profile_text("TH01: 6\nnonsense")


@pytest.fixture
def relative(tracer):
    report = staff_report(tracer, relatives=[("mother", "王芳")])
    return report.relatives.get()


def test_a_tracer_records_a_relatives_dna_and_only_dna_viewers_see_it(
    client, relative, tracer, suzhou_caseworker
):
    client.force_login(tracer)
    url = f"/tracing/reports/{relative.report_id}/"
    prefix = f"dna{relative.pk}"
    response = client.post(
        url,
        {
            "action": prefix,
            f"{prefix}-status": "entered",
            f"{prefix}-lab": "苏州市公安局物证鉴定所",
            f"{prefix}-profile": PROFILE_TEXT,
            f"{prefix}-consent": "search",
            f"{prefix}-consent_ref": "苏公鉴知 2026-031",
        },
    )
    assert response.status_code == 302
    relative.refresh_from_db()
    assert relative.dna_status == Relative.DnaStatus.ENTERED
    assert relative.profile["D8S1179"] == ["13", "14"]
    assert (relative.consent, relative.consent_ref) == ("search", "苏公鉴知 2026-031")
    assert "D8S1179: 13,14" in client.get(url).content.decode()
    client.force_login(suzhou_caseworker)
    page = client.get(url).content.decode()
    assert "D8S1179" not in page and f'name="action" value="{prefix}"' not in page


def test_an_entered_status_without_a_profile_is_refused_on_the_form(client, relative, tracer):
    client.force_login(tracer)
    prefix = f"dna{relative.pk}"
    page = client.post(
        f"/tracing/reports/{relative.report_id}/",
        {"action": prefix, f"{prefix}-status": "entered", f"{prefix}-profile": ""},
    ).content.decode()
    assert 'data-error-for="profile"' in page
    relative.refresh_from_db()
    assert relative.dna_status == Relative.DnaStatus.NONE


def test_a_profile_without_the_relatives_consent_is_refused_and_withdrawing_it_erases_it(
    client, relative, tracer
):
    client.force_login(tracer)
    prefix = f"dna{relative.pk}"
    url = f"/tracing/reports/{relative.report_id}/"
    entered = {"action": prefix, f"{prefix}-status": "entered", f"{prefix}-profile": PROFILE_TEXT}
    page = client.post(url, entered).content.decode()
    assert 'data-error-for="consent"' in page
    relative.refresh_from_db()
    assert relative.profile is None and relative.dna_status == Relative.DnaStatus.NONE
    assert client.post(url, {**entered, f"{prefix}-consent": "search"}).status_code == 302
    relative.refresh_from_db()
    assert relative.profile and relative.searchable
    # The relative withdraws consent: the profile goes at once, and is compared no more.
    withdrawn = {"action": prefix, f"{prefix}-status": "sampled", f"{prefix}-consent": ""}
    assert client.post(url, withdrawn).status_code == 302
    relative.refresh_from_db()
    assert relative.profile is None and not relative.searchable and relative.consent == ""


def test_a_found_persons_dna_is_requested_then_entered_from_the_stay_page(
    client, suzhou, desk, tracer
):
    stay = admit(suzhou, desk)
    client.force_login(tracer)
    assert (
        f"/tracing/people/{stay.person_id}/"
        in client.get(f"/cases/stays/{stay.pk}/").content.decode()
    )
    url = f"/tracing/people/{stay.person_id}/"
    assert client.post(url, {"status": "requested", "lab": "苏州"}).status_code == 302
    assert FoundDna.objects.get(person=stay.person).status == "requested"
    client.post(url, {"status": "entered", "profile": PROFILE_TEXT})
    dna = FoundDna.objects.get(person=stay.person)
    assert dna.status == "entered" and dna.profile["TH01"] == ["9.3"] and dna.lab == "苏州"
    assert "D21S11: 29,30" in client.get(url).content.decode()


@pytest.fixture
def notice(suzhou, desk):
    stay = admit(
        suzhou,
        desk,
        name="小强",
        id_number="",
        age_estimate_min=30,
        age_estimate_max=40,
        health_on_arrival="乙肝携带",
        guardian_phone="13812345678",
    )
    stay.admitted_at = timezone.now() - timedelta(days=2)
    stay.save()
    notices_sync()
    return Notice.objects.get()


def test_the_public_notice_api_returns_public_fields_only(client, notice):
    listing = client.get("/api/tracing/notices")
    one = client.get(f"/api/tracing/notices/{notice.public_id}")
    assert listing.status_code == 200 and one.status_code == 200
    for body in (json.dumps(r.json(), ensure_ascii=False) for r in (listing, one)):
        assert "小强" in body
        for secret in ("乙肝", "13812345678", notice.stay.number, "birth", "health", "dna"):
            assert secret not in body
    assert set(json.loads(one.content)) == {
        "public_id", "published_at", "refreshed_at", "sex", "age_low", "age_high", "height_cm",
        "found_on", "found_division", "found_division_name", "found_place", "dialect_division",
        "marks", "name_said", "has_photo", "station_name", "station_phone",
    }  # fmt: skip
    assert client.get("/api/tracing/reports").status_code == 401  # staff only


def test_staff_file_list_and_get_reports_and_see_the_queue_by_api(client, tracer, hangzhou_head):
    client.force_login(tracer)
    payload = {
        "name": "王五",
        "sex": "M",
        "contact_name": "王六",
        "contact_relation": "儿子",
        "contact_phone": "13900000009",
        "home_division": "410102",
    }
    created = client.post("/api/tracing/reports", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    report_id = created.json()["id"]
    assert MissingReport.objects.get(pk=report_id).status == "verified"
    assert [r["id"] for r in client.get("/api/tracing/reports").json()] == [report_id]
    assert client.get(f"/api/tracing/reports/{report_id}").json()["contact_phone"] == "13900000009"
    assert "contact_phone" not in client.get("/api/tracing/reports").json()[0]
    assert client.get("/api/tracing/queue").json() == []
    bad = client.post(
        "/api/tracing/reports", payload | {"contact_phone": "1"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "contact_phone" in bad.json()["errors"]
    client.force_login(hangzhou_head)  # another province: out of scope
    assert client.get(f"/api/tracing/reports/{report_id}").status_code == 404
    assert client.get("/api/tracing/reports").json() == []


def test_the_poster_is_an_a4_page_with_a_qr_code_to_the_notice(client, notice, settings):
    settings.PUBLIC_URL = "https://homeward.test"
    page = client.get(f"/p/notices/{notice.public_id}/poster/").content.decode()
    assert "size: A4" in page and "@media print" in page
    assert "<svg" in page and 'class="segno"' in page
    assert f"https://homeward.test/p/notices/{notice.public_id}/" in page
    assert "小强" in page and "乙肝" not in page and "13812345678" not in page
    poster = f"/p/notices/{notice.public_id}/poster/"
    assert poster in client.get(f"/p/notices/{notice.public_id}/").content.decode()


def test_the_queue_pages_counts_filters_and_speaks_in_words(client, suzhou, desk, tracer):
    from datetime import timedelta

    from django.utils import timezone

    from homeward.tracing.models import Candidate
    from tests.cases.conftest import admit
    from tests.tracing.conftest import staff_report

    report = staff_report(tracer)
    for n in range(55):
        stay = admit(suzhou, desk, name=f"人{n}")
        Candidate.objects.create(
            person=stay.person,
            report=report,
            station=suzhou,
            posterior=0.97 if n == 0 else 0.3,
            log10_total=2,
            log10_face=2.5 if n == 0 else None,
            log10_attributes=0.5,
        )
    Candidate.objects.filter(person__name="人1").update(
        created_at=timezone.now() - timedelta(days=20)
    )
    client.force_login(tracer)
    page = client.get("/tracing/").content.decode()
    assert 'data-count="queue">55<' in page and 'id="next-page"' in page
    assert page.count('href="/tracing/candidates/') == 50
    assert "−1.0" not in page and "30.000" not in page
    assert "20–50%" in page and 'data-old="1"' in page
    second = client.get("/tracing/", {"tab": "queue", "page": "2"}).content.decode()
    assert second.count('href="/tracing/candidates/') == 5
    faces = client.get("/tracing/", {"tab": "queue", "evidence": "face"}).content.decode()
    assert faces.count('href="/tracing/candidates/') == 1 and "95–99%" in faces
    old = client.get("/tracing/", {"tab": "queue", "old": "on"}).content.decode()
    assert old.count('href="/tracing/candidates/') == 1
    empty = client.get("/tracing/", {"tab": "exclusions"}).content.decode()
    assert "没有已排除的配对" in empty


def test_the_queue_groups_by_person_filters_by_station_and_rejects_in_bulk_with_a_reason(
    client, suzhou, kunshan, desk, tracer, jiangsu_admin
):
    import re

    from homeward.accounts.models import AuditEvent, Role
    from homeward.tracing.models import Candidate
    from tests.cases.conftest import admit
    from tests.conftest import make_user
    from tests.tracing.conftest import staff_report

    reports = [
        staff_report(tracer, name=f"报告{n}", contact_phone=f"1390000010{n}") for n in range(3)
    ]
    one = admit(suzhou, desk, name="甲").person
    two = admit(suzhou, desk, name="乙").person
    far = admit(kunshan, make_user("ks.desk", Role.INTAKE, station=kunshan), name="丙").person
    for person, report, p in [
        (one, reports[0], 0.4),
        (two, reports[0], 0.9),
        (one, reports[1], 0.3),
        (two, reports[2], 0.2),
    ]:
        Candidate.objects.create(
            person=person, report=report, station=suzhou, posterior=p, log10_total=1
        )
    Candidate.objects.create(
        person=far, report=reports[1], station=kunshan, posterior=0.5, log10_total=1
    )

    client.force_login(tracer)
    grouped = client.get("/tracing/", {"tab": "queue", "group": "on"}).content.decode()
    order = [int(n) for n in re.findall(r'data-candidate="(\d+)"', grouped)]
    people = [Candidate.objects.get(pk=n).person_id for n in order]
    assert people == [two.pk, two.pk, one.pk, one.pk]  # the strongest person first
    assert re.findall(r'data-group="(\d+)"', grouped) == [str(two.pk), str(one.pk)]
    assert 'name="station"' not in grouped  # one station: no station filter

    # Two ticked, no reason chosen: the error names the field and nothing is rejected.
    chosen = [c.pk for c in Candidate.objects.filter(person=one)]
    page = client.post(
        "/tracing/?tab=queue", {"chosen": [str(n) for n in chosen] + ["x1"], "bulk-kind": ""}
    ).content.decode()
    assert 'data-error-for="kind"' in page and not Candidate.objects.filter(status="rejected")
    assert all(f'value="{n}" form="bulk-reject"' in page for n in chosen)
    assert page.count(" checked>") == 2  # still ticked
    # Nothing ticked.
    page = client.post("/tracing/?tab=queue", {"bulk-kind": "face"}).content.decode()
    assert 'data-error-for="chosen"' in page
    # Done: both rejected with the reason, each on the audit trail, the queue shorter.
    response = client.post(
        "/tracing/?tab=queue",
        {"chosen": [str(n) for n in chosen], "bulk-kind": "sex_age", "bulk-reason": "年龄差30岁"},
    )
    assert response.status_code == 302
    rejected = Candidate.objects.filter(status="rejected")
    assert sorted(rejected.values_list("pk", flat=True)) == sorted(chosen)
    assert set(rejected.values_list("reject_kind", "reject_reason")) == {("sex_age", "年龄差30岁")}
    audited = AuditEvent.objects.filter(object_type="tracing.candidate", action="update")
    assert audited.count() >= 2
    exclusions = client.get("/tracing/", {"tab": "exclusions"}).content.decode()
    assert exclusions.count("性别或年龄不符") == 2

    # Another station's candidate cannot be rejected from here.
    theirs = Candidate.objects.get(station=kunshan)
    client.post("/tracing/?tab=queue", {"chosen": [str(theirs.pk)], "bulk-kind": "face"})
    theirs.refresh_from_db()
    assert theirs.status == "open"

    # A province administrator sees both stations' queues and filters by station.
    client.force_login(jiangsu_admin)
    page = client.get("/tracing/", {"tab": "queue"}).content.decode()
    assert 'name="station"' in page and page.count("data-candidate=") == 3
    only = client.get("/tracing/", {"tab": "queue", "station": str(kunshan.pk)}).content.decode()
    assert re.findall(r'data-candidate="(\d+)"', only) == [str(theirs.pk)]


def test_an_inquiry_has_a_due_day_the_home_page_counts_those_due_and_the_officer_closes_it(
    client, suzhou, desk, tracer
):
    from datetime import timedelta

    from django.utils import timezone

    from homeward.tracing.models import Candidate, InquiryTask
    from tests.cases.conftest import admit
    from tests.tracing.conftest import staff_report

    stay = admit(suzhou, desk, name="甲")
    candidate = Candidate.objects.create(
        person=stay.person, report=staff_report(tracer), station=suzhou, posterior=0.5,
        log10_total=1,
    )  # fmt: skip
    client.force_login(tracer)
    url = f"/tracing/candidates/{candidate.pk}/"
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    page = client.post(
        url, {"action": "inquire", "inquire-kind": "phone_family", "inquire-due_on": yesterday}
    ).content.decode()
    assert 'data-error-for="due_on"' in page and not InquiryTask.objects.exists()
    client.post(
        url, {"action": "inquire", "inquire-kind": "phone_family", "inquire-note": "问家属"}
    )
    task = InquiryTask.objects.get()
    assert task.due_on == timezone.localdate() + timedelta(days=2)  # the usual two days
    home = client.get("/").content.decode()
    assert ">0<" in home.split('data-work="inquiries"')[1].split("</a>")[0]
    InquiryTask.objects.update(due_on=timezone.localdate())  # two days on
    home = client.get("/").content.decode()
    item = home.split('data-work="inquiries"')[1].split("</a>")[0]
    assert ">1<" in item and "due=on" in home
    due = client.get("/tracing/", {"tab": "queue", "due": "on"}).content.decode()
    assert f'data-candidate="{candidate.pk}"' in due
    page = client.get(url).content.decode()
    assert 'data-due="1"' in page
    page = client.post(
        url, {"action": "done", "done-task": str(task.pk), "done-result": ""}
    ).content.decode()
    assert 'data-error-for="result"' in page
    client.post(
        url, {"action": "done", "done-task": str(task.pk), "done-result": "家属说走失时穿蓝衣"}
    )
    task.refresh_from_db()
    assert task.done_at is not None and task.result == "家属说走失时穿蓝衣"
    assert "家属说走失时穿蓝衣" in client.get(url).content.decode()
    due = client.get("/tracing/", {"tab": "queue", "due": "on"}).content.decode()
    assert "data-candidate=" not in due
