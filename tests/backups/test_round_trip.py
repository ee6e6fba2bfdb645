"""A backup gives back every row of every table and every stored file, on SQLite and on
PostgreSQL, restored by `homeward restore` in a process of its own into an empty installation;
a restore refuses a database that holds records and a backup that is damaged; and a SQLite
backup moves into PostgreSQL."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections

from homeward.accounts.models import AuditEvent
from homeward.cases.services import IntakeData, intake_admit
from homeward.common.files import stored_models
from homeward.tracing.models import MissingReport, Relative
from tests.postgres import fresh_database, server_settings
from tests.tracing.conftest import face_file, staff_report

HOMEWARD = str(Path(sys.executable).with_name("homeward"))
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(settings, tmp_path, suzhou, desk, tracer):
    """A station's records with their files: a man admitted with a photo (his face embedded
    and searched), a family's report with a photo and a relative's DNA, and the audit trail."""
    settings.MEDIA_ROOT = tmp_path / "media"
    stay = intake_admit(
        station=suzhou,
        by=desk,
        photo=face_file("obama2.jpg"),
        data=IntakeData(brought_by="police", sex="M", age_estimate_min=45, age_estimate_max=60),
    )
    report = staff_report(tracer, photos=[(face_file("obama.jpg"), 2009)], birth_date=None)
    Relative.objects.create(
        report=report, relation="mother", name="王芳", profile={"D8S1179": ["13", "14"]}
    )
    return stay, report


def _environment(var: Path, database_url: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "HOMEWARD_VAR_DIR": str(var),
        "DJANGO_SETTINGS_MODULE": "homeward.settings",
    }
    for name in ("DATABASE_URL", "MEDIA_ROOT", "SECRET_KEY", "REDIS_URL"):
        env.pop(name, None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _homeward(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([HOMEWARD, *args], env=env, capture_output=True, text=True, timeout=300)


@contextlib.contextmanager
def _new_postgres_database():
    with fresh_database("homeward_restore") as (url, name):
        yield url, {"NAME": name}


@contextlib.contextmanager
def _alias(**wanted):
    """The restored database, read through Django beside the test's own (an alias made here,
    as Django's test case allows for connections it did not set up)."""
    from django.db.utils import load_backend

    wanted = {**connection.settings_dict, "TEST": {}, **wanted}
    configured = connections.configure_settings(
        {"default": connections.settings["default"], "restored": wanted}
    )["restored"]
    wrapper = load_backend(configured["ENGINE"]).DatabaseWrapper(configured, "restored")
    connections._connections.restored = wrapper
    try:
        yield "restored"
    finally:
        wrapper.close()
        delattr(connections._connections, "restored")


def _rows(alias: str) -> dict[str, list[tuple]]:
    """Every row of every model's table, by primary key, values as Django reads them (the
    backup's and the restore's own audit rows apart: each is written after its snapshot)."""
    found = {}
    for model in stored_models():
        rows = model._base_manager.using(alias).order_by("pk")
        if model is AuditEvent:
            rows = rows.exclude(object_type__in=["site.backup", "site.restore"])
        names = [field.attname for field in model._meta.concrete_fields]
        found[model._meta.db_table] = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in rows.values_list(*names)
        ]
    return found


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@contextlib.contextmanager
def _empty_installation(tmp_path: Path):
    """A fresh installation of the engine this run tests: its var folder, its database's
    address for a process and its settings for Django here."""
    var = tmp_path / "restored-var"
    if connection.vendor == "sqlite":
        yield (
            var,
            None,
            {"ENGINE": "django.db.backends.sqlite3", "NAME": str(var / "homeward.sqlite3")},
        )
    else:
        with _new_postgres_database() as (url, wanted):
            yield var, url, wanted


def test_a_backup_restores_every_row_and_every_file(world, settings, tmp_path):
    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    assert AuditEvent.objects.filter(object_type="site.backup", object_id="backup").exists()
    rows, files = _rows("default"), _files(Path(settings.MEDIA_ROOT))
    assert rows["cases_person"] and rows["tracing_relative"] and rows["tracing_facevector"]
    assert len(files) == 2  # the man's photo and the report's

    with _empty_installation(tmp_path) as (var, url, wanted):
        done = _homeward("restore", str(folder), env=_environment(var, url))
        assert done.returncode == 0, done.stderr
        assert "every count and checksum matches the manifest" in done.stdout
        with _alias(**wanted) as restored:
            assert _rows(restored) == rows
            assert (
                AuditEvent.objects.using(restored).filter(object_type="site.restore").count() == 1
            )
        assert _files(var / "media") == files


