def remove_metrics_dir(path: str, owner: int) -> None:
    """Remove the metrics folder this file made, in the process that made it only.

    Forked workers inherit the exit handler below; the process id keeps them from removing
    the folder they all write to.
    """
    if os.getpid() == owner:
        shutil.rmtree(path, ignore_errors=True)


# Prometheus metrics under several workers (CONTRACT.md, section 15). Each worker process
# writes its counts to files in one folder that GET /metrics adds up; prometheus_client
# picks that mode when PROMETHEUS_MULTIPROC_DIR is set as it is first imported, so the
# variable is set here, before gunicorn loads the app. The folder is the one the variable
# already names (a volume, say), emptied of an earlier run's files, whose counts would
# otherwise be added to this run's as if its workers still ran; or, by default, a new
# owner-only folder in the system's temporary folder, removed when gunicorn stops.
# https://prometheus.github.io/client_python/multiprocess/
metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
if metrics_dir:
    Path(metrics_dir).mkdir(parents=True, exist_ok=True)
    # Only prometheus_client's own files: the variable may name a folder that holds others.
    for stale in Path(metrics_dir).glob("*.db"):
        stale.unlink()
else:
    metrics_dir = tempfile.mkdtemp(prefix="{{ package_name }}-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    # Removed when this process ends: gunicorn's master as it stops, or anything else that
    # reads this file (a test of the settings), which starts no server and no hook.
    atexit.register(remove_metrics_dir, metrics_dir, os.getpid())


# gunicorn's server hooks; gunicorn ships no type information, hence Any.
def child_exit(server: Any, worker: Any) -> None:  # noqa: ARG001 - gunicorn's signature
    """Tell prometheus_client that a worker is gone; its counts stay in the sums."""
    # Imported here, long after the variable above is set: importing it sooner would fix the
    # single-process mode for this process.
    from prometheus_client import multiprocess  # noqa: PLC0415

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]