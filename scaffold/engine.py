"""The plain-Python core of `scaffold new`: render, stage, move into place, set up git.

This is the only module that imports Copier, and it does so inside the functions that render,
so `scaffold --help`, `--version`, `list` and shell completion never pay for it. Nothing here
prints or prompts except Copier's own questions in interactive mode.
"""

from __future__ import annotations

import contextlib
import functools
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold import __version__
from scaffold.copier_workers import new_project_worker
from scaffold.envfile import write_env
from scaffold.errors import TemplateError, UserError
from scaffold.gitops import CommitOutcome, git_executable, init_and_commit
from scaffold.names import resolve_names
from scaffold.paths import check_destination
from scaffold.staging import deferred_signals, list_files, make_staging, move_into_place
from scaffold.store import TemplateRef, ensure_version, packaged_templates

ANSWERS_FILE = ".copier-answers.yml"


@dataclass(frozen=True, kw_only=True)
class GenerateRequest:
    """Everything `scaffold new` needs, already parsed.

    Attributes:
        destination: Folder to create (must not exist, or be empty).
        framework: A name from :data:`scaffold.frameworks.FRAMEWORKS`.
        project_name: Human-readable name; the package name is derived from it unless
            ``data`` holds ``package_name``.
        data: Further answers to template questions (``--data KEY=VALUE``), ``database``
            included; a question with no answer takes its default, or is asked when
            ``interactive``.
        interactive: Let Copier ask the questions that have no answer yet.
        dry_run: Render into a temporary folder, report the files, write nothing.
        git: Run ``git init`` and make the first commit.
    """

    destination: Path
    framework: str
    project_name: str
    data: Mapping[str, Any] = field(default_factory=dict)
    interactive: bool = False
    dry_run: bool = False
    git: bool = True


@dataclass(frozen=True, kw_only=True)
class GenerateResult:
    """What `scaffold new` made (or, for a dry run, would make).

    Attributes:
        destination: The project folder.
        framework: The framework rendered.
        database: The default database of the project.
        package_name: The Python package / distribution name.
        files: Paths of the files, relative to ``destination``, sorted, `.git` excluded.
        committed: Whether the first commit was made.
        warnings: Sentences for the user about skipped steps or fallbacks.
    """

    destination: Path
    framework: str
    database: str
    package_name: str
    files: tuple[str, ...]
    committed: bool
    warnings: tuple[str, ...] = ()


