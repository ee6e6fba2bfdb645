"""Correcting a person's record after intake: the desk fixes what it learns later, every
change is kept with its before and after, and the automatic search runs again."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from homeward.accounts.models import Role
from homeward.cases.models import Stay
from homeward.cases.services import PersonCorrection, person_correct
from homeward.regions.models import Division
from homeward.tracing.models import Candidate
from tests.conftest import make_user
from tests.tracing.conftest import staff_report
from tests.tracing.test_search_and_review import intake


def _unnamed(suzhou, desk, capture):
    return intake(suzhou, desk, capture, name="", name_source="unknown", sex="U",
                  age_estimate_min=None, age_estimate_max=None)  # fmt: skip


def test_a_correction_is_kept_and_searches_again(
    client, suzhou, desk, tracer, django_capture_on_commit_callbacks
):
    report = staff_report(tracer)  # 李明, born 1960, from 410102
    stay = _unnamed(suzhou, desk, django_capture_on_commit_callbacks)
    before = Candidate.objects.filter(report=report).first()
    before = before.posterior if before else 0.0
    client.force_login(desk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/cases/people/{stay.person_id}/edit/",
            {
                "name": "李明",
                "name_source": "said",
                "aliases": "李小明，明子",
                "sex": "M",
                "age_estimate_min": "60",
                "age_estimate_max": "66",
                "home_division": "410102",
                "height_cm": "170",
            },
        )
    assert response.status_code == 302
    person = stay.person
    person.refresh_from_db()
    assert (person.name, person.aliases, person.height_cm) == ("李明", ["明子", "李小明"], 170)
    assert Stay.objects.get(pk=stay.pk).person_sex == "M"  # the figures follow
    after = Candidate.objects.get(person=person, report=report)
    assert after.posterior > before  # searched again, with the name, sex and age it now has
    page = client.get(f"/cases/people/{person.pk}/").content.decode()
    assert 'id="changes"' in page and "sz.desk" in page and "李明" in page
    assert f"#{person.pk} #{person.pk}" not in page


def test_a_bad_id_number_names_the_field_and_changes_nothing(suzhou, desk, capture_none):
    stay = capture_none(suzhou, desk)
    with pytest.raises(ValidationError) as err:
        person_correct(
            person=stay.person,
            data=PersonCorrection(name="王五", id_number="320508198503121235", sex="F"),
            by=desk,
        )
    assert {"id_number"} <= set(err.value.message_dict)
    stay.person.refresh_from_db()
    assert stay.person.name == ""


def test_only_the_persons_station_corrects_the_record(suzhou, hangzhou, desk, capture_none):
    stay = capture_none(suzhou, desk)
    other = make_user("hz.desk", Role.INTAKE, station=hangzhou)
    with pytest.raises(PermissionDenied):
        person_correct(person=stay.person, data=PersonCorrection(name="王五"), by=other)


def test_the_form_shows_what_the_record_holds(client, suzhou, desk, capture_none):
    stay = capture_none(suzhou, desk)
    person = stay.person
    person.home_division = Division.objects.get(code="410102")
    person.height_cm = 172
    person.save()
    client.force_login(desk)
    page = client.get(f"/cases/people/{person.pk}/edit/").content.decode()
    assert 'value="河南省郑州市中原区（410102）"' in page and 'value="172"' in page


@pytest.fixture
def capture_none(django_capture_on_commit_callbacks):
    def make(station, by):
        return _unnamed(station, by, django_capture_on_commit_callbacks)

    return make
