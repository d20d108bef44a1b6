"""`python -m benchmarks`: run every section (or `--only SECTION`), `--quick` for a short pass."""

from benchmarks.run import main

main()
