"""The revenue budget: growth and savings lines, their drivers, and the roll-forward.

One function per ledger view, each taking plain inputs and returning a labelled
DataFrame (rows by line code or label, columns by fiscal year ``2021/22`` ...), money in
GBP000 as the papers print it.  Savings are negative, as published.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import pandas as pd

from .scenarios import LineInput, ModelInputs
from .years import YEARS

PROGRAMME_LABELS = {
    "growth": "Total growth",
    "DCFSF": "Total Defining CFS for the Future Programme (CF1-CF3)",
    "CIP": "Total Children's Innovation Partnership (CF4)",
    "departmental": "Total departmental efficiencies (CF5)",
}
TOTAL_SAVINGS = "Total savings"
NET_GROWTH = "Net growth less savings"


def driver_implied(drivers: Mapping[str, Any] | None) -> dict[str, float] | None:
    """The cumulative GBP000 profile a line's narrative drivers imply, or None.

    * ``placement_unit_cost`` (G1): the 2020/21 cohort, i.e. the placement budget at the
      budgeted unit cost, repriced to the current unit cost, plus any 16+ placements
      repriced the same way: ``placements x (current - budgeted) GBP/week x 52``.
      A recurring level, the same every year.
    * ``annual_step`` (G4): a constant in-year step, so year *n* holds *n* steps.
    * ``cases_times_cost`` (G6): ``extra cases a month x 12 x cost a case``, recurring.
    """
    if not drivers:
        return None
    model = drivers["model"]
    if model == "placement_unit_cost":
        weeks = drivers["weeks_per_year"]
        budgeted = drivers["unit_cost_budgeted_gbp_week"]
        placements = drivers["placement_budget_2020_21_gbp000"] * 1000 / (budgeted * weeks) if budgeted else 0.0
        level = placements * (drivers["unit_cost_current_gbp_week"] - budgeted) * weeks / 1000
        level += (
            drivers["placements_16plus"]
            * (drivers["unit_cost_16plus_current_gbp_week"] - drivers["unit_cost_16plus_budgeted_gbp_week"])
            * weeks
            / 1000
        )
        return {y: level for y in YEARS}
    if model == "annual_step":
        return {y: drivers["step_gbp000_per_year"] * (i + 1) for i, y in enumerate(YEARS)}
    if model == "cases_times_cost":
        level = drivers["extra_cases_per_month"] * drivers["months_per_year"] * drivers["cost_per_case_gbp"] / 1000
        return {y: level for y in YEARS}
    raise ValueError(f"unknown driver model {model!r}")


def line_values(line: LineInput, factor: Mapping[str, float] | None = None) -> dict[str, float]:
    """A line's cumulative GBP000 profile in a scenario.

    The (possibly overridden) published profile, moved by however much the scenario's
    drivers change the driver-implied figure (so the baseline reproduces the paper
    exactly), times any ``factor`` by year (CF4: the CIP properties' delivery against
    the baseline).
    """
    values = dict(line.profile)
    new, base = driver_implied(line.drivers), driver_implied(line.drivers_base)
    if new is not None and base is not None:
        # add the driver delta, not new - base in one expression, so an unchanged driver adds exactly 0.0
        delta = {y: new[y] - base[y] for y in YEARS}
        values = {y: values[y] + delta[y] for y in YEARS}
    if factor:
        values = {y: values[y] * factor.get(y, 1.0) for y in YEARS}
    return values


def lines_cumulative(inputs: ModelInputs, cf4_factor: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Every growth and savings line, cumulative GBP000 by year (Appendix B's view)."""
    rows = {code: line_values(line, cf4_factor if code == "CF4" else None) for code, line in inputs.lines.items()}
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(YEARS)).rename_axis("line")


def to_in_year(cumulative: pd.DataFrame) -> pd.DataFrame:
    """In-year change from cumulative: the first year as is, then year-on-year differences."""
    first = cumulative[[YEARS[0]]]
    return pd.concat([first, cumulative.diff(axis=1).iloc[:, 1:]], axis=1)


