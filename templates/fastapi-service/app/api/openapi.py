"""The OpenAPI document, adjusted to say what the API really sends for errors.

FastAPI documents every error body as `application/json` and 422s with its own validation
schema; this API answers with `application/problem+json` and its own 422 shape, so the
document is rewritten once, when first requested. Routes list the errors they can answer with
`responses=problems(...)`.
"""

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.core.problems import PROBLEM_JSON
from app.schemas import Problem, ValidationProblem

VALIDATION_PROBLEM = {"$ref": "#/components/schemas/ValidationProblem"}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers a route can give (bodies are problem+json).

    Args:
        statuses: the HTTP statuses, e.g. `problems(404, 422)`.

    Returns:
        The `responses=` argument of a route decorator.
    """
    return {
        status: {
            "model": ValidationProblem if status == HTTPStatus.UNPROCESSABLE_ENTITY else Problem,
            "description": HTTPStatus(status).phrase,
        }
        for status in statuses
    }


def _use_problem_json(responses: dict[str, Any]) -> None:
    for status, response in responses.items():
        content = response.get("content")
        if not status.startswith(("4", "5")) or not content:
            continue
        schema = content.get("application/json", {}).get("schema")
        if status == "422":
            schema = VALIDATION_PROBLEM
        response["content"] = {PROBLEM_JSON: {"schema": schema} if schema else {}}


def problem_json_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """Return a replacement for `app.openapi` that documents problem+json errors."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            for path_item in schema["paths"].values():
                for operation in path_item.values():
                    _use_problem_json(operation.get("responses", {}))
            components = schema.get("components", {}).get("schemas", {})
            for unused in ("HTTPValidationError", "ValidationError"):
                components.pop(unused, None)
            app.openapi_schema = schema
        return app.openapi_schema

    return openapi
