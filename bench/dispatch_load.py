"""Drive signed partner reports through the webhook API of a running Homeward.

    .venv/bin/python bench/dispatch_load.py                  # 200 a minute for 5 minutes
    .venv/bin/python bench/dispatch_load.py --minutes 1      # a short run

Without --url it makes a fresh embedded installation in a temporary folder
(SQLite, the demo's 110 partner), starts `homeward serve` on a loopback port and
stops it at the end. It sends at a steady rate from a few threads and prints
accepted, rejected, lost and latency. "Lost" counts requests that got no answer
or a server error, plus acknowledged reports the database does not hold afterwards:
it must be 0.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sign(key: str, timestamp: str, idempotency_key: str, body: bytes) -> str:
    """The partner's side of the documented protocol, written from the API description:
    sha256= hex HMAC-SHA256 of '<timestamp>.<idempotency-key>.' + body."""
    signed = f"{timestamp}.{idempotency_key}.".encode() + body
    return "sha256=" + hmac.new(key.encode(), signed, hashlib.sha256).hexdigest()


DEMO_PARTNER = "suzhou-110"
DEMO_KEY = "homeward-demo-110-key"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(var_dir: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "HOMEWARD_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "homeward.settings",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    hw = [sys.executable, "-m", "homeward"]
    for step in (
        ["migrate", "--noinput", "-v0"],
        ["load_demo"],
        ["collectstatic", "--noinput", "-v0"],
    ):
        subprocess.run([*hw, *step], cwd=ROOT, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*hw, "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not start")


def one_report(url: str, partner: str, key: str, rng: random.Random) -> tuple[str, int, float]:
    """Send one signed report: (idempotency key, HTTP status or 0 for no answer, seconds)."""
    body = json.dumps(
        {
            "description": "路边有人蜷缩，衣着单薄",
            "point": [31.20 + rng.random() * 0.3, 120.45 + rng.random() * 0.4],
            "people": 1,
            "elderly": rng.random() < 0.3,
            "reference": uuid.uuid4().hex[:16],
        },
        ensure_ascii=False,
    ).encode()
    idem = uuid.uuid4().hex
    stamp = str(int(time.time()))
    request = urllib.request.Request(
        f"{url}/api/dispatch/webhook",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Homeward-Partner": partner,
            "X-Homeward-Timestamp": stamp,
            "Idempotency-Key": idem,
            "X-Homeward-Signature": sign(key, stamp, idem, body),
        },
    )
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = 0
    return idem, status, time.perf_counter() - start


def stored_keys(var_dir: Path) -> set[str]:
    """Idempotency keys the database holds (the embedded SQLite of the run)."""
    code = (
        "import django, json; django.setup();"
        "from homeward.dispatch.models import WebhookReceipt;"
        "print(json.dumps(list(WebhookReceipt.objects.values_list('idempotency_key', flat=True))))"
    )
    env = {
        **os.environ,
        "HOMEWARD_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "homeward.settings",
    }
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=200, help="reports a minute")
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="homeward-load-"))
    port = free_port()
    server = start_server(var_dir, port)
    url = f"http://127.0.0.1:{port}"
    rng = random.Random(args.seed)
    lock = threading.Lock()
    results: list[tuple[str, int, float]] = []
    total = int(args.rate * args.minutes)
    interval = 60.0 / args.rate
    try:
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            begin = time.monotonic()
            futures = []
            for i in range(total):
                delay = begin + i * interval - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                with lock:
                    seed = rng.random()
                futures.append(
                    pool.submit(one_report, url, DEMO_PARTNER, DEMO_KEY, random.Random(seed))
                )
            for future in futures:
                results.append(future.result())
            elapsed = time.monotonic() - begin
    finally:
        server.terminate()
        server.wait(timeout=30)
    stored = stored_keys(var_dir)
    accepted = [r for r in results if r[1] in (200, 201)]
    rejected = [r for r in results if 400 <= r[1] < 500]
    unanswered = [r for r in results if r[1] == 0 or r[1] >= 500]
    missing = [r for r in accepted if r[0] not in stored]
    latencies = sorted(r[2] for r in results if r[1])
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)] if latencies else float("nan")
    load = os.getloadavg()
    print(
        f"command: .venv/bin/python bench/dispatch_load.py --rate {args.rate} "
        f"--minutes {args.minutes:g} --threads {args.threads}"
    )
    print(f"sent {len(results)} in {elapsed:.0f} s ({len(results) / elapsed * 60:.0f} a minute)")
    print(
        f"accepted {len(accepted)}, rejected {len(rejected)}, "
        f"lost {len(unanswered) + len(missing)} "
        f"(no answer or 5xx {len(unanswered)}, acknowledged but not stored {len(missing)})"
    )
    print(
        f"latency median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )
    print(f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    return 0 if not unanswered and not missing else 1


if __name__ == "__main__":
    raise SystemExit(main())
