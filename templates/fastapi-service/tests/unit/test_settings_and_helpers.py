"""Settings parsing, the database URL mapping, CSV escaping and problem field names."""

import pytest
from pydantic import ValidationError

from app.api.errors import field_name
from app.api.export import escape_cell
from app.core.config import Settings
from app.core.db import sqlalchemy_url


def test_cors_origins_are_read_as_a_comma_separated_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example")

    settings = Settings(_env_file=None, environment="test")

    assert settings.cors_origins == ("https://a.example", "https://b.example")


def test_a_wildcard_cors_origin_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ORIGINS", "*")

    with pytest.raises(ValidationError):
        Settings(_env_file=None, environment="test")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db:5432/app", "postgresql+psycopg://u:p@db:5432/app"),
        ("postgres://u@db/app", "postgresql+psycopg://u@db/app"),
        ("sqlite:///./app.db", "sqlite:///./app.db"),
    ],
)
def test_postgresql_urls_use_the_psycopg_driver(given: str, expected: str) -> None:
    assert sqlalchemy_url(given) == expected


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_prefixed_with_a_quote(cell: str) -> None:
    assert escape_cell(cell) == "'" + cell


def test_ordinary_cells_are_left_alone() -> None:
    assert escape_cell("buy milk") == "buy milk"


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        (("body", "title"), "title"),
        (("body", "items", 0, "name"), "items.0.name"),
        (("query", "limit"), "limit"),
        (("path", "id"), "id"),
        (("body",), ""),
    ],
)
def test_field_names_are_dotted_body_paths_or_bare_parameter_names(
    location: tuple[str | int, ...], expected: str
) -> None:
    assert field_name(location) == expected