def with_totals(lines: pd.DataFrame, inputs: ModelInputs) -> pd.DataFrame:
    """Lines with programme subtotals, total savings and net growth, in the papers' order."""
    programmes = {code: ln.programme for code, ln in inputs.lines.items()}
    parts: list[pd.DataFrame] = []
    savings_rows = []
    for prog, label in PROGRAMME_LABELS.items():
        members = [c for c in lines.index if programmes[c] == prog]
        total = lines.loc[members].sum().to_frame(label).T
        parts += [lines.loc[members], total]
        if prog != "growth":
            savings_rows += members
    savings = lines.loc[savings_rows].sum().to_frame(TOTAL_SAVINGS).T
    growth = parts[1]
    net = (growth.iloc[0] + savings.iloc[0]).to_frame(NET_GROWTH).T
    out = pd.concat([*parts, savings, net])
    out.index.name = "line"
    return out


def line_info(inputs: ModelInputs) -> pd.DataFrame:
    """Title, MTFS status marker, classification and programme of each line."""
    rows = {
        c: {
            "title": ln.title,
            "status": ln.status,
            "classification": ln.classification or "-",
            "programme": ln.programme,
            "kind": ln.kind,
        }
        for c, ln in inputs.lines.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("line")


def drivers_table(inputs: ModelInputs) -> pd.DataFrame:
    """For each driver-modelled line: published, driver-implied, and the difference, by year."""
    records = []
    for code, line in inputs.lines.items():
        implied = driver_implied(line.drivers)
        if implied is None:
            continue
        values = line_values(line)
        for y in YEARS:
            records.append(
                {
                    "line": code,
                    "year": y,
                    "model": line.drivers["model"] if line.drivers else "",
                    "modelled": values[y],
                    "driver_implied": implied[y],
                    "difference": values[y] - implied[y],
                }
            )
    return pd.DataFrame.from_records(records).set_index(["line", "year"])


def roll_forward(
    original_prior: float,
    transfers: Mapping[str, float],
    growth_in_year: Mapping[str, float],
    savings_in_year: Mapping[str, float],
) -> pd.DataFrame:
    """Para 9: prior-year budget + transfers + growth + savings = net budget, rolled forward.

    Each year's prior-year budget is the previous year's net budget (GBP000).
    """
    rows: dict[str, dict[str, float]] = {
        k: {}
        for k in (
            "Original prior year budget",
            "Budget transfers and adjustments",
            "Sub total",
            "Add proposed growth",
            "Less proposed savings",
            "Proposed/provisional net budget",
        )
    }
    prior = original_prior
    for y in YEARS:
        sub = prior + transfers[y]
        net = sub + float(growth_in_year[y]) + float(savings_in_year[y])
        for k, v in zip(
            rows, (prior, transfers[y], sub, float(growth_in_year[y]), float(savings_in_year[y]), net), strict=True
        ):
            rows[k][y] = v
        prior = net
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(YEARS)).rename_axis("row")


def appendix_a_rollup(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Appendix A subtotals derived from the printed lines (GBP), every level of the hierarchy."""
    children: dict[str, list[str]] = {}
    for rid, parent in frame["parent"].items():
        if parent:
            children.setdefault(str(parent), []).append(str(rid))
    memo: dict[str, pd.Series] = {}

    def value(rid: str) -> pd.Series:
        if rid not in memo:
            kids = children.get(rid)
            if frame.at[rid, "kind"] == "line" or not kids:
                memo[rid] = cast(pd.Series, frame.loc[rid, columns]).astype("int64")
            else:
                memo[rid] = sum((value(k) for k in kids), start=pd.Series(0, index=columns, dtype="int64"))
        return memo[rid]

    derived = pd.DataFrame({rid: value(str(rid)) for rid in frame.index}).T
    derived.insert(0, "label", frame["label"])
    derived.index.name = "id"
    return derived


def service_areas(appendix_a: pd.DataFrame, spec: Mapping[str, Any]) -> pd.DataFrame:
    """Para 12's net budget by service area, derived from Appendix A (GBP -> GBP000)."""
    col = spec["column"]
    records = {
        row["label"]: {"2021/22": float(appendix_a.loc[row["appendix_a"], col].sum()) / 1000} for row in spec["rows"]
    }
    frame = pd.DataFrame.from_dict(records, orient="index").rename_axis("service area")
    frame.loc["Department Total"] = frame.sum()
    return frame
