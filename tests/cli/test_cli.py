"""The ``mtfs`` command line: formats, determinism, compare, reconcile, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mtfs_model.cli.main import main
from mtfs_model.engine.compare import compare


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_table_has_thousands_separators_and_fiscal_years(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "run", "baseline")
    assert code == 0
    assert "2021/22" in out and "2024/25" in out
    assert "89,851" in out  # the published 2024/25 net budget, as printed
    assert "Key figures" in out and "High Needs" in out


@pytest.mark.parametrize("fmt", ["csv", "json", "markdown", "table"])
def test_formats_are_deterministic(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    first = run_cli(capsys, "run", "baseline", "--table", "all", "--format", fmt)[1]
    second = run_cli(capsys, "run", "baseline", "--table", "all", "--format", fmt)[1]
    assert first == second
    assert "nan" not in first.lower().replace("financ", "").replace("nance", "")


def test_csv_and_json_parse(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_cli(capsys, "run", "baseline", "--table", "revenue", "--format", "csv")[1]
    lines = out.strip().splitlines()
    assert lines[0] == "row,2021/22,2022/23,2023/24,2024/25"
    assert lines[-1] == "Proposed/provisional net budget,89086.000,89611.000,90216.000,89851.000"
    data = json.loads(run_cli(capsys, "run", "baseline", "--table", "high_needs", "--format", "json")[1])
    last = data["rows"][-1]
    assert last["row"] == "Cumulative Funding Gap"
    assert last["2021/22"] == 22723.0


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "sub" / "revenue.md"
    target.parent.mkdir()  # -o never creates a folder (test_cli_ops)
    code, out, err = run_cli(capsys, "run", "baseline", "--table", "revenue", "--format", "markdown", "-o", str(target))
    assert code == 0 and out == "" and "wrote" in err
    text = target.read_text(encoding="utf-8")
    assert text.startswith("### Revenue budget roll-forward")
    assert "| Proposed/provisional net budget | 89,086 | 89,611 | 90,216 | 89,851 |" in text


def test_compare_shows_the_difference(capsys: pytest.CaptureFixture[str]) -> None:
    table = compare(["baseline", "placement_unit_cost_plus_10pct"])
    diff = table["placement_unit_cost_plus_10pct - baseline | 2024/25"]
    # £400 a week more for the 2020/21 cohort (32,599,488 / (3,500 x 52) placements) x 52 weeks
    cohort = 32_599_488 / (3500 * 52)
    assert diff["Net budget"] == pytest.approx(cohort * 400 * 52 / 1000)
    assert diff["High Needs cumulative deficit"] == 0
    code, out, _ = run_cli(capsys, "compare", "baseline", "placement_unit_cost_plus_10pct")
    assert code == 0 and "placement_unit_cost_plus_10pct - baseline" in out


def test_compare_a_scenario_with_itself_is_zero() -> None:
    table = compare(["baseline", "baseline"])
    diffs = table[[c for c in table.columns if " - " in c]]
    assert (diffs == 0).all().all()


def test_reconcile_cli(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "reconcile")
    assert code == 0
    assert "disagreement" in out and "-250,000" in out
    code, out, _ = run_cli(capsys, "reconcile", "--format", "json")
    data = json.loads(out)
    assert {r["severity"] for r in data["findings"]["rows"]} <= {"rounding", "note", "disagreement"}


def test_scenarios_listing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "scenarios")
    assert code == 0 and "baseline" in out


@pytest.mark.slow
def test_python_dash_m(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mtfs_model", "run", "nope"], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert proc.returncode == 2
    assert "error: (arguments): scenario: expected one of" in proc.stderr


def test_compare_takes_names_objects_or_lists() -> None:
    """``mtfs_model.compare("a", "b")`` compares two scenarios (it used to walk the string's
    letters); a list, Scenario objects and dicts work the same."""
    import mtfs_model
    from mtfs_model.base.errors import InputError

    by_names = mtfs_model.compare("baseline", "placement_unit_cost_plus_10pct")
    by_list = mtfs_model.compare(["baseline", "placement_unit_cost_plus_10pct"])
    scenario = mtfs_model.load_scenario("placement_unit_cost_plus_10pct")
    by_object = mtfs_model.compare(mtfs_model.load_scenario("baseline"), scenario)
    assert by_names.equals(by_list) and by_names.to_numpy().tolist() == by_object.to_numpy().tolist()
    three = mtfs_model.compare(["baseline", "hn_savings_half"], "placement_unit_cost_plus_10pct", table="revenue")
    assert len({c.split(" | ")[0] for c in three.columns}) == 5  # three scenarios and two differences
    with pytest.raises(InputError, match="at least two scenarios"):
        mtfs_model.compare("baseline")
