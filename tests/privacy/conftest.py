"""The tracing team's fixtures, for reports and people whose data is kept or erased."""

from tests.tracing.conftest import desk, tracer  # noqa: F401 (fixtures)
