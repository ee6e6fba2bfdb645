"""A PostgreSQL database of a test's own on the test server (`TEST_DATABASE_URL`), for tests
that run processes of their own against an empty database."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import psycopg
import pytest

POSTGRES = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/homeward")


def server_settings() -> dict[str, str]:
    """The test server, as Django's database settings name it."""
    url = urlsplit(POSTGRES)
    return {
        "HOST": url.hostname or "127.0.0.1",
        "PORT": str(url.port or 5432),
        "USER": url.username or "postgres",
        "PASSWORD": url.password or "",
    }


@contextlib.contextmanager
def fresh_database(prefix: str) -> Iterator[tuple[str, str]]:
    """(its address, its name): an empty database, dropped afterwards. Its name carries this
    process's number, so two test runs side by side keep apart. With no server reachable the
    test is skipped, except in CI (`CI=true`), where it fails."""
    s = server_settings()
    try:
        server = psycopg.connect(
            host=s["HOST"], port=s["PORT"], user=s["USER"], password=s["PASSWORD"],
            dbname="postgres", autocommit=True,
        )  # fmt: skip
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL at {POSTGRES}: {exc}")
    name = f"{prefix}_{os.getpid()}"
    with server:
        server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        server.execute(f"CREATE DATABASE {name}")
        try:
            yield POSTGRES.rsplit("/", 1)[0] + "/" + name, name
        finally:
            server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
