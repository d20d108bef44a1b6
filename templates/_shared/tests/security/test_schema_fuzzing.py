"""Property-based checks of every documented operation with schemathesis (ASVS 5.1.3).

The schema is the app's own /openapi.json and every request goes through the same ``client``
as the rest of the suite, so this runs unchanged in-process (any framework) and against
``--base-url``. Examples are bounded and derandomized: the same inputs on every run.

Every check that judges one answer on its own is on (CONTRACT.md, "The OpenAPI document"):
no server error; status codes, content types, headers and bodies as documented; invalid input
refused; valid input accepted. The checks that send requests of their own (stateful ones,
``ignored_auth``, ``unsupported_method``) need schemathesis's own transport, which cannot reach
an in-process app; the method walk below covers what ``unsupported_method`` would.

Hypothesis is driven directly (``operation.as_strategy()``) rather than through
``schemathesis.pytest.from_fixture``, whose lazy loader reads ``Function._nodeid``, an
attribute pytest 9 no longer has.
https://schemathesis.readthedocs.io/en/stable/

schemathesis and hypothesis are imported by the tests that use them, not by this module:
every pytest process (each xdist worker) imports every test module to collect it, and the
two cost about half a second of CPU there (more when pytest rewrites their asserts).
"""

from __future__ import annotations

import re
from functools import cache
from http import HTTPStatus
from types import SimpleNamespace

import pytest

from tests.contract.helpers import assert_problem

PASSWORD_FIELDS = frozenset({"password", "new_password"})
CHANGE_PASSWORD = "POST /api/v1/users/me/password"
TASK_INPUTS = frozenset({"title", "description", "status", "priority", "due_date"})
# The inputs CONTRACT.md defines, per operation: query parameters and body fields. Valid data
# is judged only on these; an operation or input a project adds later (the exercises add
# several) may carry rules a schema cannot state, such as "due_before not before due_after".
CONTRACT_INPUTS = {
    "POST /api/v1/auth/register": frozenset({"email", "password", "full_name"}),
    "POST /api/v1/auth/login": frozenset({"email", "password"}),
    "POST /api/v1/auth/refresh": frozenset({"refresh_token"}),
    "POST /api/v1/auth/logout": frozenset({"refresh_token"}),
    "GET /api/v1/users/me": frozenset(),
    "PATCH /api/v1/users/me": frozenset({"full_name"}),
    CHANGE_PASSWORD: frozenset({"current_password", "new_password"}),
    "GET /api/v1/users": frozenset({"limit", "offset"}),
    "GET /api/v1/tasks": frozenset({"status", "limit", "offset"}),
    "POST /api/v1/tasks": TASK_INPUTS,
    "GET /api/v1/tasks/{id}": frozenset(),
    "PATCH /api/v1/tasks/{id}": TASK_INPUTS,
    "DELETE /api/v1/tasks/{id}": frozenset(),
    "GET /api/v1/tasks/export": frozenset({"format"}),
    "GET /api/v1/reports/summary": frozenset(),
}


def _inputs(case):
    """The names of the query parameters and body fields a generated request carries."""
    names = set(case.query or {})
    if isinstance(case.body, dict):
        names |= set(case.body)
    return names


def positive_data_accepted_unless_a_password_rule(ctx, response, case):
    """``positive_data_acceptance`` on the contract's own inputs, less its password rules.

    A schema cannot say "not one of the common passwords", "not equal to the email" or "the
    current password must be right", so a schema-valid request may still meet those rules:
    a 422 that names only password fields, or the 400 of a wrong current password. Requests
    to operations or with inputs the contract does not define are left to the other checks.

    Args:
        ctx: The check context.
        response: The answer.
        case: The generated request.

    Returns:
        What the wrapped check returns.
    """
    label = case.operation.label
    known = CONTRACT_INPUTS.get(re.sub(r"\{[^}]+\}", "{id}", label))
    if known is None or not _inputs(case) <= known:
        return None
    status = response.status_code
    if status == HTTPStatus.BAD_REQUEST and label == CHANGE_PASSWORD:
        return None
    if status == HTTPStatus.UNPROCESSABLE_ENTITY:
        fields = {error.get("field") for error in response.json().get("errors", [])}
        if fields and fields <= PASSWORD_FIELDS:
            return None
    return fuzzing().positive_data_acceptance(ctx, response, case)


