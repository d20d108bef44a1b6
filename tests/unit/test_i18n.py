"""The learner's languages: every string of the exercises exists in every language.

The template renders EXERCISES.md, the hints and the checker's messages from one catalogue of
strings per language (``templates/_shared/i18n/<language>.yml``, chosen by the ``language``
question). A string that exists in one language only would show a learner of the other one a
hole, or an English sentence in an Indonesian page; these tests fail first.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jinja2
import pytest
import yaml

from tests.conftest import TEMPLATES

CATALOGUES = TEMPLATES / "_shared" / "i18n"
LANGUAGES = ("en", "id")
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
CODE = re.compile(r"`([^`]+)`")
# A fenced block (the README's trees and commands) is compared by its lines of code: its
# comments and descriptions are prose and are translated, and its fences would pair the
# backticks of the text around it wrongly.
FENCE = re.compile(r"^ *```.*?^ *```", re.MULTILINE | re.DOTALL)


def _load(language: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CATALOGUES / f"{language}.yml").read_text("utf-8"))
    return loaded


def _strings(node: object, path: str = "") -> dict[str, str]:
    """Every string of a catalogue by its path (``checker.stuck``, ``exercises.tags.goal.0``)."""
    if isinstance(node, dict):
        items = [(f"{path}.{key}", value) for key, value in node.items()]
    elif isinstance(node, list):
        items = [(f"{path}.{index}", value) for index, value in enumerate(node)]
    else:
        assert isinstance(node, str), f"{path}: {node!r} is not a string"
        return {path.lstrip("."): node}
    return {key: text for where, value in items for key, text in _strings(value, where).items()}


def test_the_question_offers_exactly_the_catalogues() -> None:
    config = yaml.safe_load((TEMPLATES / "copier.yml").read_text("utf-8"))
    offered = set(config["language"]["choices"].values())
    assert offered == set(LANGUAGES)
    assert offered == {path.stem for path in CATALOGUES.glob("*.yml")}
    assert config["language"]["default"] == "en"


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_string_exists_in_both_languages(language: str) -> None:
    english, other = _strings(_load("en")), _strings(_load(language))
    only_english = sorted(set(english) - set(other))
    only_other = sorted(set(other) - set(english))
    assert not only_english, f"missing in {language}.yml: {only_english}"
    assert not only_other, f"in {language}.yml but not in en.yml: {only_other}"
    empty = sorted(key for key, text in other.items() if not text.strip())
    assert not empty, f"empty in {language}.yml: {empty}"


def _code(text: str) -> list[str]:
    """The code spans of a string, and the first column of each line of its fenced blocks
    (a command without its comment, a path without its description)."""
    fenced = [
        line.split("  #")[0].split("  ")[0].strip()
        for block in FENCE.findall(text)
        for line in block.splitlines()
    ]
    return CODE.findall(FENCE.sub("", text)) + [line for line in fenced if line]


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_placeholders_and_code_are_the_same_in_both_languages(language: str) -> None:
    english, other = _strings(_load("en")), _strings(_load(language))
    for key in sorted(set(english) & set(other)):
        assert set(PLACEHOLDER.findall(other[key])) == set(PLACEHOLDER.findall(english[key])), (
            f"{key}: the {{placeholders}} differ between en.yml and {language}.yml"
        )
        missing = set(_code(english[key])) - set(_code(other[key]))
        assert not missing, f"{key}: code spans of en.yml missing in {language}.yml: {missing}"


def _catalog(language: str, **changed: object) -> list[dict[str, Any]]:
    """catalog.jinja's exercises in `language`, rendered by plain Jinja as Copier would."""
    # Markdown and JSON, never HTML: autoescaping would corrupt them (as in Copier).
    environment = jinja2.Environment(  # noqa: S701
        loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined
    )
    environment.filters["from_yaml"] = yaml.safe_load
    source = (
        "{% import '_shared/exercises/catalog.jinja' as c with context %}"
        "{{ c.exercises | tojson }}"
    )
    # The catalogues hold Jinja too (the README's sections depend on the answers).
    config = yaml.safe_load((TEMPLATES / "copier.yml").read_text("utf-8"))
    answers = {
        key: question.get("default")
        for key, question in config.items()
        if not key.startswith("_") and isinstance(question, dict)
    }
    answers |= {"framework": "flask-api", "project_name": "Demo", "package_name": "pkg"}
    answers |= changed
    rendered = environment.from_string(source).render(**(answers | {"language": language}))
    exercises: list[dict[str, Any]] = json.loads(rendered)
    return exercises


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_exercise_has_its_texts_and_a_reason_for_every_path(language: str) -> None:
    exercises = _catalog(language)
    assert [exercise["slug"] for exercise in exercises] == list(_load(language)["exercises"])
    assert [exercise["number"] for exercise in exercises] == list(range(1, len(exercises) + 1))
    for exercise in exercises:
        for framework in ("flask-api", "django-app", "fastapi-service"):
            pairs = exercise["where"][framework]
            reasons = _load(language)["exercises"][exercise["slug"]]["where"][framework]
            assert len(pairs) == len(reasons), f"{language}.yml {exercise['slug']} {framework}"
            assert all(path and reason for path, reason in pairs), exercise["slug"]
        assert exercise["title"], exercise["slug"]
        assert exercise["hints"], exercise["slug"]


def test_an_exercise_that_needs_a_capability_leaves_with_it_and_the_numbers_stay() -> None:
    every = {exercise["slug"]: exercise["number"] for exercise in _catalog("en")}
    lean = {exercise["slug"]: exercise["number"] for exercise in _catalog("en", with_deploy=False)}
    assert "proxy_rate_limit" in every
    assert "proxy_rate_limit" not in lean
    assert all(every[slug] == number for slug, number in lean.items())
