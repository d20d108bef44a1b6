"""Validation of project names and the Python package names derived from them.

A package name ends up as an importable package, a distribution name and a database name in
the generated project, so it must be a plain identifier that shadows nothing the project
imports.
"""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata

from scaffold.dependency_names import DEPENDENCY_IMPORTS
from scaffold.errors import InvalidNameError

PACKAGE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,49}$")
MAX_PROJECT_NAME = 100

# Fixed top-level folders and modules of the generated projects (and of every virtual
# environment): a package with one of these names would shadow or clash with them.
PROJECT_FOLDERS = frozenset(
    {"app", "config", "deploy", "exercises", "manage", "migrations", "ops", "tasks", "users"}
)
ENVIRONMENT_TOOLS = frozenset({"pip", "setuptools"})


def _dependency_names() -> frozenset[str]:
    """Every distribution the projects install, as an identifier, and every name it imports as.

    The table is generated from the templates' requirements files (transitive dependencies
    included), so `dotenv`, `click` or `whitenoise` are refused as surely as `flask`.
    """
    names: set[str] = set()
    for distribution, imports in DEPENDENCY_IMPORTS.items():
        names.add(distribution.replace("-", "_"))
        names.update(imports)
    return frozenset(names)


SHADOWED = _dependency_names() | PROJECT_FOLDERS | ENVIRONMENT_TOOLS
WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)
RESERVED_TEST_NAMES = frozenset({"test", "tests"})
# Hard and soft keywords of every Python the generated projects may run on (`type` arrived
# as a soft keyword in 3.12).
KEYWORDS = frozenset({*keyword.kwlist, *keyword.softkwlist, "_", "case", "match", "type"})
STDLIB = frozenset(sys.stdlib_module_names)

PATTERN_REASON = (
    "it must start with a lower-case letter and contain only lower-case letters, digits and "
    "underscores (2 to 50 characters)"
)
# Each rule: (the names it refuses, why). Checked in order; the first that refuses gives the
# reason. templates/_package_names.jinja is generated from these (see CONTRIBUTING.md), so a
# plain `copier copy` applies the same rule.
RULES: tuple[tuple[frozenset[str], str], ...] = (
    (KEYWORDS, "it is a Python keyword"),
    (RESERVED_TEST_NAMES, "it would clash with the test packages"),
    (STDLIB, "it would shadow a module of the Python standard library"),
    (SHADOWED, "it would shadow a package the generated project depends on or contains"),
    (WINDOWS_DEVICES, "it is a reserved device name on Windows"),
)


def derive_package_name(project_name: str) -> str:
    """Turn a human project name into a candidate package name.

    Accents are folded to ASCII, every run of other characters becomes one underscore.

    Args:
        project_name: The name as the user typed it, e.g. ``"My Café API"``.

    Returns:
        The candidate, e.g. ``"my_cafe_api"``; it still has to pass :func:`check_package_name`.
    """
    folded = unicodedata.normalize("NFKD", project_name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")


def _refusal_reason(package: str) -> str | None:
    """Say why ``package`` cannot be used, or return None when it can."""
    if not PACKAGE_PATTERN.fullmatch(package):
        return PATTERN_REASON
    return next((reason for names, reason in RULES if package in names), None)


def suggest_package_name(package: str) -> str:
    """Propose a valid package name close to ``package``.

    Args:
        package: A refused candidate (any string).

    Returns:
        A name that passes :func:`check_package_name`.
    """
    base = derive_package_name(package) or "project"
    if not base[0].isalpha():
        base = f"project_{base}"
    for option in (base, f"{base}_app", f"my_{base}", f"{base}_service"):
        candidate = option[:50].rstrip("_")
        if _refusal_reason(candidate) is None:
            return candidate
    return "my_project"


def check_package_name(package: str, *, explicit: bool = False) -> str:
    """Return ``package`` unchanged if it can be used, else raise with the reason.

    Args:
        package: The candidate.
        explicit: The user gave it as ``--data package_name=...`` (the hint then suggests
            that flag again, not ``--name``, which would not change it).

    Raises:
        InvalidNameError: With the reason and a valid suggestion as the hint.
    """
    reason = _refusal_reason(package)
    if reason is not None:
        suggestion = suggest_package_name(package)
        flag = "--data package_name=" if explicit else "--name "
        raise InvalidNameError(
            f"The package name {package!r} cannot be used: {reason}.",
            hint=f"Try {flag}{suggestion}.",
            answer_hint=f"Try {suggestion}.",
        )
    return package


def check_project_name(project_name: str) -> str:
    """Validate a human project name and return it stripped.

    Raises:
        InvalidNameError: When it is empty, too long or holds control characters.
    """
    name = project_name.strip()
    if not name:
        raise InvalidNameError(
            "The project name is empty.",
            hint="Pass --name my_project.",
            answer_hint="Type a name, e.g. my_project.",
        )
    if len(name) > MAX_PROJECT_NAME:
        raise InvalidNameError(
            f"The project name is {len(name)} characters long; the limit is {MAX_PROJECT_NAME}.",
            hint="Pick a shorter name.",
            answer_hint="Type a shorter name.",
        )
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise InvalidNameError(
            "The project name contains control characters.",
            hint="Use letters, digits, spaces, '-' or '_'.",
            answer_hint="Use letters, digits, spaces, '-' or '_'.",
        )
    return name


def resolve_names(project_name: str, package_name: str | None = None) -> tuple[str, str]:
    """Validate the project name and the package name (derived when not given).

    Returns:
        ``(project_name, package_name)``, both valid.
    """
    name = check_project_name(project_name)
    if package_name is not None:
        return name, check_package_name(package_name, explicit=True)
    return name, check_package_name(derive_package_name(name))
