"""PostgreSQL stops under a running site: pages and the API answer 503 with what to do (never a
bare 500), and the site answers again by itself as soon as the database is back.

The database is "stopped" by closing a TCP relay between the web server and the test
PostgreSQL (connections refused, open ones cut), which other tests share and must keep."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser.test_screens import LANGUAGES, _look
from tests.postgres import fresh_database, server_settings

ROOT = Path(__file__).resolve().parents[2]


class Relay:
    """A TCP relay to PostgreSQL that can be stopped (refusing, and cutting what is open)
    and started again on the same port."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = _free_port()
        self.server: socket.socket | None = None
        self.open: list[socket.socket] = []

    def start(self) -> None:
        self.server = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        threading.Thread(target=self._accept, args=(self.server,), daemon=True).start()

    def stop(self) -> None:
        server, self.server = self.server, None
        # On Linux, close() alone leaves a blocked accept() taking connections: shut it first.
        with contextlib.suppress(OSError):
            server.shutdown(socket.SHUT_RDWR)
        server.close()
        for conn in self.open:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
                conn.close()
        self.open = []

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, **headers) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers={"Accept-Language": "zh-hans", **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, dict(answer.headers), answer.read().decode()


@pytest.fixture
def database():
    """An empty database of the test's own, and the server it is on."""
    with fresh_database("homeward_down") as (_, name):
        yield server_settings(), name


@pytest.mark.browser
def test_a_stopped_database_gives_503_pages_and_the_site_comes_back_by_itself(
    database, tmp_path, page, shots
):
    server, name = database
    relay = Relay(server["HOST"], int(server["PORT"]))
    relay.start()
    login = server["USER"] + (f":{server['PASSWORD']}" if server["PASSWORD"] else "")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "homeward.settings",
        "HOMEWARD_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"postgres://{login}@127.0.0.1:{relay.port}/{name}",
        "DATABASE_CONN_MAX_AGE": "60",  # kept connections too must recover
    }
    env.pop("REDIS_URL", None)
    migrate = [sys.executable, "-m", "homeward.cli", "migrate", "--noinput"]
    subprocess.run(migrate, env=env, cwd=ROOT, check=True, capture_output=True)
    # The hashed static files the pages name, as `make run` collects them.
    collect = [sys.executable, "-m", "homeward.cli", "collectstatic", "--noinput", "-v0"]
    subprocess.run(collect, env=env, cwd=ROOT, check=True, capture_output=True)
    port = _free_port()
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "homeward.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    site = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                if _get(f"{site}/p/")[0] == 200:
                    break
            assert time.monotonic() < deadline, "the web server did not start"
            time.sleep(0.3)

        # A notice is looked up in the database (the list of notices may come from the cache).
        notice = f"{site}/p/notices/00000000-0000-4000-8000-000000000000/"
        assert _get(notice)[0] == 404
        token = {"Authorization": "Bearer hw_not-a-token"}
        assert _get(f"{site}/api/me", **token)[0] == 401

        relay.stop()  # the database goes away under the running site
        status, headers, text = _get(notice)
        assert status == 503 and headers.get("Retry-After") == "30"
        assert "无法访问记录" in text and "刚才提交的内容可能没有保存" in text
        status, _, text = _get(notice, **{"Accept-Language": "en"})
        assert status == 503 and "What you sent just now may not have been saved" in text
        for language in LANGUAGES:  # as a person sees it, on a computer and on a phone
            page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])
            page.goto(notice)
            _look(page, shots, "database-down", "#database-unavailable")
        status, headers, body = _get(f"{site}/api/me", **token)
        assert status == 503 and headers["Content-Type"] == "application/json", (status, body)
        assert json.loads(body)["detail"].startswith("数据库没有响应")

        relay.start()  # and comes back: no restart of the site
        assert _get(notice)[0] == 404 and _get(f"{site}/api/me", **token)[0] == 401
    finally:
        web.terminate()
        web.wait(timeout=30)
        with contextlib.suppress(Exception):
            relay.stop()
