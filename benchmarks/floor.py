"""The floor for generation: write an already-rendered project from memory, nothing else.

Run as a script (`python benchmarks/floor.py SNAPSHOT DEST`) so its wall time includes an
interpreter start, like every other command it is compared with; it also prints the time spent
writing alone. The snapshot is a pickle this benchmark wrote itself from a rendered project.
"""

import json
import pickle
import sys
import time
from pathlib import Path


def main() -> None:
    snapshot, dest = Path(sys.argv[1]), Path(sys.argv[2])
    files = pickle.loads(snapshot.read_bytes())  # noqa: S301 - our own file, written just before
    start = time.perf_counter()
    for relpath, data, mode in files:
        target = dest / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        target.chmod(mode)
    print(json.dumps({"write_s": time.perf_counter() - start, "files": len(files)}))


def snapshot(project: Path, out: Path) -> None:
    """Read a rendered project once (`.git` left out) into a pickle for :func:`main`."""
    files = [
        (path.relative_to(project).as_posix(), path.read_bytes(), path.stat().st_mode & 0o777)
        for path in sorted(project.rglob("*"))
        if path.is_file() and path.relative_to(project).parts[0] != ".git"
    ]
    out.write_bytes(pickle.dumps(files))


if __name__ == "__main__":
    main()
