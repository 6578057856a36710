"""Every CSV the package writes keeps numbers numbers: a negative figure reads back as a
number with the csv module and with pandas (never ``'-0.028``), while a text cell a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) is still quoted."""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest

from mtfs_model.base.report import safe_cell, to_text
from mtfs_model.cli.main import main

QUOTED_NUMBER = re.compile(r"^'[+-]?(\d|\.\d)")


def blocks(text: str) -> list[str]:
    """The CSV tables of a command's output (several, each under ``# title`` lines)."""
    out: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            if current:
                out.append("\n".join(current) + "\n")
                current = []
            continue
        current.append(line)
    if current:
        out.append("\n".join(current) + "\n")
    return out


COMMANDS = {
    "evidence": ["evidence", "--format", "csv"],
    "run": ["run", "baseline", "--format", "csv"],
    "reconcile": ["reconcile", "--format", "csv"],
    "simulate": ["simulate", "baseline", "--n", "2000", "--seed", "1", "--format", "csv"],
    "compare": ["compare", "baseline", "baseline", "--format", "csv"],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_negative_numbers_read_back_as_numbers(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(COMMANDS[name])
    out, err = capsys.readouterr()
    assert code == 0, err
    tables = blocks(out)
    assert tables
    negatives = 0
    for table in tables:
        rows = list(csv.reader(io.StringIO(table)))
        for row in rows[1:]:
            for cell in row:
                assert not QUOTED_NUMBER.match(cell), f"{name}: a number written as quoted text: {cell!r}"
        frame = pd.read_csv(io.StringIO(table), header=None, skiprows=1)
        for i in frame.columns:
            texts = [row[i] for row in rows[1:] if i < len(row) and re.fullmatch(r"-\d[\d.]*", row[i])]
            if texts:  # a column holding negative figures: pandas reads it as numbers
                assert pd.api.types.is_numeric_dtype(frame[i]), (name, rows[0][i], frame[i].dtype)
                negatives += len(texts)
    if name in ("run", "compare"):  # savings and funding are negative
        assert negatives, f"{name}: no negative figure to check"


def test_evidence_figures_are_numbers() -> None:
    """``mtfs evidence --format csv``: every figure column of every table reads back as numbers."""
    buf = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sys.stdout", buf)
        assert main(["evidence", "--format", "csv"]) == 0
    tables = [pd.read_csv(io.StringIO(t)) for t in blocks(buf.getvalue())]
    pairs = next(t for t in tables if "pair" in t.columns and "ratio" in t.columns)
    assert pd.api.types.is_float_dtype(pairs["ratio"])
    fan = next(t for t in tables if "p10_1" in t.columns)
    assert all(pd.api.types.is_float_dtype(fan[c]) for c in ("p10_1", "p50_1", "p90_1"))


def test_text_that_a_spreadsheet_would_run_is_still_quoted() -> None:
    for text in ("=1+1", "+1+1", "-1+2", "@SUM(A1)", "-cmd|' /C calc'!A0", "\tx", '=HYPERLINK("x")'):
        assert safe_cell(text) == "'" + text
    for number in ("-0.028", "+5", "-1e-3", "12.5", ".5"):
        assert safe_cell(number) == number
    assert safe_cell(-0.028) == -0.028
    frame = pd.DataFrame({"label": ["=2+3", "-0.5", "plain"], "value": [-1.5, 2.0, -0.028]})
    text = to_text(frame, "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][1:] == ["'=2+3", "-1.500"] and rows[2][1:] == ["-0.5", "2.000"]
    back = pd.read_csv(io.StringIO(text))
    assert pd.api.types.is_float_dtype(back["value"]) and back["value"].iloc[2] == pytest.approx(-0.028)
