"""Playwright driving Debian's chromium against the live test server: the `browser` and
`page` fixtures live in tests/conftest.py, shared with tests/security."""

import os
from pathlib import Path

import pytest


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where the screenshots go: HOMEWARD_SCREENSHOTS=DIR keeps them for a person to look at."""
    folder = Path(os.environ.get("HOMEWARD_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
