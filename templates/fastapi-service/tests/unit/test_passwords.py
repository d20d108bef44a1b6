"""Password rules, without the database or the app."""

import pytest

from app.core.passwords import common_passwords, password_problem

EMAIL = "ada@example.com"


@pytest.mark.parametrize(
    "password",
    ["a" * 5 + "b" * 7, "correct horse battery", "ünïcödé-pässwörd", "🔑" * 12, "x" * 128],
)
def test_accepts_passwords_of_12_to_128_characters(password: str) -> None:
    assert password_problem(password, email=EMAIL) is None


@pytest.mark.parametrize("password", ["short-pass1", "x" * 129, ""])
def test_refuses_passwords_outside_12_to_128_characters(password: str) -> None:
    assert password_problem(password, email=EMAIL) is not None


@pytest.mark.parametrize(
    "password", ["password1234", "PASSWORD1234", "123456789012", "1q2w3e4r5t6y"]
)
def test_refuses_common_passwords_whatever_their_case(password: str) -> None:
    problem = password_problem(password, email=EMAIL)

    assert problem is not None
    assert "common" in problem


def test_refuses_the_email_as_password() -> None:
    assert password_problem("Ada@Example.com", email=EMAIL) is not None


def test_the_shipped_list_has_at_least_10000_entries() -> None:
    assert len(common_passwords()) >= 10_000
