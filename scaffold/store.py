"""The per-user template store that makes every generated project updatable.

Copier can update a project only from a git repository with PEP 440 version tags, while our
templates ship as a plain folder inside the installed package. So the first time a version of
scaffold runs, its packaged templates are committed into a git repository under the user's
data folder (``SCAFFOLD_HOME`` overrides it) and tagged with that version. Projects are
generated from that tag, so their answers file records a source and a version that
`scaffold update` can find again later.

Nothing is copied to do this: git hashes the packaged folder through a temporary index, so
adding a version costs one `git add` over the templates.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from scaffold.errors import UserError
from scaffold.gitops import FALLBACK_EMAIL, FALLBACK_NAME, clean_env, run_git

STORE_ENV = "SCAFFOLD_HOME"
# Never part of a template, wherever the packaged folder comes from.
_CACHE_PATTERNS = ("**/__pycache__/**", "**/*.py[co]", "**/.DS_Store", "**/.*_cache/**")


@dataclass(frozen=True)
class TemplateRef:
    """A template version inside the store.

    Attributes:
        repo: The store's repository root (Copier's ``src_path``).
        tag: The PEP 440 tag of this version (Copier's ``vcs_ref``), or None when the
            templates are used straight from the package (no git: no update path).
    """

    repo: Path
    tag: str | None


def store_path() -> Path:
    """Where the store lives: ``$SCAFFOLD_HOME/templates`` or the user data folder."""
    override = os.environ.get(STORE_ENV)
    if override:
        return Path(override).expanduser().resolve() / "templates"
    import platformdirs  # noqa: PLC0415 - only needed when rendering

    return platformdirs.user_data_path("scaffold", appauthor=False) / "templates"


def packaged_templates() -> Path:
    """The template root shipped with this installation.

    The wheel carries it as ``scaffold/templates``; a source checkout has it beside the
    package.

    Raises:
        UserError: When the installation has no templates (a broken install).
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "copier.yml").is_file():
            return candidate
    raise UserError(
        "This scaffold installation has no templates.", hint="Reinstall scaffold with pip."
    )


@contextlib.contextmanager
def _locked(store: Path) -> Iterator[None]:
    """Serialise changes to the store between scaffold processes."""
    store.parent.mkdir(parents=True, exist_ok=True)
    lock_path = store.parent / "templates.lock"
    with lock_path.open("a") as handle:
        try:
            import fcntl  # noqa: PLC0415 - POSIX only; elsewhere runs are not serialised
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _init(store: Path) -> None:
    if (store / ".git").is_dir():
        return
    store.mkdir(parents=True, exist_ok=True)
    run_git(["init", "--quiet", "-b", "main"], store)


def tree_of(store: Path, templates: Path) -> str:
    """Hash ``templates`` into the store's object database and return its tree id."""
    git_dir = str(store / ".git")
    with tempfile.TemporaryDirectory(prefix="scaffold-index-") as scratch:
        env = clean_env(GIT_INDEX_FILE=str(Path(scratch) / "index"))
        base = ["--git-dir", git_dir, "--work-tree", str(templates)]
        # --force: a .gitignore shipped inside a template must not hide template files.
        # Caches are excluded by pathspec, so git never even reads them.
        excludes = [f":(exclude,glob){pattern}" for pattern in _CACHE_PATTERNS]
        run_git([*base, "add", "--all", "--force", "--", ".", *excludes], templates, env=env)
        return run_git([*base, "write-tree"], templates, env=env).stdout.strip()


def _tags_by_tree(store: Path) -> dict[str, list[str]]:
    listing = run_git(
        ["for-each-ref", "--format=%(refname:short)\t%(tree)", "refs/tags"], store
    ).stdout
    trees: dict[str, list[str]] = {}
    for line in listing.splitlines():
        tag, _, tree = line.partition("\t")
        trees.setdefault(tree, []).append(tag)
    return trees


def _next_tag(version: str, taken: set[str]) -> str:
    """The tag for new content under ``version``: the version itself, else ``+dev.N``.

    Development builds can change templates without a version bump; a numeric local label
    keeps every such snapshot ordered after the previous one (PEP 440 compares it as a number).
    """
    if version not in taken:
        return version
    number = 1
    while f"{version}+dev.{number}" in taken:
        number += 1
    return f"{version}+dev.{number}"


def _commit(store: Path, tree: str, tag: str) -> None:
    env = clean_env(
        GIT_AUTHOR_NAME=FALLBACK_NAME,
        GIT_AUTHOR_EMAIL=FALLBACK_EMAIL,
        GIT_COMMITTER_NAME=FALLBACK_NAME,
        GIT_COMMITTER_EMAIL=FALLBACK_EMAIL,
    )
    parent = run_git(["rev-parse", "--verify", "--quiet", "refs/heads/main"], store, check=False)
    parent_args = ["-p", parent.stdout.strip()] if parent.returncode == 0 else []
    commit = run_git(
        ["commit-tree", tree, *parent_args, "-m", f"scaffold templates {tag}"], store, env=env
    ).stdout.strip()
    run_git(["update-ref", "refs/heads/main", commit], store)
    run_git(["tag", tag, commit], store)


def ensure_version(templates: Path, version: str, store: Path | None = None) -> TemplateRef:
    """Make sure the store holds ``templates`` as a tagged version and return that version.

    Args:
        templates: The template root to record (normally :func:`packaged_templates`).
        version: scaffold's version; the tag is this version, or ``VERSION+dev.N`` when the
            store already has different templates under it.
        store: The store root; defaults to :func:`store_path`.
    """
    store = store if store is not None else store_path()
    with _locked(store):
        _init(store)
        tree = tree_of(store, templates)
        by_tree = _tags_by_tree(store)
        same = [tag for tag in by_tree.get(tree, []) if tag.split("+")[0] == version]
        if same:
            return TemplateRef(store, sorted(same)[0])
        taken = {tag for tags in by_tree.values() for tag in tags}
        tag = _next_tag(version, taken)
        _commit(store, tree, tag)
        return TemplateRef(store, tag)


def has_tag(store: Path, tag: str) -> bool:
    """Whether the store at ``store`` holds the version ``tag``."""
    if not (store / ".git").is_dir():
        return False
    found = run_git(["rev-parse", "--verify", "--quiet", f"refs/tags/{tag}"], store, check=False)
    return found.returncode == 0
