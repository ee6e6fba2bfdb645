"""The demo's published password and superuser reach only the embedded demo database."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from homeward.accounts.models import Role, User
from tests.conftest import make_user


def test_the_demo_is_refused_where_real_records_are(suzhou, db):
    make_user("sz.real", Role.STATION_HEAD, station=suzhou)
    with pytest.raises(CommandError, match="--yes-demo"):
        call_command("load_demo", stdout=io.StringIO())
    assert not User.objects.filter(username="national.admin").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL run checks this")
def test_the_demo_is_refused_on_postgresql_even_when_empty(db):
    with pytest.raises(CommandError, match="postgresql"):
        call_command("load_demo", stdout=io.StringIO())
    assert not User.objects.exists()


def test_told_yes_demo_it_loads_anyway(suzhou, db):
    make_user("sz.real", Role.STATION_HEAD, station=suzhou)
    call_command("load_demo", "--yes-demo", stdout=io.StringIO())
    assert User.objects.filter(username="national.admin").exists()