def _template_config(template_root: Path | None = None) -> dict[str, Any]:
    import yaml  # noqa: PLC0415 - Copier's own dependency; only needed when rendering

    root = template_root if template_root is not None else packaged_templates()
    loaded = yaml.safe_load((root / "copier.yml").read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


def template_questions(template_root: Path | None = None) -> tuple[str, ...]:
    """Names of the questions the template asks (keys of copier.yml not starting with `_`)."""
    return tuple(key for key in _template_config(template_root) if not key.startswith("_"))


_BOOLEANS = {"true": True, "yes": True, "on": True, "1": True}
_BOOLEANS |= {"false": False, "no": False, "off": False, "0": False}


def _check_choice(key: str, value: object, choices: object) -> object:
    """The choice an answer names, in any case, as ``--database`` reads its value.

    Args:
        key: The question.
        value: The answer given with ``--data``.
        choices: The question's choices (Copier's label: value map), if it has any.

    Returns:
        The choice's own value (``ID`` gives ``id``), or ``value`` for a question without
        choices.

    Raises:
        UserError: Naming the choices, when the answer is none of them.
    """
    if not isinstance(choices, dict):
        return value
    given = str(value).strip().casefold()
    for choice in choices.values():
        if str(choice).casefold() == given:
            return choice
    raise UserError(
        f"--data {key}={value}: not one of the choices.",
        hint=f"Choose one of: {', '.join(map(str, choices.values()))}.",
    )


def check_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """Refuse ``--data`` keys that are not questions of the template; read yes/no answers.

    Returns:
        The answers, with the text given to a yes/no question turned into a bool.

    Raises:
        UserError: Naming the unknown keys and the known questions, or a yes/no question
            given something else.
    """
    config = _template_config()
    known = tuple(key for key in config if not key.startswith("_"))
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise UserError(
            f"Unknown template question(s) in --data: {', '.join(unknown)}.",
            hint=f"Known questions: {', '.join(known)}.",
        )
    checked = dict(data)
    for key, value in data.items():
        checked[key] = _check_choice(key, value, config[key].get("choices"))
        if config[key].get("type") != "bool" or isinstance(value, bool):
            continue
        answer = _BOOLEANS.get(str(value).strip().casefold())
        if answer is None:
            raise UserError(
                f"--data {key}={value}: {key} is a yes/no question.",
                hint=f"Pass --data {key}=true or --data {key}=false.",
            )
        checked[key] = answer
    return checked


def build_answers(request: GenerateRequest) -> dict[str, Any]:
    """Merge the request into Copier answers, validating names and ``--data`` keys.

    Raises:
        UserError: For an unknown question or an invalid name.
    """
    data = check_data(request.data)
    chosen_package = data.get("package_name")
    project_name, package = resolve_names(
        str(data.get("project_name", request.project_name)),
        None if chosen_package is None else str(chosen_package),
    )
    return {
        **data,
        "framework": request.framework,
        "project_name": project_name,
        "package_name": package,
    }


# pydantic (inside Copier) prefixes validator messages with this; users never need it.
_PYDANTIC_PREFIX = re.compile(r"\b(Value|Assertion) error, ")
# How Copier words a refused answer (it raises a plain ValueError for it).
_COPIER_ANSWER_ERROR = re.compile(r"^(Validation error for question|Invalid choice for)")


def _is_answer_error(error: BaseException) -> bool:
    """Whether a ValueError from Copier is a refused answer (the user's to fix), not a bug.

    Copier reports a failed validator or choice, and pydantic a wrongly typed answer, as a
    ValueError. Any other ValueError or TypeError is a bug of scaffold or of a template and
    keeps its traceback.
    """
    from pydantic import ValidationError  # noqa: PLC0415 - Copier's own dependency

    return isinstance(error, ValidationError) or bool(
        _COPIER_ANSWER_ERROR.match(str(error).strip())
    )


def _one_line(error: BaseException) -> str:
    text = _PYDANTIC_PREFIX.sub("", " ".join(str(error).split()))
    return text or type(error).__name__


def render(
    ref: TemplateRef,
    project: Path,
    answers: Mapping[str, Any],
    *,
    interactive: bool,
    overwrite: bool = False,
) -> None:
    """Render the template version ``ref`` into the new folder ``project`` with Copier.

    Raises:
        TemplateError: Copier or Jinja refused the answers or failed to render.
    """
    import jinja2  # noqa: PLC0415 - lazy: keeps --help, --version, list and completion fast
    from copier._main import Worker  # noqa: PLC0415
    from copier._settings import SettingsModel  # noqa: PLC0415 - what Worker takes
    from copier.errors import CopierError  # noqa: PLC0415

    # A fresh folder holds no tracked file, so Copier's per-file git sync has nothing to do
    # (copier_workers.py); over an existing project it may.
    worker_class = Worker if overwrite else new_project_worker()
    try:
        with worker_class(
            src_path=str(ref.repo),
            dst_path=project,
            data=dict(answers),
            vcs_ref=ref.tag,
            overwrite=overwrite,
            # Fresh settings: the user's Copier defaults and trust list must not leak in.
            settings=SettingsModel(),
            defaults=not interactive,
            quiet=True,
            unsafe=False,
            cleanup_on_error=False,  # the staging folder is removed by the caller
        ) as worker:
            worker.run_copy()
    except KeyboardInterrupt:
        raise  # Copier's own interrupt type is also a CopierError: keep it an interrupt
    except (CopierError, jinja2.TemplateError) as error:
        raise TemplateError(f"The template could not be rendered: {_one_line(error)}") from error
    except ValueError as error:
        if not _is_answer_error(error):
            raise
        raise TemplateError(f"The template could not be rendered: {_one_line(error)}") from error


def read_answers(project: Path) -> dict[str, Any]:
    """The answers Copier recorded in ``project``'s answers file (empty if it has none)."""
    import yaml  # noqa: PLC0415

    answers_file = project / ANSWERS_FILE
    if not answers_file.is_file():
        return {}
    loaded = yaml.safe_load(answers_file.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


def template_source() -> TemplateRef:
    """The template version to render: the store's tag, or the packaged folder without git.

    Without git there is no store, so the project renders from the installed package and
    cannot be updated later; :func:`init_and_commit` warns about the missing git.
    """
    if git_executable() is None:
        return TemplateRef(packaged_templates(), None)
    return ensure_version(packaged_templates(), __version__)


def _staging_parent(destination: Path, *, dry_run: bool) -> Path:
    """Where to build the project before it is moved to ``destination``."""
    if dry_run:
        return Path(tempfile.gettempdir())
    if destination.is_dir():
        # An existing empty folder (`scaffold new .`) is filled in place, never replaced:
        # staging inside it keeps every rename on its file system and needs no write access
        # to its parent.
        return destination
    return destination.parent


def generate(request: GenerateRequest, source: TemplateRef | None = None) -> GenerateResult:
    """Create a new project, atomically: on any error or interrupt nothing is left behind.

    The project is rendered, given its `.env` and committed inside a staging folder beside the
    destination (same file system), and only then renamed into place.

    Args:
        request: What to generate.
        source: The template version to render; defaults to :func:`template_source`.
    """
    destination = check_destination(request.destination)
    answers = build_answers(request)
    ref = source if source is not None else template_source()
    staging_parent = _staging_parent(destination, dry_run=request.dry_run)
    with contextlib.ExitStack() as cleanup:
        with deferred_signals():
            # The staging folder and its clean-up come into being together: no interrupt
            # can land between creating it and registering its removal.
            staging = make_staging(staging_parent)
            cleanup.callback(shutil.rmtree, staging, ignore_errors=True)
        project = staging / destination.name
        try:
            render(ref, project, answers, interactive=request.interactive)
            write_env(project)
        except OSError as error:
            # Disk full, permissions, ...: the user's problem to fix, not a bug of ours.
            raise UserError(f"Writing the project failed: {error}") from error
        outcome = CommitOutcome(committed=False)
        if request.git and not request.dry_run:
            outcome = init_and_commit(
                project,
                f"Initial commit from scaffold {ref.tag or __version__} ({answers['framework']})",
            )
        files = list_files(project)
        recorded = read_answers(project)
        if not request.dry_run:
            move_into_place(project, destination)
    return GenerateResult(
        destination=destination,
        framework=answers["framework"],
        database=str(recorded.get("database", "")),
        package_name=answers["package_name"],
        files=files,
        committed=outcome.committed,
        warnings=tuple(w for w in (outcome.warning,) if w),
    )


# What `.copier-answers.yml` records as the template source (templates/_shared/
# copier-answers.yml writes it): a name, not a path, so the file holds no folder or user name
# of the machine that generated the project. `scaffold update` reads it as the local store.
LOCATION_FREE_SOURCE = "scaffold"


def _store_worker(store: Path) -> Any:
    """A Copier ``Worker`` class that reads a project's recorded template source as ``store``.

    Copier renders the project's old version from the source its answers file records. That
    source is :data:`LOCATION_FREE_SOURCE` (or, in projects made before it, a path on the
    machine that made them), so the answers are read through a ``Subproject`` that points it
    at this machine's store. Copier has no public hook for this: ``Worker`` and
    ``Subproject`` come from its modules, which pyproject.toml pins to the tested 9.x series,
    and tests/update covers them.
    """
    from copier._main import Worker  # noqa: PLC0415
    from copier._subproject import Subproject  # noqa: PLC0415

    class StoreSubproject(Subproject):
        @functools.cached_property
        def last_answers(self) -> dict[str, Any]:
            answers = dict(super().last_answers)
            if answers.get("_src_path"):
                answers["_src_path"] = str(store)
            return answers

    class StoreWorker(Worker):
        @functools.cached_property
        def subproject(self) -> Subproject:
            result = StoreSubproject(
                local_abspath=self.dst_path.absolute(),
                answers_relpath=self.answers_file or Path(ANSWERS_FILE),
            )
            self._cleanup_hooks.append(result._cleanup)  # noqa: SLF001 - Copier's own hook
            return result

    return StoreWorker


def copier_update(project: Path, ref: TemplateRef) -> None:
    """Three-way update of ``project`` to ``ref`` with Copier, keeping recorded answers.

    The project's recorded source is read as ``ref``'s store, wherever it was generated.
    Conflicts are written inline (``<<<<<<< before updating``) and recorded as unmerged in
    git's index, so `git status` and editors show them.

    Raises:
        TemplateError: Copier refused or failed.
    """
    import jinja2  # noqa: PLC0415
    from copier._settings import SettingsModel  # noqa: PLC0415 - what Worker takes
    from copier.errors import CopierError  # noqa: PLC0415

    worker_class = _store_worker(ref.repo)
    try:
        with worker_class(
            dst_path=project,
            src_path=str(ref.repo),
            vcs_ref=ref.tag,
            # Fresh settings: the user's Copier defaults and trust list must not leak in.
            settings=SettingsModel(),
            defaults=True,
            overwrite=True,
            skip_answered=True,
            conflict="inline",
            quiet=True,
            unsafe=False,
        ) as worker:
            worker.run_update()
    except KeyboardInterrupt:
        raise  # Copier's own interrupt type is also a CopierError: keep it an interrupt
    except (CopierError, jinja2.TemplateError) as error:
        raise TemplateError(f"The update could not be applied: {_one_line(error)}") from error
    except ValueError as error:
        if not _is_answer_error(error):
            raise
        raise TemplateError(f"The update could not be applied: {_one_line(error)}") from error


def copier_recopy(project: Path, ref: TemplateRef, answers: Mapping[str, Any]) -> None:
    """Re-render ``ref`` over ``project`` with its saved ``answers`` (no merge, no commit).

    Used when the version a project was made from is not in this machine's store: the user
    reviews the result as an uncommitted diff.
    """
    public = {key: value for key, value in answers.items() if not key.startswith("_")}
    render(ref, project, public, interactive=False, overwrite=True)
