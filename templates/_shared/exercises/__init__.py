"""The learner's path through EXERCISES.md: the catalogue, the checker and its pytest plugin.

Run `python -m exercises.check` (or `make exercises`); see EXERCISES.md.
"""
