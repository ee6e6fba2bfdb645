"""Only a database that cannot be reached answers 503 ("try again in a minute"); a query that
is wrong, a deadlock or a missing table stays a 500, a bug to fix rather than to wait out."""

from __future__ import annotations

import sqlite3

import psycopg
from django.db import InterfaceError, OperationalError, ProgrammingError
from psycopg import errors

from homeward.web.views import database_unreachable


def _as_django(kind, cause: Exception) -> Exception:
    """The error as Django raises it: its own class, the driver's error as the cause."""
    try:
        try:
            raise cause
        except Exception as inner:
            raise kind(str(inner)) from inner
    except Exception as outer:
        return outer


def test_only_an_unreachable_database_is_a_503():
    refused = psycopg.OperationalError("connection failed: Connection refused")
    assert database_unreachable(_as_django(OperationalError, refused))
    assert database_unreachable(_as_django(OperationalError, errors.AdminShutdown("shutdown")))
    assert database_unreachable(_as_django(OperationalError, errors.TooManyConnections("full")))
    assert database_unreachable(InterfaceError("connection already closed"))
    locked = sqlite3.OperationalError("database is locked")
    assert database_unreachable(_as_django(OperationalError, locked))

    assert not database_unreachable(_as_django(OperationalError, errors.DeadlockDetected("x")))
    assert not database_unreachable(_as_django(OperationalError, errors.QueryCanceled("slow")))
    missing = sqlite3.OperationalError("no such table: cases_person")
    assert not database_unreachable(_as_django(OperationalError, missing))
    assert not database_unreachable(_as_django(ProgrammingError, errors.SyntaxError("x")))
    assert not database_unreachable(ValueError("not the database at all"))
