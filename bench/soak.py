"""A soak: `make run`'s processes (`homeward serve`: gunicorn with 2 workers, the Huey consumer
with 2 workers) on PostgreSQL and Redis, under mixed load for `--minutes`.

    python bench/soak.py --minutes 30

The database (`--database-url`, dropped and made anew) gets the demo, with photos. Then
`--clients` threads, each with a pause of `--pause` s between requests, do what the site's
users do, drawn at random:

- portal: the notices list, one notice and its photo (anyone);
- intake: the intake form with a photo (suzhou.intake, multipart, as the browser sends it);
- report: a family's report filed through the API (suzhou.tracing's bearer token);
- webhook: a 110 partner's signed report of a person in distress;
- review: an inquiry noted on a candidate of the review queue (suzhou.tracing);
- export: the station's figures as CSV (suzhou.head);
- staff: the dashboard and the tracing and intake desks.

Every answer of 500 or more is a server error. Every write the site acknowledged (a redirect to
the new stay, a 201 with the report's id, the webhook's idempotency key, the inquiry's note) is
looked for in the database afterwards: one not found is a lost write. Prints p50 and p99 per
kind, the memory (RSS) of each process after the first minute and at the end (the bound: at
most 1.5 times the first), and a last line: `server errors N, lost writes M, requests R`.
A request with no answer counts as a server error; a GET is sent once more, as a browser does,
when a kept-alive connection was closed under it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import psutil
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

ROOT = Path(__file__).resolve().parents[1]
HOMEWARD = str(Path(sys.executable).with_name("homeward"))
PASSWORD = "homeward-demo"
GROWTH = 1.5  # the bound on each process's memory: its size after the first minute, times this
KINDS = {
    "portal": 35,
    "intake": 10,
    "report": 10,
    "webhook": 15,
    "review": 10,
    "export": 5,
    "staff": 15,
}


def _fresh_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as server:
        server.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _setup(args: argparse.Namespace, var: Path, env: dict[str, str]) -> str:
    """The demo with photos on a fresh database; returns suzhou.tracing's API token."""
    _fresh_postgres(args.database_url)
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    faces = var / "faces"
    steps = [
        [HOMEWARD, "migrate", "--noinput"],
        [sys.executable, str(ROOT / "scripts" / "fetch_test_faces.py"), "--into", str(faces)],
        [HOMEWARD, "load_demo", "--yes-demo"],
        [HOMEWARD, "collectstatic", "--noinput", "--verbosity", "0"],
    ]
    for step in steps:
        subprocess.run(step, env={**env, "HOMEWARD_DEMO_FACES": str(faces)}, check=True, cwd=ROOT)
    code = (
        "import django; django.setup()\n"
        "from homeward.accounts.models import User\n"
        "from homeward.accounts.services import api_token_create\n"
        "_, raw = api_token_create(user=User.objects.get(username='suzhou.tracing'), name='soak')\n"
        "print(raw)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip().splitlines()[-1]


class Site:
    """One client: a session per user, the acknowledged writes, the timings."""

    def __init__(self, url: str, token: str, faces: list[Path], rng: random.Random, log) -> None:
        self.url, self.token, self.faces, self.rng, self.log = url, token, faces, rng, log
        self.sessions: dict[str, requests.Session] = {}

    def session(self, user: str | None) -> requests.Session:
        key = user or ""
        if key not in self.sessions:
            s = requests.Session()
            s.headers["Accept-Language"] = "zh-hans"
            # As a browser does: a GET sent on a kept-alive connection that the server closed
            # at that moment is sent once more. A POST is never sent twice.
            again = Retry(total=1, connect=1, read=1, status=0, allowed_methods={"GET"})
            s.mount("http://", HTTPAdapter(max_retries=again))
            if user:
                s.get(f"{self.url}/login/", timeout=60)
                answer = s.post(
                    f"{self.url}/login/",
                    data={"username": user, "password": PASSWORD,
                          "csrfmiddlewaretoken": s.cookies.get("csrftoken", "")},
                    headers={"Referer": f"{self.url}/login/"}, timeout=60, allow_redirects=False,
                )  # fmt: skip
                if answer.status_code != 302:
                    raise SystemExit(f"{user} could not sign in: {answer.status_code}")
            self.sessions[key] = s
        return self.sessions[key]

    def timed(self, kind: str, call) -> requests.Response | None:
        start = time.perf_counter()
        try:
            answer = call()
        except requests.RequestException as exc:
            self.log(kind, 0, time.perf_counter() - start, f"no answer: {exc}")
            return None
        self.log(kind, answer.status_code, time.perf_counter() - start, "")
        return answer

    def _post_form(self, user: str, path: str, data: dict, files=None) -> requests.Response:
        s = self.session(user)
        token = s.cookies.get("csrftoken", "")
        return s.post(
            f"{self.url}{path}", data={**data, "csrfmiddlewaretoken": token}, files=files,
            headers={"Referer": f"{self.url}{path}"}, timeout=120, allow_redirects=False,
        )  # fmt: skip

    def portal(self, acks) -> None:
        s = self.session(None)
        page = self.timed("portal", lambda: s.get(f"{self.url}/p/", timeout=60))
        ids = re.findall(r"/p/notices/([0-9a-f-]{36})/", page.text if page is not None else "")
        if ids:
            notice = self.rng.choice(ids)
            self.timed("portal", lambda: s.get(f"{self.url}/p/notices/{notice}/", timeout=60))
            self.timed("portal", lambda: s.get(f"{self.url}/p/notices/{notice}/photo", timeout=60))

    def intake(self, acks) -> None:
        s = self.session("suzhou.intake")
        s.get(f"{self.url}/cases/intake/", timeout=60)
        name = f"浸泡{uuid.uuid4().hex[:6]}"
        face = self.rng.choice(self.faces)
        with open(face, "rb") as photo:
            answer = self.timed("intake", lambda: self._post_form(
                "suzhou.intake", "/cases/intake/",
                {"brought_by": "police", "name": name, "name_source": "said", "sex": "M"},
                files={"photo": (face.name, photo, "image/jpeg")},
            ))  # fmt: skip
        if answer is not None and answer.status_code == 302:
            acks["intake"].append(name)

    def report(self, acks) -> None:
        payload = {
            "name": f"寻亲{uuid.uuid4().hex[:6]}", "sex": self.rng.choice("MF"),
            "contact_name": "家属", "contact_relation": "女儿", "contact_phone": "13900000009",
            "home_division": "410102",
        }  # fmt: skip
        # A connection of its own: a POST is never sent on a kept-alive connection that the
        # server may be closing at that moment (it could not be sent twice).
        answer = self.timed("report", lambda: requests.post(
            f"{self.url}/api/tracing/reports", json=payload, timeout=120,
            headers={"Authorization": f"Bearer {self.token}"},
        ))  # fmt: skip
        if answer is not None and answer.status_code == 201:
            acks["report"].append(answer.json()["id"])

    def webhook(self, acks) -> None:
        from homeward.dispatch.demo import DEMO_PARTNER_KEY
        from homeward.dispatch.services.webhooks import sign

        point = [31.20 + self.rng.random() * 0.3, 120.45 + self.rng.random() * 0.4]
        report = {"description": "路边有人蜷缩，衣着单薄", "people": 1, "point": point}
        report["reference"] = uuid.uuid4().hex[:16]
        body = json.dumps(report, ensure_ascii=False).encode()
        key, stamp = uuid.uuid4().hex, str(int(time.time()))
        headers = {
            "Content-Type": "application/json", "X-Homeward-Partner": "suzhou-110",
            "X-Homeward-Timestamp": stamp, "Idempotency-Key": key,
            "X-Homeward-Signature": sign(DEMO_PARTNER_KEY, stamp, key, body),
        }  # fmt: skip
        answer = self.timed("webhook", lambda: requests.post(
            f"{self.url}/api/dispatch/webhook", data=body, headers=headers, timeout=120
        ))  # fmt: skip
        if answer is not None and answer.status_code in (200, 201):
            acks["webhook"].append(key)

    def review(self, acks) -> None:
        s = self.session("suzhou.tracing")
        queue = self.timed("review", lambda: s.get(f"{self.url}/api/tracing/queue", timeout=60))
        if queue is None or queue.status_code != 200 or not queue.json():
            return
        candidate = self.rng.choice(queue.json())["id"]
        path = f"/tracing/candidates/{candidate}/"
        s.get(f"{self.url}{path}", timeout=60)
        note = f"浸泡核查{uuid.uuid4().hex[:8]}"
        data = {"action": "inquire", "inquire-kind": "phone_family", "inquire-note": note}
        answer = self.timed("review", lambda: self._post_form("suzhou.tracing", path, data))
        if answer is not None and answer.status_code == 302:
            acks["review"].append(note)

    def export(self, acks) -> None:
        s = self.session("suzhou.head")
        self.timed("export", lambda: s.get(f"{self.url}/reports/export.csv", timeout=120))

    def staff(self, acks) -> None:
        s = self.session("suzhou.tracing")
        path = self.rng.choice(["/", "/tracing/", "/cases/"])
        self.timed("staff", lambda: s.get(f"{self.url}{path}", timeout=60))


def _memory(serve: psutil.Process) -> dict[str, float]:
    """RSS in MiB of each process `homeward serve` started, by what it is."""
    found = {}
    for child in serve.children(recursive=True):
        try:
            line = " ".join(child.cmdline())
            rss = child.memory_info().rss / 2**20
        except psutil.Error:
            continue
        if "run_huey" in line:
            name = "jobs"
        elif child.ppid() == serve.pid:
            name = "web master"
        else:
            name = f"web worker {child.pid}"
        found[name] = rss
    return found


LOST = """
import django, json, sys
django.setup()
from homeward.cases.models import Person
from homeward.dispatch.models import WebhookReceipt
from homeward.tracing.models import InquiryTask, MissingReport

acks = json.load(sys.stdin)
found = {
    "intake": Person.objects.filter(name__in=acks["intake"]).values_list("name", flat=True),
    "report": MissingReport.objects.filter(pk__in=acks["report"]).values_list("pk", flat=True),
    "webhook": WebhookReceipt.objects.filter(idempotency_key__in=acks["webhook"])
    .values_list("idempotency_key", flat=True),
    "review": InquiryTask.objects.filter(note__in=acks["review"]).values_list("note", flat=True),
}
print(json.dumps({kind: len(set(acks[kind]) - set(rows)) for kind, rows in found.items()}))
"""


def _lost(acks: dict[str, list], env: dict[str, str]) -> dict[str, int]:
    """Acknowledged writes not found in the database, by kind."""
    wanted = {kind: acks.get(kind, []) for kind in ("intake", "report", "webhook", "review")}
    done = subprocess.run(
        [sys.executable, "-c", LOST], input=json.dumps(wanted), env=env, capture_output=True,
        text=True, check=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument(
        "--pause", type=float, default=0.3, help="seconds between a client's requests"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/homeward_soak"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="homeward-soak-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="homeward.settings", HOMEWARD_VAR_DIR=str(var),
        DATABASE_URL=args.database_url, REDIS_URL=args.redis_url, HUEY_WORKERS="2",
        ALLOWED_HOSTS="127.0.0.1,localhost", BACKUP_NIGHTLY="false",
    )  # fmt: skip
    os.environ.update(env)  # the signing helper imported below reads Django's settings
    import django

    django.setup()
    token = _setup(args, var, env)
    faces = sorted((var / "faces").glob("*.jpg"))
    url = f"http://127.0.0.1:{args.port}"
    serve_log = open(var / "serve.log", "w")  # noqa: SIM115 (open while the site runs)
    serve = subprocess.Popen(
        [HOMEWARD, "serve", "--port", str(args.port), "--workers", "2"], env=env, cwd=ROOT,
        stdout=serve_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    for _ in range(120):
        try:
            if requests.get(f"{url}/login/", timeout=5).status_code == 200:
                break
        except requests.RequestException:
            pass
        time.sleep(0.5)
    else:
        serve.terminate()
        raise SystemExit(f"the site did not start: see {var / 'serve.log'}")

    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    acks: dict[str, list] = defaultdict(list)
    lock = threading.Lock()

    def log(kind: str, status: int, seconds: float, why: str) -> None:
        with lock:
            timings[kind].append(seconds)
            if status == 0 or status >= 500:
                errors.append(f"{kind}: {status} {why}".strip())

    stop_at = time.monotonic() + args.minutes * 60
    process = psutil.Process(serve.pid)
    memory: dict[str, dict[str, float]] = {}

    def client(n: int) -> None:
        site = Site(url, token, faces, random.Random(args.seed + n), log)
        kinds, weights = list(KINDS), list(KINDS.values())
        while time.monotonic() < stop_at:
            kind = site.rng.choices(kinds, weights)[0]
            getattr(site, kind)(acks)
            time.sleep(args.pause)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(args.clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(min(60, args.minutes * 30))
    memory["after the first minute"] = _memory(process)
    for thread in threads:
        thread.join()
    memory["at the end"] = _memory(process)
    ran = time.monotonic() - started
    time.sleep(10)  # the last jobs
    lost = _lost(acks, env)
    serve.terminate()
    serve.wait(timeout=60)

    command = "python bench/soak.py " + " ".join(sys.argv[1:])
    total = sum(len(t) for t in timings.values())
    print(f"ran {ran / 60:.1f} min, {args.clients} clients, {total} requests")
    for kind in KINDS:
        t = sorted(timings.get(kind, []))
        if t:
            p99 = t[min(len(t) - 1, int(len(t) * 0.99))]
            print(
                f"  {kind:8} {len(t):6} requests  p50 {statistics.median(t):.3f} s  p99 {p99:.3f} s"
            )
    print("acknowledged writes: " + ", ".join(f"{k} {len(v)}" for k, v in sorted(acks.items())))
    print("lost writes by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(lost.items())))
    for moment, found in memory.items():
        print(
            f"memory {moment}: " + ", ".join(f"{k} {v:.0f} MiB" for k, v in sorted(found.items()))
        )
    first, last = memory["after the first minute"], memory["at the end"]
    grown = [name for name in last if name in first and last[name] > GROWTH * first[name]]
    print(f"memory bound (each process at most {GROWTH}x its size after the first minute): "
          + (f"exceeded by {', '.join(grown)}" if grown else "held"))  # fmt: skip
    for error in errors[:20]:
        print("  error:", error)
    print(command)
    print(f"server errors {len(errors)}, lost writes {sum(lost.values())}, requests {total}")
    return 0 if not errors and not sum(lost.values()) and not grown else 1


if __name__ == "__main__":
    raise SystemExit(main())
