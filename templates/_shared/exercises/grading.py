"""Grades for a teacher: the checker's results as points, in JSON and in JUnit XML.

`python -m exercises.check --json` prints the report this module builds, and `--junit FILE`
writes it as JUnit XML, the format CI systems and GitHub Classroom display. Every exercise is
worth its catalogue's `points` when its tests pass; the project's own suite (`make test`) is
worth SUITE_POINTS more when it stays green, so an answer that breaks the rest of the project
loses points even when its exercise passes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from xml.etree import ElementTree

if TYPE_CHECKING:
    from collections.abc import Mapping

SUITE_POINTS = 10
SUITE_NAME = "the project's own suite (make test)"


class Outcome(Protocol):
    """What the checker knows of one exercise, or of the suite."""

    @property
    def passed(self) -> bool:
        """Whether it passed."""

    @property
    def failed_test(self) -> str:
        """The first failing test, if any."""

    @property
    def message(self) -> str:
        """That test's message."""


def _entry(name: str, outcome: Outcome | None, max_points: int) -> dict[str, Any]:
    passed = outcome is not None and outcome.passed
    return {
        "name": name,
        "ran": outcome is not None,
        "passed": passed,
        "points": max_points if passed else 0,
        "max_points": max_points,
        "failed_test": "" if outcome is None else outcome.failed_test,
        "message": "" if outcome is None else outcome.message,
    }


def build_report(
    framework: str,
    exercises: list[dict[str, Any]],
    results: Mapping[int, Outcome],
    suite: Outcome | None,
) -> dict[str, Any]:
    """The grade of every exercise and of the suite, with the totals.

    Args:
        framework: The project's framework, as its catalogue names it.
        exercises: The catalogue's exercises, in order.
        results: What the checker found, by exercise number.
        suite: The suite's outcome, or None when it was skipped (it then earns nothing).

    Returns:
        A JSON-ready dict: ``exercises`` (one entry each, with ``number``), ``suite``,
        ``points`` and ``max_points``.
    """
    graded = []
    for exercise in exercises:
        name = f"{exercise['number']:02d} {exercise['title']}"
        entry = _entry(name, results.get(exercise["number"]), int(exercise["points"]))
        graded.append({"number": exercise["number"], **entry})
    suite_entry = _entry(SUITE_NAME, suite, SUITE_POINTS)
    everything = [*graded, suite_entry]
    return {
        "framework": framework,
        "exercises": graded,
        "suite": suite_entry,
        "points": sum(entry["points"] for entry in everything),
        "max_points": sum(entry["max_points"] for entry in everything),
    }


def junit_xml(report: Mapping[str, Any]) -> str:
    """The report as JUnit XML: one test case per exercise and one for the suite.

    A failed exercise carries its first failing test and message; one that did not run (the
    suite with --no-suite) is skipped. The totals are the test suite's properties.
    """
    cases = [*report["exercises"], report["suite"]]
    failures = sum(1 for case in cases if case["ran"] and not case["passed"])
    skipped = sum(1 for case in cases if not case["ran"])
    root = ElementTree.Element("testsuites", name="exercises")
    suite = ElementTree.SubElement(
        root,
        "testsuite",
        name=f"exercises ({report['framework']})",
        tests=str(len(cases)),
        failures=str(failures),
        skipped=str(skipped),
    )
    properties = ElementTree.SubElement(suite, "properties")
    for key in ("points", "max_points"):
        ElementTree.SubElement(properties, "property", name=key, value=str(report[key]))
    for case in cases:
        element = ElementTree.SubElement(
            suite, "testcase", classname="exercises", name=case["name"]
        )
        if not case["ran"]:
            ElementTree.SubElement(element, "skipped", message="not run (--no-suite)")
        elif not case["passed"]:
            failure = ElementTree.SubElement(
                element, "failure", message=case["failed_test"] or "failed"
            )
            failure.text = case["message"]
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True)
