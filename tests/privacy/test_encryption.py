"""ID numbers, DNA profiles and families' phone numbers are encrypted at rest: the database
holds only ciphertext, the app reads the values, exact lookups go through a keyed hash,
a value looked up the wrong way is refused loudly, and a key rotates by command."""

from __future__ import annotations

import base64
import os

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from homeward.cases.models import Person
from homeward.cases.selectors import earlier_records
from homeward.common import crypto
from homeward.tracing.models import MissingReport, Relative
from homeward.tracing.services.reports import duplicate_reports
from tests.cases.conftest import admit
from tests.tracing.conftest import PROFILE, report_data, staff_report

ID_NUMBER = "110105197001010011"


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.fixture
def records(suzhou, desk, tracer):
    stay = admit(suzhou, desk, id_number=ID_NUMBER, age_estimate_min=50, age_estimate_max=60)
    report = staff_report(tracer, contact_phone="139 1234 5678", relatives=[("mother", "王芳")])
    relative = report.relatives.get()
    relative.profile, relative.dna_status, relative.consent = PROFILE, "entered", "search"
    relative.save()
    return stay.person, report, relative


def test_the_database_holds_only_ciphertext_and_the_app_reads_the_values(records):
    person, report, relative = records
    for table, column, pk, plain in [
        ("cases_person", "id_number", person.pk, ID_NUMBER),
        ("tracing_missingreport", "contact_phone", report.pk, "139 1234 5678"),
        ("tracing_relative", "profile", relative.pk, "D8S1179"),
    ]:
        stored = _raw(table, column, pk)
        assert stored.startswith(f"hw1:{crypto.current_key_id()}:") and plain not in stored
    assert Person.objects.get(pk=person.pk).id_number == ID_NUMBER
    assert MissingReport.objects.get(pk=report.pk).contact_phone == "139 1234 5678"
    assert Relative.objects.get(pk=relative.pk).profile == PROFILE
    assert Relative.objects.filter(profile__isnull=False).count() == 1


def test_exact_lookups_go_through_the_keyed_hash_and_the_wrong_way_is_refused(records):
    person, report, _relative = records
    found = earlier_records(id_number=f" {ID_NUMBER.lower()} ")
    assert [r.person.pk for r in found] == [person.pk]
    # The same family phone written another way is the same phone.
    same_phone = report_data(name="别人", contact_phone="+86 139-1234-5678")
    assert report in duplicate_reports(same_phone)
    assert person.id_number_digest == crypto.keyed_hash(ID_NUMBER)
    assert ID_NUMBER not in person.id_number_digest
    with pytest.raises(FieldError):
        list(Person.objects.filter(id_number=ID_NUMBER))
    with pytest.raises(FieldError):
        list(MissingReport.objects.filter(contact_phone__contains="1234"))


def test_a_key_rotates_by_command_and_an_old_key_can_then_go(records, settings, capsys):
    person, report, relative = records
    old = list(settings.FIELD_KEYS)
    settings.FIELD_KEYS = [("k9", os.urandom(32)), *old]
    call_command("rotate_keys", "--check")
    assert f"keys in use: {old[0][0]}" in capsys.readouterr().out
    call_command("rotate_keys")
    assert "re-encrypted 3 values under k9" in capsys.readouterr().out
    assert _raw("cases_person", "id_number", person.pk).startswith("hw1:k9:")
    call_command("rotate_keys")
    assert "re-encrypted 0 values" in capsys.readouterr().out
    call_command("rotate_keys", "--check")
    assert f"no value is under {old[0][0]}" in capsys.readouterr().out

    settings.FIELD_KEYS = settings.FIELD_KEYS[:1]  # the old key removed: all still reads
    assert Person.objects.get(pk=person.pk).id_number == ID_NUMBER
    assert Relative.objects.get(pk=relative.pk).profile == PROFILE
    settings.FIELD_KEYS = old  # the new key lost: refused, never read as garbage
    with pytest.raises(crypto.FieldKeyMissing):
        Person.objects.get(pk=person.pk)


@hsettings(max_examples=60, deadline=None)
@given(text=st.text(min_size=1, max_size=200))
def test_any_text_comes_back_and_a_changed_token_is_refused(text):
    token = crypto.encrypt(text)
    assert crypto.decrypt(token) == text
    assert crypto.encrypt(text) != token  # a fresh nonce each time: equal values look unequal
    prefix, key_id, body = token.split(":", 2)
    raw = bytearray(base64.b64decode(body))
    raw[-1] ^= 1
    with pytest.raises(crypto.FieldKeyMissing):
        crypto.decrypt(f"{prefix}:{key_id}:{base64.b64encode(bytes(raw)).decode()}")
    assert crypto.decrypt(text.replace("hw1:", "")) == text.replace("hw1:", "")  # a plain value


def test_a_token_moved_into_another_column_does_not_open(records):
    person, report, _relative = records
    token = _raw("cases_person", "id_number", person.pk)
    MissingReport.objects.filter(pk=report.pk).update(contact_phone_digest="")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tracing_missingreport SET contact_phone = %s WHERE id = %s", [token, report.pk]
        )
    with pytest.raises(crypto.FieldKeyMissing):
        MissingReport.objects.get(pk=report.pk)


def test_new_keys_wait_for_a_restart_and_bad_key_settings_stop_the_start(
    settings, tmp_path, monkeypatch, capsys
):
    import json

    from django.core.exceptions import ImproperlyConfigured

    from homeward import settings as homeward_settings

    key = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("FIELD_KEYS", f"k1:{key}")
    monkeypatch.delenv("FIELD_HASH_KEY")
    with pytest.raises(ImproperlyConfigured, match="together"):
        homeward_settings._field_keys()
    monkeypatch.setenv("FIELD_HASH_KEY", key)
    monkeypatch.setenv("FIELD_KEYS", f"k1:{key},k1:{key}")
    with pytest.raises(ImproperlyConfigured, match="once each"):
        homeward_settings._field_keys()
    monkeypatch.setenv("FIELD_KEYS", f"k1:{base64.b64encode(b'short').decode()}")
    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        homeward_settings._field_keys()

    # `rotate_keys --new` adds a key in front of the file and re-encrypts nothing yet.
    monkeypatch.delenv("FIELD_KEYS")
    monkeypatch.delenv("FIELD_HASH_KEY")
    settings.VAR_DIR = tmp_path
    (tmp_path / "field_keys.json").write_text(json.dumps({"keys": [["k1", key]], "hash": key}))
    call_command("rotate_keys", "--new")
    assert "restart the app" in capsys.readouterr().out
    stored = json.loads((tmp_path / "field_keys.json").read_text())
    assert [k for k, _ in stored["keys"]][1:] == ["k1"] and stored["keys"][0][0] != "k1"