def test_a_restore_refuses_records_already_there_and_a_damaged_backup(world, settings, tmp_path):
    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    with _empty_installation(tmp_path) as (var, url, wanted):
        env = _environment(var, url)
        assert _homeward("restore", str(folder), env=env).returncode == 0
        with _alias(**wanted) as restored:
            before = _rows(restored)

        again = _homeward("restore", str(folder), env=env)
        assert again.returncode != 0 and "already holds records" in again.stderr

        photo = next((folder / "media").rglob("*.jpg"))
        whole = photo.read_bytes()
        photo.write_bytes(whole[:-1] + b"\x00")
        check = _homeward("restore", "--check", str(folder), env=env)
        assert check.returncode != 0 and "checksum differs" in check.stderr
        assert photo.relative_to(folder).as_posix() in check.stderr
        forced = _homeward("restore", "--force", str(folder), env=env)
        assert forced.returncode != 0 and "nothing was restored" in forced.stderr
        with _alias(**wanted) as restored:
            assert _rows(restored) == before
        photo.write_bytes(whole)

        if url:  # a pg_restore that fails (older than the dump, say) changes nothing
            fake = tmp_path / "bin"
            fake.mkdir()
            (fake / "pg_restore").write_text("#!/bin/sh\necho 'unsupported version' >&2\nexit 1\n")
            (fake / "pg_restore").chmod(0o755)
            broken = {**env, "PATH": f"{fake}:{env['PATH']}"}
            failed = _homeward("restore", "--force", str(folder), env=broken)
            assert failed.returncode != 0 and "unsupported version" in failed.stderr
            with _alias(**wanted) as restored:
                assert _rows(restored) == before

        # With --force, the backup replaces what is there.
        forced = _homeward("restore", "--force", str(folder), env=env)
        assert forced.returncode == 0, forced.stderr
        with _alias(**wanted) as restored:
            assert _rows(restored) == before
        assert _files(var / "media") == _files(Path(settings.MEDIA_ROOT))


def test_a_restore_erases_again_what_a_family_had_erased_since_the_backup(
    world, settings, tmp_path, tracer
):
    from homeward.privacy.services import report_erase

    settings.BACKUP_DIR = tmp_path / "backups"
    _stay, report = world
    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    report_erase(report=report, by=tracer, reason="家属来电申请")  # after the backup
    assert (settings.BACKUP_DIR / "erasures.jsonl").is_file()
    with _empty_installation(tmp_path) as (var, url, wanted):
        env = {**_environment(var, url), "BACKUP_DIR": str(settings.BACKUP_DIR)}
        done = _homeward("restore", str(folder), env=env)
        assert done.returncode == 0, done.stderr
        assert "1 record(s) erased again" in done.stdout
        with _alias(**wanted) as restored:
            again = MissingReport.objects.using(restored).get(public_id=report.public_id)
            assert (again.name, again.contact_phone) == ("", "")
            assert not Relative.objects.using(restored).filter(report_id=again.pk).exists()
        assert not list((var / "media").rglob("reports/**/*.jpg"))


def test_a_restore_needs_the_field_keys_and_takes_them_from_a_backup_with_secrets(world, tmp_path):
    _stay, report = world
    plain, secret = tmp_path / "plain", tmp_path / "secret"
    call_command("backup", str(plain))
    call_command("backup", str(secret), "--with-secrets")
    with _empty_installation(tmp_path) as (var, url, wanted):
        env = _environment(var, url)
        env.pop("FIELD_KEYS"), env.pop("FIELD_HASH_KEY")  # a new machine: keys of its own
        refused = _homeward("restore", str(plain), env=env)
        assert refused.returncode != 0 and "encrypted under keys" in refused.stderr
        assert "nothing was restored" in refused.stderr
        done = _homeward("restore", str(secret), env=env)
        assert done.returncode == 0, done.stderr
        assert "field keys were written" in done.stdout
        # The restored installation reads the family's phone with the keys it was given.
        out = tmp_path / "report.zip"
        exported = _homeward("privacy", "export", "report", str(report.pk), str(out), env=env)
        assert exported.returncode == 0, exported.stderr
        with zipfile.ZipFile(out) as bundle:
            assert json.loads(bundle.read("data.json"))["contact_phone"] == report.contact_phone


def test_a_sqlite_backup_moves_into_postgresql(world, settings, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite run moves its database into PostgreSQL; this run is PostgreSQL's")
    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    rows, files = _rows("default"), _files(Path(settings.MEDIA_ROOT))
    with _new_postgres_database() as (url, wanted):
        var = tmp_path / "server-var"
        done = _homeward("restore", str(folder), env=_environment(var, url))
        assert done.returncode == 0, done.stderr
        assert "moved from SQLite into PostgreSQL" in done.stdout
        with _alias(
            ENGINE="django.db.backends.postgresql", OPTIONS={}, **server_settings(), **wanted
        ) as moved:
            assert _rows(moved) == rows
            # The sequences carry on after the moved rows: the next person gets a new id.
            from homeward.cases.models import Person

            top = max(row[0] for row in rows["cases_person"])
            with connections[moved].cursor() as cursor:
                cursor.execute("SELECT nextval(pg_get_serial_sequence('cases_person', 'id'))")
                assert cursor.fetchone()[0] > top
            assert Person.objects.using(moved).count() == len(rows["cases_person"])
        assert _files(var / "media") == files
