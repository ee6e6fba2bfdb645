"""Start the web server and the job consumer together; Ctrl-C stops both."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from homeward.web.demo import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = "Run gunicorn and the Huey consumer; print the address and the demo logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, host: str, port: int, workers: int, **options) -> None:
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "homeward.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
            ]
        )
        jobs = subprocess.Popen([sys.executable, "-m", "homeward.cli", "run_huey"])
        children = [web, jobs]
        self._banner(host, port)

        def stop(signum=None, frame=None) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        code = 0
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
            code = next(c.returncode for c in children if c.returncode is not None)
            self.stderr.write("a process stopped; stopping the other")
        except KeyboardInterrupt:
            self.stdout.write("\nstopping…")
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
        if code:
            sys.exit(code)

    def _banner(self, host: str, port: int) -> None:
        with translation.override("en"):
            lines = [
                "",
                f"Homeward is running: http://{host}:{port}",
                f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
                f"jobs: {settings.HUEY['huey_class']}",
                f"public address (PUBLIC_URL, in alerts and the posters' QR codes): "
                f"{settings.PUBLIC_URL}",
                "  set it to the address families reach, e.g. "
                "PUBLIC_URL=https://xunqin.example.gov.cn make run",
                f"demo logins (password for all: {DEMO_PASSWORD}):",
                *[f"  {name:<20} {what}" for name, what in demo_logins()],
                "Press Ctrl-C to stop.",
                "",
            ]
        self.stdout.write("\n".join(lines))
