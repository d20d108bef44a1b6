import pytest

from scaffold.errors import DestinationError
from scaffold.paths import check_destination


def test_new_and_empty_folders_are_accepted(tmp_path) -> None:
    assert check_destination(tmp_path / "new") == tmp_path / "new"
    (tmp_path / "empty").mkdir()
    assert check_destination(tmp_path / "empty") == tmp_path / "empty"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: (p / "full").mkdir() or (p / "full" / "keep.txt").write_text("x"), "not empty"),
        (lambda p: (p / "full").write_text("x"), "not a folder"),
        (lambda p: (p / "full").symlink_to(p), "symbolic link"),
    ],
    ids=["non-empty", "file", "symlink"],
)
def test_refused_destinations(tmp_path, make, message: str) -> None:
    make(tmp_path)
    with pytest.raises(DestinationError, match=message):
        check_destination(tmp_path / "full")


def test_nul_bytes_and_missing_parents_are_refused(tmp_path) -> None:
    with pytest.raises(DestinationError, match="NUL"):
        check_destination(f"{tmp_path}/x\x00y")
    with pytest.raises(DestinationError, match="does not exist"):
        check_destination(tmp_path / "missing" / "project")


def test_dot_and_dot_dot_mean_what_they_mean_to_the_shell(tmp_path, monkeypatch) -> None:
    (tmp_path / "real" / "inner").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "real" / "inner")
    monkeypatch.chdir(tmp_path / "real" / "inner")
    assert check_destination(".") == tmp_path / "real" / "inner"
    assert check_destination("../demo") == tmp_path / "real" / "demo"
    # `link/..` is the parent of the link's target, as `cd` (physical) and the kernel see it.
    assert check_destination(tmp_path / "link" / ".." / "demo") == tmp_path / "real" / "demo"
    with pytest.raises(DestinationError, match="not empty"):
        check_destination("..")
