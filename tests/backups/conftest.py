"""The tracing team's fixtures, for a world with a report and a person to back up."""

from tests.tracing.conftest import desk, tracer  # noqa: F401 (fixtures)