# Enough to reach each operation's validation paths, few enough for a 2-core CI machine.
MAX_EXAMPLES = 15
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MODES = ("positive", "negative")


@cache
def fuzzing():
    """Import schemathesis and hypothesis once, when a test first needs them.

    Returns:
        A namespace with the libraries' names this module uses, the checks every answer is
        judged by and the Hypothesis settings of every search.
    """
    # Imported here, not at the top: see the module's docstring.
    import schemathesis  # noqa: PLC0415
    from hypothesis import HealthCheck, Phase, given, settings  # noqa: PLC0415
    from hypothesis.errors import Unsatisfiable  # noqa: PLC0415
    from schemathesis.checks import not_a_server_error  # noqa: PLC0415
    from schemathesis.core.failures import FailureGroup  # noqa: PLC0415
    from schemathesis.specs.openapi import checks  # noqa: PLC0415

    return SimpleNamespace(
        schemathesis=schemathesis,
        given=given,
        Unsatisfiable=Unsatisfiable,
        FailureGroup=FailureGroup,
        positive_data_acceptance=checks.positive_data_acceptance,
        checks=[
            not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_headers_conformance,
            checks.response_schema_conformance,
            checks.negative_data_rejection,
            positive_data_accepted_unless_a_password_rule,
            checks.missing_required_header,
            checks.allow_header_conformance,
        ],
        settings=settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        ),
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
        mode: Positive (valid) or negative (invalid) inputs, a ``GenerationMode``.
        headers: Headers every request carries.
    """
    libraries = fuzzing()

    @libraries.settings
    @libraries.given(case=operation.as_strategy(generation_mode=mode))
    def search(case):
        case.validate_response(send(client, case, headers), checks=libraries.checks)

    search()


@pytest.fixture
def api_schema(client):
    """The app's OpenAPI document, loaded into schemathesis."""
    response = client.get("/openapi.json")
    assert response.status_code == HTTPStatus.OK
    schema = fuzzing().schemathesis.openapi.from_dict(response.json())
    # CONTRACT.md: unknown query parameters are ignored, so requests that add some are not
    # "invalid data" the server must refuse.
    schema.config.generation.update(allow_extra_parameters=False)
    return schema


@pytest.fixture
def fuzz_headers(signed_in, live_base_url):
    """An Authorization header, so generated requests get past authentication.

    In-process an admin reaches every operation; a live server only offers plain users.
    """
    return signed_in("user" if live_base_url else "admin").headers


@pytest.mark.long
@pytest.mark.asvs("5.1.3")
@pytest.mark.parametrize("mode", MODES)
def test_no_server_error_and_answers_match_the_schema(client, api_schema, fuzz_headers, mode):
    libraries = fuzzing()
    generation_mode = libraries.schemathesis.GenerationMode(mode)
    failures = []
    tried = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        try:
            fuzz(client, operation, generation_mode, fuzz_headers)
            tried += 1
        except libraries.Unsatisfiable:
            # Some operations have no input that can be made invalid (no parameters).
            continue
        # Gathered so that one run reports every failing operation. A FailureGroup (several
        # failed checks) is a BaseExceptionGroup, not an Exception.
        except (Exception, libraries.FailureGroup) as error:  # noqa: BLE001
            failures.append(f"{operation.label}:\n{error}")

    assert tried, "no operation was exercised"
    assert failures == [], "\n\n".join(failures)


def _concrete(path):
    """A documented path with every ``{parameter}`` filled in with an id that exists nowhere."""
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.mark.asvs("5.1.3")
def test_a_method_the_path_lacks_is_405_with_allow(client, api_schema, fuzz_headers):
    wrong = []
    for path, item in api_schema.raw_schema["paths"].items():
        documented = {method.upper() for method in item} & set(HTTP_METHODS)
        expected_allow = documented | {"OPTIONS"} | ({"HEAD"} if "GET" in documented else set())
        for method in sorted(set(HTTP_METHODS) - documented):
            response = client.request(method, _concrete(path), headers=fuzz_headers)
            allow = {part.strip() for part in response.headers.get("Allow", "").split(",")}
            if response.status_code != HTTPStatus.METHOD_NOT_ALLOWED or allow != expected_allow:
                wrong.append(f"{method} {path}: {response.status_code}, Allow: {allow}")
                continue
            assert_problem(response, HTTPStatus.METHOD_NOT_ALLOWED)
    assert wrong == []
