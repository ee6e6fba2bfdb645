"""A damaged or crafted manifest is refused with a clear error. The nightly backup keeps the
newest of each of the last 7 days, 4 weeks and 12 months, by Beijing time; a half-written
backup never counts as one; and a failed night is retried and on the jobs page."""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from homeward.backups.manifest import FORMAT, BackupError, Manifest
from homeward.backups.retention import kept
from homeward.backups.services import backup_check, backups_listed
from homeward.backups.tasks import backup_nightly_job
from homeward.web.models import JobFailure
from tests.conftest import BEIJING, frozen_at

POLICY = {"daily": 7, "weekly": 4, "monthly": 12}


def _fake_backup(root, stamp: datetime) -> None:
    folder = root / f"homeward-{stamp:%Y%m%d-%H%M%S}"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text("{}")


@pytest.mark.django_db(transaction=True)
def test_the_nightly_backup_is_made_and_the_policy_prunes_the_rest(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "media"
    day = date(2025, 9, 1)
    while day <= date(2026, 12, 1):  # a backup every night for 15 months
        _fake_backup(
            settings.BACKUP_DIR,
            datetime.combine(day, datetime.min.time()).replace(hour=1, minute=45),
        )
        day += timedelta(days=1)
    crashed = settings.BACKUP_DIR / ".homeward-20261130-014500.partial"
    crashed.mkdir()
    (crashed / "database.sqlite3").write_bytes(b"half")
    two_nights_ago = datetime(2026, 11, 30, 1, 45, tzinfo=BEIJING).timestamp()
    os.utime(crashed, (two_nights_ago, two_nights_ago))

    # 01:45 in Beijing is 17:45 of the day before in UTC: the backup is named by Beijing's day.
    with frozen_at("01:45", date(2026, 12, 2)):
        result = backup_nightly_job.call_local()

    assert result["backup"].endswith("homeward-20261202-014500")
    backup_check(settings.BACKUP_DIR / "homeward-20261202-014500")  # whole, by its manifest
    left = [stamp.date().isoformat() for stamp, _ in backups_listed(settings.BACKUP_DIR)]
    assert left == [
        # the last 7 days
        "2026-12-02", "2026-12-01", "2026-11-30", "2026-11-29", "2026-11-28", "2026-11-27",
        "2026-11-26",
        # the newest of the 4 weeks (Monday to Sunday; this week's is today's)
        "2026-11-22", "2026-11-15",
        # the newest of the 12 months (this month's and November's are already kept)
        "2026-10-31", "2026-09-30", "2026-08-31", "2026-07-31", "2026-06-30", "2026-05-31",
        "2026-04-30", "2026-03-31", "2026-02-28", "2026-01-31",
    ]  # fmt: skip
    assert not crashed.exists()  # a backup that died half-written is cleared after a day


@pytest.mark.django_db(transaction=True)
def test_a_night_that_cannot_back_up_is_recorded_as_a_failed_job(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.BACKUP_DIR = tmp_path / "a-file"
    settings.BACKUP_DIR.write_text("not a folder")
    backup_nightly_job()
    failures = list(JobFailure.objects.filter(task__endswith="backup_nightly_job"))
    # Shown to the national administrators (no station's job), and tried again in ten minutes.
    assert len(failures) == 1 and failures[0].station_id is None
    assert failures[0].retries_left == 2 and not failures[0].final
    assert "NotADirectoryError" in failures[0].error and "a-file" in failures[0].error


stamps = st.lists(
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31)),
    min_size=1,
    max_size=200,
)
counts = st.integers(min_value=1, max_value=15)


@hsettings(max_examples=200, deadline=None)
@given(stamps, counts, counts, counts)
def test_the_policy_keeps_the_newest_of_each_recent_period_and_prunes_stably(
    times, daily, weekly, monthly
):
    keep = kept(times, daily=daily, weekly=weekly, monthly=monthly)
    assert max(times) in keep and keep <= set(times)
    assert len(keep) <= daily + weekly + monthly
    # Whatever is kept is the newest of its day: two backups of one day are never both kept.
    assert len({t.date() for t in keep}) == len(keep)
    for t in keep:
        assert t == max(u for u in times if u.date() == t.date())
    # Each of the `daily` most recent days that have a backup keeps one.
    recent_days = sorted({t.date() for t in times}, reverse=True)[:daily]
    assert set(recent_days) <= {t.date() for t in keep}
    # Pruning what was kept removes nothing more.
    assert kept(keep, daily=daily, weekly=weekly, monthly=monthly) == keep


