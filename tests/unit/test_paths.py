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


def test_dot_dot_parts_nul_bytes_and_missing_parents_are_refused(tmp_path) -> None:
    with pytest.raises(DestinationError, match=r"'\.\.'"):
        check_destination(tmp_path / "a" / ".." / "b")
    with pytest.raises(DestinationError, match="NUL"):
        check_destination(f"{tmp_path}/x\x00y")
    with pytest.raises(DestinationError, match="does not exist"):
        check_destination(tmp_path / "missing" / "project")
