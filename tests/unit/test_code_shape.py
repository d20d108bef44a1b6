"""Shape rules of scaffold's own code that ruff's project-wide settings do not state."""

import ast

from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "scaffold"


_BRANCHES = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.ExceptHandler, ast.IfExp,
             ast.match_case, ast.comprehension)  # fmt: skip


def cyclomatic_complexity(function: ast.AST) -> int:
    """McCabe's number as radon counts it: 1 + branches + boolean operators + comprehension ifs.

    Stricter than ruff's C901 (which skips `and`/`or` and conditional expressions), so it is
    the one this project holds every function to. Nested functions count separately.
    """
    count = 1
    pending = list(ast.iter_child_nodes(function))
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, _BRANCHES):
            count += 1
        if isinstance(node, ast.comprehension):
            count += len(node.ifs)
        if isinstance(node, ast.BoolOp):
            count += len(node.values) - 1
        pending.extend(ast.iter_child_nodes(node))
    return count


def test_every_function_has_a_cyclomatic_complexity_under_10() -> None:
    scores = {}
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                scores[f"{path.name}:{node.name}"] = cyclomatic_complexity(node)
    too_complex = {name: score for name, score in scores.items() if score >= 10}
    assert not too_complex, too_complex


def test_the_answers_file_name_is_written_once() -> None:
    holders = sorted(
        path.name
        for path in PACKAGE.glob("*.py")
        if '".copier-answers.yml"' in path.read_text(encoding="utf-8")
    )
    assert holders == ["engine.py"]  # everything else uses engine.ANSWERS_FILE


def test_update_checks_for_a_clean_tree_once() -> None:
    tree = ast.parse((PACKAGE / "update.py").read_text(encoding="utf-8"))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "require_clean_git"
    ]
    assert len(calls) == 1
