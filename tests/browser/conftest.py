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


@pytest.fixture
def quick_forms(monkeypatch):
    """The portal's forms refuse an answer sent within three seconds of the page (bots are
    faster than people). A test types faster than a person: the timer is set to nothing
    rather than waited out. (tests/tracing/test_notices.py checks the refusal itself.)"""
    from homeward.portal import forms

    monkeypatch.setattr(forms, "FORM_MIN_SECONDS", 0)
