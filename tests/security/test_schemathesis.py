"""A bounded schemathesis pass: requests generated from our own OpenAPI document, sent to the
live test server with a station head's token, never answer with a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from homeward.accounts.models import Role
from homeward.accounts.services import api_token_create
from homeward.api import api
from tests.conftest import make_station, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api"))
OPERATIONS = {op.label: op for op in (r.ok() for r in SCHEMA.get_all_operations())}
EXAMPLES = 25  # per operation: enough to meet every field's edge, bounded for CI


@pytest.fixture
def token(live_server):
    station = make_station("苏州测试站", "320508")
    head = make_user("sz.head", Role.STATION_HEAD, station=station)
    return api_token_create(user=head, name="schemathesis")[1]


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_generated_request_gets_a_server_error(label, token, live_server):
    operation = OPERATIONS[label]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),  # what the document does not allow
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        case.call_and_validate(
            base_url=live_server.url,
            headers={"Authorization": f"Bearer {token}"},
            checks=[not_a_server_error],
        )

    call()
