"""Reproducible timing scripts for scaffold; see RESULTS.md for how to run them."""
