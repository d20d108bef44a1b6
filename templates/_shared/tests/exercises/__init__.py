"""Exercise specifications (EXERCISES.md): black-box tests of features still to be built."""
