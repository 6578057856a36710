"""Hypothesis properties: for any valid scenario the tables reconcile, and a change to
one line moves exactly the totals that depend on it and nothing else."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtfs_model import run
from mtfs_model.base import rows
from mtfs_model.reconciliation.reconcile import engine_findings
from mtfs_model.scenarios.load import Scenario, baseline_inputs, scenario_from_dict

INPUTS = baseline_inputs()
YEARS = INPUTS.years
GROWTH = [c for c, ln in INPUTS.lines.items() if ln.kind == "growth"]
SAVINGS = [c for c, ln in INPUTS.lines.items() if ln.kind == "saving"]
money = st.floats(min_value=0, max_value=50_000, allow_nan=False, allow_infinity=False)
factor = st.floats(min_value=0, max_value=3, allow_nan=False)
month = st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2021, 2025), st.integers(1, 12))


def profile(sign: int) -> st.SearchStrategy[dict[str, float]]:
    return st.fixed_dictionaries({y: money.map(lambda v: sign * v) for y in YEARS})


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    raw: dict[str, Any] = {"scenario": {"description": "generated"}}
    lines: dict[str, Any] = {}
    for code in draw(st.lists(st.sampled_from(GROWTH + SAVINGS), unique=True, max_size=4)):
        sign = 1 if code in GROWTH else -1
        lines[code] = draw(
            st.one_of(st.fixed_dictionaries({"scale": factor}), st.fixed_dictionaries({"values": profile(sign)}))
        )
    if draw(st.booleans()):
        lines.setdefault("G1", {})["drivers"] = {
            "unit_cost_current_gbp_week": draw(st.floats(2000, 8000)),
            "placements_16plus": draw(st.floats(0, 100)),
        }
    if draw(st.booleans()):
        lines.setdefault("G6", {})["drivers"] = {"extra_cases_per_month": draw(st.floats(0, 10))}
    raw["lines"] = lines
    if draw(st.booleans()):
        raw["programmes"] = {"DCFSF": {"recurring": {"year": "final", "value": -draw(st.floats(0, 20_000))}}}
    raw["high_needs"] = {
        "schools_block_transfer_approved": draw(st.booleans()),
        "savings_delivery": draw(st.fixed_dictionaries({k: factor for k in INPUTS.hn_savings})),
        "expenditure_scale": draw(st.fixed_dictionaries({"placement_costs": factor})),
    }
    raw["properties"] = {
        code: {"occupancy": draw(st.floats(0, 1)), "go_live": draw(month)}
        for code in draw(st.lists(st.sampled_from(sorted(INPUTS.properties)), unique=True))
    }
    raw["cip"] = {"discount_rate": draw(st.floats(0, 0.2)), "life_years": draw(st.integers(1, 40))}
    return scenario_from_dict(raw, name="generated")


@pytest.mark.slow  # a subprocess or many examples
@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_every_valid_scenario_reconciles(scenario: Scenario) -> None:
    result = run(scenario)
    findings = engine_findings(result)
    bad = findings[findings["severity"] != "ok"]
    assert bad.empty, bad.to_string()
    for name, frame in result.tables().items():
        assert not frame.select_dtypes("number").isna().any().any(), name


def _changed(a: pd.DataFrame, b: pd.DataFrame) -> set[str]:
    num_a, num_b = a.select_dtypes("number"), b.select_dtypes("number")
    diff = (num_a - num_b).abs() > 1e-9
    return {str(i) for i in diff.index[diff.any(axis=1)]}


@pytest.mark.slow  # many examples or whole-edition round trips (the full suite runs it)
@settings(max_examples=40, deadline=None)
@given(code=st.sampled_from(GROWTH + SAVINGS), data=st.data())
def test_one_line_moves_only_its_totals(code: str, data: st.DataObject) -> None:
    sign = 1 if code in GROWTH else -1
    values = data.draw(profile(sign))
    base = run(scenario_from_dict({"scenario": {"description": "base"}}, name="base"))
    moved = run(
        scenario_from_dict({"scenario": {"description": "one line"}, "lines": {code: {"values": values}}}, name="moved")
    )
    line = INPUTS.lines[code]
    allowed = {code, rows.programme_total(line.programme), rows.NET_GROWTH} | (
        {rows.TOTAL_SAVINGS} if sign < 0 else set()
    )
    assert _changed(base.cumulative, moved.cumulative) <= allowed
    assert _changed(base.in_year, moved.in_year) <= allowed
    assert rows.TRANSFERS not in _changed(base.revenue, moved.revenue)
    for name in (
        "high_needs",
        "capital_programme",
        "capital_financing",
        "cip",
        "cip_cash",
        "service_areas",
        "appendix_a",
    ):
        assert not _changed(getattr(base, name), getattr(moved, name)), name
    # and the moved line is exactly the new profile
    for y in YEARS:
        assert moved.cumulative.at[code, y] == values[y]


@settings(max_examples=25, deadline=None)
@given(scenarios())
def test_same_scenario_same_result(scenario: Scenario) -> None:
    a, b = run(scenario), run(scenario)
    for name in a.tables():
        pd.testing.assert_frame_equal(a.tables()[name], b.tables()[name])
