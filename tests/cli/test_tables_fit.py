"""What a reader sees in a terminal: every default table fits 120 columns (or ``COLUMNS``),
says £000, and shows labels, not ids."""

from __future__ import annotations

import re

import pytest

from mtfs_model.base.report import fit, terminal_width
from mtfs_model.cli.main import main

SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+){1,}\b")
COMMANDS = [
    ["run", "baseline"],
    ["compare", "baseline", "placement_unit_cost_plus_10pct"],
    ["reconcile"],
    ["scenarios"],
    ["simulate", "baseline", "--n", "2000"],
    ["grid", "baseline", "--lever", "programmes.DCFSF.delivery=0.5,1", "--lever",
     "lines.G1.drivers.unit_cost_current_gbp_week=4000,4400"],
]  # fmt: skip
SCENARIO_NAMES = re.compile(
    r"\b(?:placement_unit_cost_plus_10pct|newton_\w+|cip_\w+|hn_\w+|dcfsf_\w+|guarantee_not_honoured"
    r"|risk_as_the_paper_assumes)\b"
)


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: a[0])
def test_default_tables_fit_and_speak_plainly(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    assert main(argv) == 0
    out = capsys.readouterr().out
    widths = [len(line) for line in out.splitlines()]
    assert max(widths) <= 120, max(widths)
    assert "GBP" not in out
    if argv[0] not in ("scenarios",):
        assert "£000" in out
    ids = set(SNAKE.findall(SCENARIO_NAMES.sub("", out)))
    assert not ids, sorted(ids)[:10]  # scenario names are what the user typed; nothing else


def test_columns_narrows_the_tables(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert terminal_width() == 80
    assert main(["run", "baseline"]) == 0
    assert max(len(line) for line in capsys.readouterr().out.splitlines()) <= 80
    monkeypatch.setenv("COLUMNS", "not a number")
    assert terminal_width() == 120


def test_fit_transposes_groups_and_splits() -> None:
    header = ["", *(f"column {i}" for i in range(12))]
    rows = [["a", *(f"{i * 1000:,}" for i in range(12))], ["b", *("1" for _ in range(12))]]
    text = fit(header, rows, [False, *[True] * 12], 60)
    assert max(len(line) for line in text.splitlines()) <= 60
    assert text.splitlines()[0].split()[0:2] == ["a", "b"]  # a short wide table is shown transposed
    grouped = ["", "x | 2021/22", "x | 2022/23", "y | 2021/22", "y | 2022/23"]
    text = fit(grouped, [["row", "1", "2", "3", "4"]], [False, True, True, True, True], 20)
    assert text.splitlines()[0] == "x" and "y" in text.splitlines()


def test_an_empty_table_says_so_in_a_sentence() -> None:
    import pandas as pd

    from mtfs_model.base.report import to_text

    empty = pd.DataFrame(columns=["capital_cost"]).rename_axis("property")
    for fmt in ("table", "markdown"):
        text = to_text(empty, fmt, "Residential properties")
        assert "Nothing to show" in text and "capital_cost" not in text
    assert to_text(empty, "csv") == "property,capital_cost\n"  # data formats keep their header
