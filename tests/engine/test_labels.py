"""The engine's label table: words for every column id, never an id or a tuple."""

from __future__ import annotations

import re

import mtfs_model
from mtfs_model.engine.labels import COLUMN_LABELS, flat_label, labelled

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def test_every_label_is_words() -> None:
    assert not [(k, v) for k, v in COLUMN_LABELS.items() if SNAKE.search(v) or (v == k and "_" in k)]


def test_the_reference_class_and_driver_columns_have_labels() -> None:
    for key in ("error_share", "log_error", "spend_ratio", "forecast_gbp", "modelled", "driver_implied"):
        assert COLUMN_LABELS.get(key), key


def test_a_row_key_is_never_printed_as_a_tuple() -> None:
    drivers = mtfs_model.run("baseline").drivers
    shown = [flat_label(k) for k in drivers.index]
    assert "G1 2021/22" in shown
    assert not [s for s in shown if s.startswith("(")]
    assert flat_label("G1") == "G1"


def test_labelled_rows_carry_the_editions_labels() -> None:
    r = mtfs_model.run("baseline")
    cip = labelled(r, "cip")
    assert all(str(i).startswith("Property") for i in cip.index)
