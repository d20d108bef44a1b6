import keyword

import pytest

from scaffold.errors import InvalidNameError
from scaffold.names import (
    check_package_name,
    check_project_name,
    derive_package_name,
    resolve_names,
    suggest_package_name,
)


@pytest.mark.parametrize(
    ("project", "package"),
    [
        ("demo", "demo"),
        ("My Demo", "my_demo"),
        ("my-api", "my_api"),
        ("  Café  Tasks!! ", "cafe_tasks"),
        ("shop2go", "shop2go"),
    ],
)
def test_package_name_is_derived_from_the_project_name(project: str, package: str) -> None:
    assert derive_package_name(project) == package
    assert resolve_names(project) == (project.strip(), package)


@pytest.mark.parametrize(
    ("package", "reason"),
    [
        ("class", "keyword"),
        ("match", "keyword"),
        ("type", "keyword"),
        ("json", "standard library"),
        ("asyncio", "standard library"),
        ("test", "test packages"),
        ("tests", "test packages"),
        ("flask", "shadow a package"),
        ("django", "shadow a package"),
        ("fastapi", "shadow a package"),
        ("sqlalchemy", "shadow a package"),
        ("con", "device name"),
        ("lpt1", "device name"),
        ("9lives", "must start with a lower-case letter"),
        ("a", "must start with a lower-case letter"),
        ("x" * 51, "must start with a lower-case letter"),
        ("Demo", "must start with a lower-case letter"),
    ],
)
def test_refused_package_names_say_why_and_suggest_a_valid_one(package: str, reason: str) -> None:
    with pytest.raises(InvalidNameError) as caught:
        check_package_name(package)
    assert reason in caught.value.message
    assert caught.value.hint is not None
    suggestion = caught.value.hint.removeprefix("Try --name ").removesuffix(".")
    assert check_package_name(suggestion) == suggestion
    assert caught.value.answer_hint == f"Try {suggestion}."


def test_every_soft_keyword_is_refused() -> None:
    for word in keyword.softkwlist:
        if derive_package_name(word) == word and len(word) > 1:
            with pytest.raises(InvalidNameError):
                check_package_name(word)


@pytest.mark.parametrize("refused", ["", "   ", "a\x07b", "x" * 101])
def test_refused_project_names(refused: str) -> None:
    with pytest.raises(InvalidNameError):
        check_project_name(refused)


@pytest.mark.parametrize("raw", ["json", "9", "!!!", "class", "x" * 80, "flask"])
def test_suggestions_are_always_valid(raw: str) -> None:
    suggestion = suggest_package_name(raw)
    assert check_package_name(suggestion) == suggestion


def test_explicit_package_name_is_checked_too() -> None:
    assert resolve_names("Anything", "tasks_api") == ("Anything", "tasks_api")
    with pytest.raises(InvalidNameError):
        resolve_names("Anything", "os")


def test_an_explicit_package_name_is_corrected_with_the_flag_that_set_it() -> None:
    with pytest.raises(InvalidNameError) as caught:
        resolve_names("flask_app", "flask")
    assert caught.value.hint == "Try --data package_name=flask_app."
