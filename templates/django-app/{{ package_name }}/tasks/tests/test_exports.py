"""CSV export and its injection escaping."""

from __future__ import annotations

import csv
import io

import pytest

from ..exports import escape_cell, to_csv


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_triggers_are_prefixed(text: str) -> None:
    assert escape_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "a=b", 42, None])
def test_other_values_are_left_alone(value: object) -> None:
    assert escape_cell(value) == value


def test_csv_has_a_header_and_one_row_per_item() -> None:
    text = to_csv([{"id": 1, "title": "=cmd"}, {"id": 2, "title": None}], ["id", "title"])

    assert list(csv.reader(io.StringIO(text))) == [["id", "title"], ["1", "'=cmd"], ["2", ""]]