def test_the_default_policy_keeps_one_a_day_for_a_week_then_thins_out():
    nights = [datetime(2026, 1, 1, 1, 45) + timedelta(days=n) for n in range(365)]
    keep = sorted(kept(nights, **POLICY), reverse=True)
    # The year ends on a Thursday: the last 7 nights hold this week's and last week's newest
    # and December's, so 2 more weeks and 11 more months are kept.
    assert len(keep) == 7 + 2 + 11
    assert keep[:7] == nights[-7:][::-1]
    assert keep[7:9] == [datetime(2026, 12, 20, 1, 45), datetime(2026, 12, 13, 1, 45)]
    assert keep[-1] == datetime(2026, 1, 31, 1, 45)  # twelve months back, at the month's end


manifest_text = st.one_of(
    st.binary(max_size=300),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6)
        ),
        max_leaves=20,
    ).map(lambda value: json.dumps(value).encode()),
    st.dictionaries(
        st.sampled_from(["format", "files", "tables", "engine", "created_at", "database"]),
        st.none()
        | st.integers()
        | st.text(max_size=10)
        | st.lists(st.dictionaries(st.text(max_size=6), st.integers(), max_size=3), max_size=2),
    ).map(lambda value: json.dumps({**value, "format": FORMAT}).encode()),
)


@hsettings(max_examples=300, deadline=None)
@given(manifest_text)
def test_a_damaged_manifest_is_refused_with_a_backup_error_and_nothing_else(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("manifest")
    (folder / "manifest.json").write_bytes(text)
    try:
        manifest = Manifest.read(folder)
    except BackupError as exc:
        assert str(folder) in str(exc)
        return
    # What is accepted is a whole manifest whose files lie inside the folder.
    assert manifest.format == FORMAT and isinstance(manifest.tables, dict)
    for entry in manifest.files:
        assert (folder / entry.path).resolve().is_relative_to(folder.resolve())
    assert isinstance(manifest.problems(folder), list)


def test_a_manifest_naming_a_file_outside_the_backup_is_refused(tmp_path):
    """A crafted backup must not make a restore write outside the media folder."""
    entry = {"path": "media/../../../etc/cron.d/x", "bytes": 1, "sha256": "0" * 64}
    database = {"path": "database.sqlite3", "bytes": 1, "sha256": "0" * 64}
    manifest = {
        "format": FORMAT, "created_at": "", "homeward_version": "", "engine": "sqlite",
        "database": "database.sqlite3", "tables": {}, "migrations": [], "files": [database, entry],
    }  # fmt: skip
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="lies outside the backup"):
        Manifest.read(tmp_path)
    manifest["files"] = [database]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert Manifest.read(tmp_path).files[0].path == "database.sqlite3"


def test_the_nightly_jobs_run_at_night_in_beijing():
    """The consumer checks schedules in UTC: 01:45 in Beijing is 17:45 UTC the day before."""
    from homeward.tracing.tasks import attribute_model_refit_job, relink_all_job

    def runs_at(job, utc: str) -> bool:
        return bool(job.task_class().validate_datetime(datetime.fromisoformat(utc)))

    assert runs_at(backup_nightly_job, "2026-12-01T17:45")
    assert not runs_at(backup_nightly_job, "2026-12-02T01:45")  # 09:45 in Beijing
    assert runs_at(attribute_model_refit_job, "2026-12-01T18:00")
    assert runs_at(relink_all_job, "2026-12-01T18:30")


def test_a_nightly_job_keeps_its_local_hour_in_a_zone_with_summer_time(settings):
    from homeward.common.clock import nightly

    settings.TIME_ZONE = "Europe/Berlin"
    due = nightly(1, 45)
    assert due(datetime.fromisoformat("2026-01-15T00:45"))  # winter: UTC+1
    assert due(datetime.fromisoformat("2026-07-15T23:45"))  # summer: UTC+2, the day before
    assert not due(datetime.fromisoformat("2026-07-16T00:45"))
