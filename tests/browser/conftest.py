"""Playwright driving Debian's chromium against the live test server: the `browser` and
`page` fixtures live in tests/conftest.py, shared with tests/security."""
