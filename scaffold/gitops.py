"""Thin wrappers around the `git` command line (argument lists, never a shell).

Kept apart from the engine so the template store and project set-up share one way of
calling git, with one scrubbed environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess  # nosec B404 - git is called with argument lists only
from dataclasses import dataclass
from pathlib import Path

from scaffold.errors import UserError

# Used only when the user has no identity configured; never written to their git config.
FALLBACK_NAME = "scaffold"
FALLBACK_EMAIL = "scaffold@localhost"

# Variables that would point git at another repository (set inside git hooks, for example).
_REPO_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY")


def git_executable() -> str | None:
    """Return the path of `git`, or None when it is not on PATH."""
    return shutil.which("git")


def clean_env(**extra: str) -> dict[str, str]:
    """The current environment without variables that redirect git, plus ``extra``."""
    env = {key: value for key, value in os.environ.items() if key not in _REPO_VARIABLES}
    env.update(extra)
    return env


def run_git(
    args: list[str], cwd: Path, *, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ``git ARGS`` in ``cwd`` and return the finished process.

    Raises:
        UserError: When git is missing, or when ``check`` and git exits non-zero.
    """
    git = git_executable()
    if git is None:
        raise UserError("git is not installed or not on PATH.", hint="Install git and retry.")
    completed = subprocess.run(  # noqa: S603 - fixed executable, argument list
        [git, *args],
        cwd=cwd,
        env=env if env is not None else clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if check and completed.returncode != 0:
        raise UserError(_failure(args, completed))
    return completed


def _failure(args: list[str], completed: subprocess.CompletedProcess[str]) -> str:
    """One line naming the git command that failed and git's last word on why."""
    detail = (completed.stderr or completed.stdout).strip().splitlines()
    command = next((arg for arg in args if not arg.startswith("-") and "/" not in arg), "")
    return f"git {command} failed: {detail[-1] if detail else f'exit {completed.returncode}'}"


def has_identity(cwd: Path) -> bool:
    """Whether git knows the user's name and e-mail (from any config level or env)."""
    env = clean_env()
    if "GIT_AUTHOR_NAME" in env and "GIT_AUTHOR_EMAIL" in env:
        return True
    name = run_git(["config", "user.name"], cwd, check=False)
    email = run_git(["config", "user.email"], cwd, check=False)
    return bool(name.stdout.strip()) and bool(email.stdout.strip())


@dataclass(frozen=True)
class CommitOutcome:
    """What happened when setting up the project's repository.

    Attributes:
        committed: Whether the first commit was made.
        warning: A sentence for the user when something was skipped or a fallback used.
    """

    committed: bool
    warning: str | None = None


def init_and_commit(project: Path, message: str) -> CommitOutcome:
    """`git init -b main` in ``project`` and commit everything git does not ignore.

    A missing git is a warning, not a failure: the project is complete without a repository.
    """
    if git_executable() is None:
        return CommitOutcome(
            committed=False,
            warning="git was not found on PATH: the project has no repository yet (run "
            "`git init -b main` there once git is installed), and `scaffold update` will not "
            "be able to update it.",
        )
    run_git(["init", "--quiet", "-b", "main"], project)
    run_git(["add", "--all"], project)
    env = clean_env()
    warning = None
    if not has_identity(project):
        # Identity for this one commit only, through the environment: the user's git
        # configuration is never touched.
        for role in ("AUTHOR", "COMMITTER"):
            env[f"GIT_{role}_NAME"] = FALLBACK_NAME
            env[f"GIT_{role}_EMAIL"] = FALLBACK_EMAIL
        warning = (
            f"git has no user.name/user.email, so the first commit is by "
            f"'{FALLBACK_NAME} <{FALLBACK_EMAIL}>'. Set yours with `git config --global "
            "user.name ...` and `user.email ...`, then `git commit --amend --reset-author`."
        )
    # --no-verify: the user's global hooks are not set up for a project that does not exist yet.
    run_git(["commit", "--quiet", "--no-verify", "-m", message], project, env=env)
    return CommitOutcome(committed=True, warning=warning)
