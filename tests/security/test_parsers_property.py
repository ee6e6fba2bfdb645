"""Every parser of outside input meets hypothesis: whatever it is given, it answers with a
value or its own refusal (which the form or API turns into a 4xx), never another error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeward.cases.idcard import IdNumberError, parse_id_number
from homeward.common.images import ImageRefused, clean_image
from homeward.common.text import ascii_int, bad_strings, half_width, text_problem
from homeward.matching.hwx import RecordError

# JSON-like values: what a partner's body or an HWX line can hold.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
db_settings = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@given(st.text(max_size=30))
def test_an_id_number_is_read_or_refused(text):
    try:
        parsed = parse_id_number(text)
    except IdNumberError:
        return
    assert len(parsed.number) == 18 and parsed.number[:17].isascii()


@given(st.text(alphabet="0123456789０１２３４５６７８９²³X ", max_size=20))
def test_ascii_int_reads_only_ascii_or_full_width_digits(text):
    value = ascii_int(text)
    if value is not None:
        assert value == int(half_width(text).strip())
        assert "²" not in text and "³" not in text


@given(json_values)
def test_bad_strings_finds_every_unkeepable_string(value):
    found = bad_strings(value)
    for messages in found.values():
        assert messages and all(messages)


@given(st.text())
def test_text_problem_is_none_exactly_for_storable_text(text):
    storable = "\x00" not in text and not any(0xD800 <= ord(c) <= 0xDFFF for c in text)
    assert (text_problem(text) is None) == storable


@given(st.binary(max_size=2000))
@settings(max_examples=200, deadline=None)
def test_any_bytes_are_a_clean_jpeg_or_refused(data):
    try:
        clean = clean_image(data)
    except ImageRefused as refused:
        assert refused.message
    else:
        assert clean.data.startswith(b"\xff\xd8")


@pytest.mark.django_db
@db_settings
@given(record=st.dictionaries(st.text(max_size=20), json_values, max_size=8), kind=st.booleans())
def test_an_hwx_found_record_is_read_or_refused_naming_a_field(record, kind):
    from homeward.cases.hwx import intake_from_found

    if kind:
        record = {**record, "kind": "found", "id": "x"}
    try:
        intake_from_found(record)
    except RecordError as bad:
        assert bad.field and bad.message


@pytest.mark.django_db
@db_settings
@given(record=st.dictionaries(st.text(max_size=20), json_values, max_size=8))
def test_an_hwx_missing_record_is_read_or_refused_naming_a_field(record):
    from homeward.tracing.hwx import report_from_missing

    try:
        report_from_missing({**record, "kind": "missing", "id": "x"}, contact="站", phone="1")
    except RecordError as bad:
        assert bad.field and bad.message


@pytest.mark.django_db
@db_settings
@given(body=st.dictionaries(st.text(max_size=12), json_values, max_size=8) | json_values)
def test_a_partner_body_is_read_or_refused_naming_a_field(body, suzhou):
    from homeward.dispatch.models import Partner
    from homeward.dispatch.services.webhooks import WebhookError, _report

    partner = Partner(name="p", code="p", kind="police_110", key="k" * 32, station=suzhou)
    try:
        _report(partner, body)
    except WebhookError as refused:
        assert refused.status == 400 and refused.errors


@pytest.mark.django_db
@db_settings
@given(
    values=st.fixed_dictionaries(
        {},
        optional={
            name: st.text(max_size=40)
            for name in (
                "brought_by",
                "name",
                "name_source",
                "sex",
                "id_number",
                "birth_date",
                "age_estimate_min",
                "age_estimate_max",
                "height_cm",
                "found_at",
                "found_division",
                "belongings",
                "found_latitude",
            )
        }
        | {
            # The marks picker's rows, as lists the browser sends.
            f"marks_{part}": st.lists(st.text(max_size=12) | st.sampled_from(codes), max_size=4)
            for part, codes in (
                ("place", ["left_arm", "face", ""]),
                ("kind", ["tattoo", "scar", ""]),
                ("detail", ["龙形"]),
            )
        },
    )
)
def test_the_intake_form_validates_anything_typed(values, suzhou):
    from homeward.cases.forms import IntakeForm

    form = IntakeForm(values)
    if form.is_valid():
        form.intake_data()


@pytest.mark.django_db
@db_settings
@given(
    start=st.none() | st.dates(),
    end=st.none() | st.dates(),
    year=st.none() | st.integers(min_value=-(10**6), max_value=10**6),
)
def test_a_report_period_is_read_or_refused(start, end, year):
    from django.core.exceptions import ValidationError

    from homeward.reports.scope import period_parse

    try:
        period = period_parse(start=start, end=end, year=year)
    except ValidationError as refused:
        assert refused.message_dict
    else:
        assert period.start < period.end


phones = st.text(alphabet="0123456789 -+()８６", max_size=24) | st.text(max_size=24)


@given(phones)
def test_a_mobile_number_is_read_or_refused_and_reads_the_same_twice(text):
    from django.core.exceptions import ValidationError

    from homeward.accounts.phones import normalise_phone

    try:
        digits = normalise_phone(text)
    except ValidationError as refused:
        assert "phone" in refused.message_dict
        return
    assert digits.isascii() and digits.isdigit() and 7 <= len(digits) <= 15
    assert normalise_phone(digits) == digits
    if len(digits) == 11:  # a mainland mobile: the same account with its country code
        assert normalise_phone("+86 " + digits) == normalise_phone("0086" + digits) == digits


@pytest.mark.django_db
@db_settings
@given(
    text=st.text(max_size=40)
    | st.lists(
        st.sampled_from(["姑苏区", "苏州市", "鼓楼区", "江苏 苏州", "（320508）", "火星"])
    ).map("、".join)
)
def test_a_warnings_areas_are_read_or_refused_naming_the_field(text, suzhou):
    from homeward.campaigns.forms import WarningForm

    form = WarningForm({"hazard": "heat", "level": "red", "divisions": text})
    form.is_valid()  # never raises
    if "divisions" in form.cleaned_data:
        assert form.cleaned_data["divisions"]  # at least one area, each a Division
    else:
        assert form.errors["divisions"]


@pytest.mark.django_db
@db_settings
@given(username=st.text(max_size=30), password=st.text(max_size=30))
def test_the_sign_in_form_reads_any_user_name_and_password(username, password, suzhou):
    from django.test import RequestFactory

    from homeward.accounts.forms import SignInForm

    request = RequestFactory().post("/login/")
    form = SignInForm(request, data={"username": username, "password": password})
    assert form.is_valid() is False or form.get_user() is not None


place_names = st.sampled_from(
    ["江苏", "江苏省", "苏州", "苏州市", "姑苏区", "鼓楼区", "北京市", "朝阳区"]
)


@given(st.lists(place_names | st.text(max_size=6), max_size=5).map("".join) | st.text(max_size=40))
def test_an_address_is_placed_inside_what_it_names_or_not_at_all(text):
    from homeward.regions.addresses import parse

    parsed = parse(text)
    assert text.strip().endswith(parsed.rest) or parsed.rest == text.strip()
    if parsed.place is None:
        assert parsed.path == ()
    else:
        assert parsed.path[-1] == parsed.place
        for outer, inner in zip(parsed.path, parsed.path[1:], strict=False):
            assert inner.inside(outer)
