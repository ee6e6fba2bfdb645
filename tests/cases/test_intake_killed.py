"""A process killed in the middle of an intake with a photo (after the photo is written, before
the records are committed) leaves no person and no stay, and the photo it left is removed by
the nightly sweep of files no record names; a photo that a record names is kept.

The process is real and is killed by a real SIGKILL, on a database and a media folder of its
own; the harness only chooses the moment: right after the storage has written the file."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
from tests.conftest import make_station, make_user
from homeward.accounts.models import Role
station = make_station("苏州测试站", "320508")
make_user("sz.desk", Role.INTAKE, station=station)
"""

INTAKE = """
from homeward.accounts.models import User
from homeward.cases.services import IntakeData, intake_admit
from homeward.stations.models import Station
from tests.tracing.conftest import face_file
intake_admit(
    station=Station.objects.get(), by=User.objects.get(username="sz.desk"),
    photo=face_file("{photo}"),
    data=IntakeData(brought_by="police", sex="M", age_estimate_min=45, age_estimate_max=60),
)
"""

# Dies by SIGKILL the moment the storage has written a file: no handler, no cleanup runs.
DIE_AFTER_WRITE = """
import signal
from django.core.files.storage import FileSystemStorage
_save = FileSystemStorage.save
def _save_then_die(self, *args, **kwargs):
    _save(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
FileSystemStorage.save = _save_then_die
"""

SWEEP = """
from homeward.common.files import orphans_forget
print("\\n".join(orphans_forget(older_than_s={age})))
"""


def _python(var: Path, code: str, *, die: bool = False) -> subprocess.CompletedProcess:
    head = "import os, django\ndjango.setup()\n"
    program = head + (DIE_AFTER_WRITE if die else "") + textwrap.dedent(code)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "homeward.settings",
        "HOMEWARD_VAR_DIR": str(var),
    }
    for name in ("DATABASE_URL", "MEDIA_ROOT", "REDIS_URL"):
        env.pop(name, None)
    env["HUEY_FILE"] = str(var / "queue.sqlite3")  # jobs queued, not run: no consumer here
    return subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True
    )


def _rows(var: Path, table: str) -> int:
    with sqlite3.connect(var / "homeward.sqlite3") as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _photos(var: Path) -> list[str]:
    media = var / "media"
    return sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file())


def test_an_intake_killed_after_its_photo_is_written_leaves_no_record_and_no_file(tmp_path):
    var = tmp_path / "var"
    migrate = [sys.executable, "-m", "homeward.cli", "migrate", "--noinput"]
    env = {**os.environ, "HOMEWARD_VAR_DIR": str(var)}
    env.pop("DATABASE_URL", None)
    subprocess.run(migrate, cwd=ROOT, env=env, check=True, capture_output=True)
    assert _python(var, SETUP).returncode == 0
    kept = _python(var, INTAKE.format(photo="biden.jpg"))  # a whole intake, its photo named
    assert kept.returncode == 0, kept.stderr
    assert _rows(var, "cases_person") == 1 and len(_photos(var)) == 1
    named = _photos(var)

    killed = _python(var, INTAKE.format(photo="obama2.jpg"), die=True)
    assert killed.returncode == -9  # killed, not ended
    assert _rows(var, "cases_person") == 1 and _rows(var, "cases_stay") == 1
    assert _rows(var, "cases_personphoto") == 1
    orphan = sorted(set(_photos(var)) - set(named))
    assert len(orphan) == 1  # the photo it wrote, that no record names

    young = _python(var, SWEEP.format(age=24 * 3600))  # the nightly sweep, the same night
    assert young.returncode == 0 and young.stdout.split() == []  # a save may be under way
    swept = _python(var, SWEEP.format(age=0))  # a day later
    assert swept.returncode == 0, swept.stderr
    assert swept.stdout.split() == orphan
    assert _photos(var) == named  # the named photo stays
