"""Operations tools for this project, run from the project folder as `python -m ops.<tool>`."""
