"""Region fields take names: a saved division shows as its full name with its code, and
saving the form again keeps it (never a bare code to decipher, never lost on a second save)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.regions.forms import DivisionField
from homeward.regions.models import Division
from tests.cases.conftest import admit
from tests.conftest import ensure_divisions


@pytest.fixture
def field(db):
    ensure_divisions()
    return DivisionField(required=False)


def test_a_division_reads_as_its_name_and_comes_back_the_same(field):
    gusu = Division.objects.get(code="320508")
    shown = field.prepare_value(gusu)
    assert shown == "江苏省苏州市姑苏区（320508）"
    assert field.clean(shown) == gusu
    assert field.clean("江苏省苏州市姑苏区(320508)") == gusu  # half-width brackets
    assert field.clean("320508") == gusu
    assert field.clean("姑苏区") == gusu
    assert field.clean("") is None
    with pytest.raises(ValidationError) as refused:
        field.clean("火星市")
    assert "火星市" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        field.clean("姑苏\x00区")  # refused before it reaches the database


@pytest.mark.django_db
def test_any_text_is_a_division_or_an_error_that_says_so():
    ensure_divisions()
    field = DivisionField(required=False)

    @settings(max_examples=60, deadline=None)
    @given(st.text(max_size=40) | st.from_regex(r"[一-龥]{0,6}[（(]\d{0,7}[）)]?", fullmatch=True))
    def check(text):
        _one(field, text)

    check()


def _one(field, text):
    try:
        value = field.clean(text)
    except ValidationError:
        return
    assert value is None or isinstance(value, Division)


def test_the_correction_form_shows_names_and_a_second_save_keeps_them(client, suzhou):
    from homeward.accounts.models import Role
    from tests.conftest import make_user

    desk = make_user("sz.desk", Role.INTAKE, station=suzhou)
    stay = admit(suzhou, desk, home_division=Division.objects.get(code="410102"))
    client.force_login(desk)
    url = f"/cases/people/{stay.person_id}/edit/"
    page = client.get(url).content.decode()
    assert 'value="河南省郑州市中原区（410102）"' in page and "data-divisions=" in page
    assert 'list="id_home_division-options"' in page
    form = {
        "name": "张三",
        "name_source": "said",
        "sex": "M",
        "age_estimate_min": "40",
        "age_estimate_max": "50",
        "home_division": "河南省郑州市中原区（410102）",
        "dialect_division": "姑苏区",
    }
    assert client.post(url, form).status_code == 302
    stay.person.refresh_from_db()
    assert stay.person.home_division_id == "410102"
    assert stay.person.dialect_division_id == "320508"
