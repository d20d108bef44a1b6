"""Tasks: what users own, export and report on."""
