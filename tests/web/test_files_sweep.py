"""The nightly sweep removes the files no record names once they are a day old, keeps held
photos and young files, and refuses to act when most files would go (then the records it read
are not these files')."""

from __future__ import annotations

import os
import time

import pytest

from homeward.common.files import SweepRefused, orphans_forget


def _file(root, name: str, *, days_old: float) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"jpeg")
    when = time.time() - days_old * 86400
    os.utime(path, (when, when))


def test_old_unnamed_files_go_and_young_or_held_ones_stay(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _file(tmp_path, "photos/2026/11/left-by-a-killed-request.jpg", days_old=2)
    _file(tmp_path, "reports/2026/11/another.jpg", days_old=3)
    _file(tmp_path, "photos/2026/12/saving-right-now.jpg", days_old=0.01)
    _file(tmp_path, "pending/held-across-a-form-error.jpg", days_old=2)
    assert orphans_forget() == [
        "photos/2026/11/left-by-a-killed-request.jpg",
        "reports/2026/11/another.jpg",
    ]
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["pending/held-across-a-form-error.jpg", "photos/2026/12/saving-right-now.jpg"]


def test_the_sweep_refuses_when_no_record_names_most_files(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for n in range(12):  # a media folder whose records are in another database
        _file(tmp_path, f"photos/2026/10/{n}.jpg", days_old=30)
    with pytest.raises(SweepRefused, match="12 of 12 files"):
        orphans_forget()
    assert len(list(tmp_path.rglob("*.jpg"))) == 12
