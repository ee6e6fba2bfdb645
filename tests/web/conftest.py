"""The tracing team's fixtures, for the consumer that is killed in the middle of a search."""

from tests.tracing.conftest import desk, tracer  # noqa: F401 (fixtures)
