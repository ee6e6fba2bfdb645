#!/usr/bin/env python3
"""Fetch the labelled test faces that cannot be committed, for the face engine's tests.

The face_recognition 1.3.0 source archive on PyPI (MIT) ships White House photos of Barack
Obama (three different photos) and Joe Biden in tests/test_images/. They are US government
works, but their embedded notice forbids redistribution of manipulated copies, so the project
fetches them with pip at test set-up instead of vendoring them. The archive and each image are
checked against pinned SHA-256 sums.

    python scripts/fetch_test_faces.py                       # into tests/matching/face/.cache/
    python scripts/fetch_test_faces.py --into var/demo-faces # for the demo (make run)

Idempotent: does nothing when the images are already there. Needs PyPI (pip download).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "tests" / "matching" / "face" / ".cache"
ARCHIVE = "face_recognition-1.3.0.tar.gz"
ARCHIVE_SHA256 = "5e5efdd1686aa566af0d3cc1313b131e4b197657a8ffd03669e6d3fad92705ec"
IMAGES = {
    "obama.jpg": "0930e3aa8cae5920329c0c8cbc6a2ab70f47b0e67b432875beaa95cbf7e741f6",
    "obama2.jpg": "a7efcc907375274796f39646510704aa86672d59f6d5469d69af3c85590976a6",
    "obama3.jpg": "76ac6bf97c36dc2da0ad16a537d6a5ac1b10f48d49aac29a0cca9a17cdbc3ca3",
    "biden.jpg": "3c17508bb91554c637a2eabddfae790e5bb1caba93130814fc2ac50be9760c4c",
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _present(target: Path) -> bool:
    return all((target / n).exists() and _sha256(target / n) == s for n, s in IMAGES.items())


def _pip() -> list[str]:
    # The project's venv may be made by uv without pip; any pip can download an sdist.
    for candidate in ([sys.executable, "-m", "pip"], ["python3", "-m", "pip"], ["pip"]):
        probe = subprocess.run([*candidate, "--version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return candidate
    raise SystemExit("fetch_test_faces: no pip found to download face_recognition==1.3.0")


def main() -> int:
    target = TARGET
    if sys.argv[1:2] == ["--into"] and len(sys.argv) == 3:
        target = Path(sys.argv[2]).resolve()
    elif sys.argv[1:]:
        raise SystemExit("usage: fetch_test_faces.py [--into FOLDER]")
    if _present(target):
        print(f"faces already in {target}")
        return 0
    if _present(TARGET):  # the tests' copy is there already: no download
        target.mkdir(parents=True, exist_ok=True)
        for name in IMAGES:
            shutil.copyfile(TARGET / name, target / name)
        print(f"copied {len(IMAGES)} faces into {target}")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            *_pip(),
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--quiet",
            "--dest",
            scratch,
            "face_recognition==1.3.0",
        ]
        if subprocess.run(command, check=False).returncode != 0:
            raise SystemExit(
                "fetch_test_faces: face_recognition==1.3.0 could not be downloaded from the "
                "package index (no network?): the face tests need its four photos"
            )
        archive = Path(scratch) / ARCHIVE
        if _sha256(archive) != ARCHIVE_SHA256:
            raise SystemExit(f"fetch_test_faces: {ARCHIVE} does not match its pinned SHA-256")
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            for name, digest in IMAGES.items():
                member = tar.extractfile(f"face_recognition-1.3.0/tests/test_images/{name}")
                assert member is not None
                with open(target / name, "wb") as out:
                    shutil.copyfileobj(member, out)
                if _sha256(target / name) != digest:
                    raise SystemExit(f"fetch_test_faces: {name} does not match its SHA-256")
    print(f"fetched {len(IMAGES)} faces into {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
