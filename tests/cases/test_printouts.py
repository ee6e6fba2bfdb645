"""The papers a station prints: the registration form at intake and the hand-over sheet at
a hand-over, in Chinese, with the person's photo and what they brought; health and a minor's
guardian only for those who may read them; a read of the record like the stay page."""

from __future__ import annotations

import io

from pypdf import PdfReader

from homeward.accounts.models import AuditEvent, Role
from homeward.cases.services import ExitData, IntakeData, intake_admit, stay_exit
from tests.conftest import make_user
from tests.tracing.conftest import face_file


def _text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "".join(page.extract_text() for page in reader.pages), reader


def _stay(suzhou, desk, **fields):
    data = {
        "brought_by": "police",
        "name": "周建国",
        "name_source": "said",
        "sex": "M",
        "age_estimate_min": 50,
        "age_estimate_max": 60,
        "health_on_arrival": "脚部冻伤",
        "marks": ["tattoo:left_arm"],
        "mark_notes": {"tattoo:left_arm": "龙形"},
        "belongings": [("手机", 1), ("身份证复印件", 2)],
    }
    data.update(fields)
    return intake_admit(
        station=suzhou, data=IntakeData(**data), by=desk, photo=face_file("obama.jpg")
    )


def test_the_registration_form_prints_the_record_with_its_photo(client, suzhou, desk):
    stay = _stay(suzhou, desk)
    client.force_login(desk)
    page = client.get(f"/cases/stays/{stay.pk}/").content.decode()
    assert f"/cases/stays/{stay.pk}/registration.pdf" in page and "handover.pdf" not in page
    text, reader = _text(client.get(f"/cases/stays/{stay.pk}/registration.pdf"))
    for shown in ("苏州测试站", "救助登记表", stay.number, "周建国", "左臂 纹身（龙形）", "手机"):
        assert shown in text, shown
    assert "脚部冻伤" in text  # the desk reads health
    assert any(page.images for page in reader.pages)  # the photo
    views = AuditEvent.objects.filter(object_type="cases.stay", object_id=str(stay.pk))
    assert views.filter(action="view").exists()


def test_health_and_a_minors_guardian_only_for_those_who_may_read_them(
    client, suzhou, hangzhou, desk
):
    child = _stay(
        suzhou,
        desk,
        age_estimate_min=10,
        age_estimate_max=12,
        guardian_name="李秀英",
        guardian_relation="祖母",
    )
    client.force_login(desk)
    text, _ = _text(client.get(f"/cases/stays/{child.pk}/registration.pdf"))
    assert "李秀英" in text
    tracer = make_user("sz.tracer", Role.TRACING_OFFICER, station=suzhou)  # no health
    client.force_login(tracer)
    text, _ = _text(client.get(f"/cases/stays/{child.pk}/registration.pdf"))
    assert "脚部冻伤" not in text and "李秀英" in text
    client.force_login(make_user("hz.desk", Role.INTAKE, station=hangzhou))
    assert client.get(f"/cases/stays/{child.pk}/registration.pdf").status_code in (403, 404)


def test_the_hand_over_sheet_names_who_received_the_person(client, suzhou, desk):
    stay = _stay(suzhou, desk)
    client.force_login(desk)
    assert client.get(f"/cases/stays/{stay.pk}/handover.pdf").status_code == 404  # still here
    stay_exit(
        stay=stay,
        data=ExitData(
            kind="handed_to_family",
            collector_name="周丽",
            collector_relation="女儿",
            collector_id_number="320508198503121234",
            identity_checked=True,
        ),
        by=desk,
    )
    page = client.get(f"/cases/stays/{stay.pk}/").content.decode()
    assert f"/cases/stays/{stay.pk}/handover.pdf" in page
    text, _ = _text(client.get(f"/cases/stays/{stay.pk}/handover.pdf"))
    for shown in ("交接单", "周建国", "周丽", "女儿", "320508198503121234", "手机"):
        assert shown in text, shown
