"""Shared fixtures: the dlib model (loaded once per session) and the fetched photos."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from homeward.matching.face import DlibFaceModel, default_model
from tests.matching.face.photos import FETCH_HINT, FETCHED


@pytest.fixture(scope="session")
def model() -> DlibFaceModel:
    return default_model()


@pytest.fixture(scope="session")
def fetched() -> Path:
    """Folder of the fetched labelled photos; skips the test when they were not fetched,
    except in CI, where a missing set-up step must not pass unseen."""
    if not all((FETCHED / n).exists() for n in ("obama.jpg", "obama2.jpg", "obama3.jpg")):
        if os.environ.get("CI"):
            pytest.fail(f"labelled test faces missing in CI: {FETCH_HINT}")
        pytest.skip(f"labelled test faces missing: {FETCH_HINT}")
    return FETCHED
