"""Property-based checks of every documented operation with schemathesis (ASVS 5.1.3).

The schema is the app's own /openapi.json and every request goes through the same ``client``
as the rest of the suite, so this runs unchanged in-process (any framework) and against
``--base-url``. Examples are bounded and derandomized: the same inputs on every run.

Hypothesis is driven directly (``operation.as_strategy()``) rather than through
``schemathesis.pytest.from_fixture``, whose lazy loader reads ``Function._nodeid``, an
attribute pytest 9 no longer has.
https://schemathesis.readthedocs.io/en/stable/
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

# Enough to reach each operation's validation paths, few enough for a 2-core CI machine.
MAX_EXAMPLES = 15
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def send(client, case, headers):
    """Send a generated case through the suite's httpx client.

    Args:
        client: The client under test.
        case: The schemathesis case.
        headers: Extra headers (authorization).

    Returns:
        The httpx response.
    """
    kwargs = case.as_transport_kwargs(base_url=str(client.base_url).rstrip("/"), headers=headers)
    body = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    elif kwargs.get("data") is not None:
        body["content"] = kwargs["data"]
    return client.request(
        kwargs["method"],
        kwargs["url"],
        params=kwargs.get("params"),
        headers=kwargs.get("headers"),
        cookies=kwargs.get("cookies") or None,
        **body,
    )


def fuzz(client, operation, mode, headers):
    """Run the bounded Hypothesis search for one operation.

    Args:
        client: The client under test.
        operation: The schemathesis API operation.
        mode: Positive (valid) or negative (invalid) inputs.
        headers: Headers every request carries.
    """

    @FUZZ_SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def search(case):
        case.validate_response(send(client, case, headers), checks=CHECKS)

    search()


@pytest.fixture
def api_schema(client):
    """The app's OpenAPI document, loaded into schemathesis."""
    response = client.get("/openapi.json")
    assert response.status_code == HTTPStatus.OK
    return schemathesis.openapi.from_dict(response.json())


@pytest.fixture
def fuzz_headers(signed_in, live_base_url):
    """An Authorization header, so generated requests get past authentication.

    In-process an admin reaches every operation; a live server only offers plain users.
    """
    return signed_in("user" if live_base_url else "admin").headers


@pytest.mark.asvs("5.1.3")
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_error_and_answers_match_the_schema(client, api_schema, fuzz_headers, mode):
    failures = []
    tried = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        try:
            fuzz(client, operation, mode, fuzz_headers)
            tried += 1
        except Unsatisfiable:
            # Some operations have no input that can be made invalid (no parameters).
            continue
        # Gathered so that one run reports every failing operation. A FailureGroup (several
        # failed checks) is a BaseExceptionGroup, not an Exception.
        except (Exception, FailureGroup) as error:  # noqa: BLE001
            failures.append(f"{operation.label}:\n{error}")

    assert tried, "no operation was exercised"
    assert failures == [], "\n\n".join(failures)
