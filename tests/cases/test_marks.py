"""Body marks are picked by body part and kind, each with what it looks like: kept as the
exchange format's codes for matching and as notes for people, shown in words, and kept as
they are when the record is saved again."""

from __future__ import annotations

from homeward.cases.models import Person
from tests.cases.conftest import admit

FIELDS = {"brought_by": "police", "name": "王芳", "name_source": "said", "sex": "F"}


def _rows(*rows):
    return {
        "marks_place": [r[0] for r in rows],
        "marks_kind": [r[1] for r in rows],
        "marks_detail": [r[2] for r in rows],
    }


def test_intake_keeps_each_mark_with_what_it_looks_like(client, suzhou, desk):
    client.force_login(desk)
    marks = _rows(("left_arm", "tattoo", "龙形"), ("face", "scar", ""), ("", "", ""))
    assert client.post("/cases/intake/", {**FIELDS, **marks}).status_code == 302
    person = Person.objects.get()
    assert person.marks == ["scar:face", "tattoo:left_arm"]
    assert person.mark_notes == {"tattoo:left_arm": "龙形"}
    page = client.get(f"/cases/people/{person.pk}/").content.decode()
    assert "左臂 纹身（龙形）" in page and "面部 疤痕" in page


def test_a_mark_without_where_or_what_is_refused_by_row_and_nothing_is_saved(client, suzhou, desk):
    client.force_login(desk)
    marks = _rows(("left_arm", "tattoo", "龙形"), ("", "scar", "很长"), ("back", "", ""))
    page = client.post("/cases/intake/", {**FIELDS, **marks}).content.decode()
    assert 'data-error-for="marks"' in page and "第 2, 3 行" in page
    assert not Person.objects.exists()
    assert 'value="龙形"' in page and 'value="很长"' in page  # what was typed is kept
    nul = _rows(("left_arm", "tattoo", "龙\x00形"))
    page = client.post("/cases/intake/", {**FIELDS, **nul}).content.decode()
    assert 'data-error-for="marks"' in page and not Person.objects.exists()


def test_the_correction_form_shows_the_marks_and_a_second_save_keeps_them(client, suzhou, desk):
    stay = admit(suzhou, desk, marks=["tattoo:left_arm"], mark_notes={"tattoo:left_arm": "龙形"})
    client.force_login(desk)
    url = f"/cases/people/{stay.person_id}/edit/"
    page = client.get(url).content.decode()
    assert '<option value="left_arm" selected>' in page and 'value="龙形"' in page
    form = {
        "name": "张三",
        "name_source": "said",
        "sex": "M",
        "age_estimate_min": "40",
        "age_estimate_max": "50",
        **_rows(("left_arm", "tattoo", "龙形"), ("right_hand", "missing_finger", "小指")),
    }
    assert client.post(url, form).status_code == 302
    stay.person.refresh_from_db()
    assert stay.person.marks == ["missing_finger:right_hand", "tattoo:left_arm"]
    assert stay.person.mark_notes == {
        "missing_finger:right_hand": "小指",
        "tattoo:left_arm": "龙形",
    }
    form.pop("marks_place"), form.pop("marks_kind"), form.pop("marks_detail")
    client.post(url, {**form, **_rows(("", "", ""))})  # every mark taken off
    stay.person.refresh_from_db()
    assert stay.person.marks == [] and stay.person.mark_notes == {}


def test_a_care_notes_facts_go_into_the_record_and_the_change_cites_the_note(
    client, suzhou, desk, django_capture_on_commit_callbacks
):
    from homeward.accounts.models import Role
    from homeward.cases.services import care_record
    from tests.conftest import make_user

    stay = admit(suzhou, desk, name="")
    note = care_record(
        stay=stay, kind="interview", text="说自己是郑州中原区人，小名叫小强", by=desk
    )
    secret = care_record(stay=stay, kind="psychological", text="抑郁情绪", by=desk)
    client.force_login(desk)
    page = client.get(f"/cases/stays/{stay.pk}/").content.decode()
    assert f'?from_note={note.pk}"' in page
    url = f"/cases/people/{stay.person_id}/edit/"
    edit = client.get(url, {"from_note": note.pk}).content.decode()
    assert 'id="from-note"' in edit and "小名叫小强" in edit
    form = {
        "name": "",
        "name_source": "unknown",
        "aliases": "小强",
        "sex": "M",
        "age_estimate_min": "40",
        "age_estimate_max": "50",
        "home_division": "中原区",
        "from_note": str(note.pk),
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, form).status_code == 302
    stay.person.refresh_from_db()
    assert stay.person.aliases == ["小强"] and stay.person.home_division_id == "410102"
    person_page = client.get(f"/cases/people/{stay.person_id}/").content.decode()
    changes = person_page.split('id="changes"')[1].split("</ul>")[0]
    assert "照料记录" in changes and note.at.strftime("%Y-%m-%d") in changes

    # A tracing officer may correct the record but not read health notes: no such note shown.
    tracer = make_user("sz.tracer", Role.TRACING_OFFICER, station=suzhou)
    client.force_login(tracer)
    assert "抑郁情绪" not in client.get(url, {"from_note": secret.pk}).content.decode()
    assert "抑郁情绪" not in client.get(url, {"from_note": "x<"}).content.decode()
