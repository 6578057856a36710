"""The revenue budget: growth and savings lines, their drivers, and the roll-forward.

One function per ledger view, each taking plain inputs and returning a labelled
DataFrame (rows by line code or label, columns by fiscal year ``2021/22`` ...), money in
GBP000 as the papers print it.  Savings are negative, as published.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import pandas as pd

from mtfs_model.base import rows
from mtfs_model.edition import drivers as driver_models
from mtfs_model.scenarios.inputs import LineInput, ModelInputs

TOTAL_SAVINGS = rows.TOTAL_SAVINGS
NET_GROWTH = rows.NET_GROWTH


def driver_implied(drivers: Mapping[str, Any] | None, years: Sequence[str]) -> dict[str, float] | None:
    """The cumulative GBP000 profile a line's narrative drivers imply, or None (see
    :mod:`mtfs_model.edition.drivers` for the registered models)."""
    return driver_models.implied(drivers, years)


def line_values(line: LineInput, years: Sequence[str], factor: Mapping[str, float] | None = None) -> dict[str, float]:
    """A line's cumulative GBP000 profile in a scenario.

    The (possibly overridden) published profile, moved by however much the scenario's
    drivers change the driver-implied figure (so the baseline reproduces the paper
    exactly), times any ``factor`` by year (the line linked to the CIP properties: their
    delivery against the baseline).  A savings line never turns into a cost: it stops
    at zero.
    """
    values = dict(line.profile)
    new, base = driver_implied(line.drivers, years), driver_implied(line.drivers_base, years)
    if new is not None and base is not None:
        # add the driver delta, not new - base in one expression, so an unchanged driver adds exactly 0.0
        delta = {y: new[y] - base[y] for y in years}
        values = {y: values[y] + delta[y] for y in years}
    if factor:
        values = {y: values[y] * factor.get(y, 1.0) for y in years}
    if line.kind == "saving":
        values = {y: min(v, 0.0) for y, v in values.items()}
    return values


def lines_cumulative(inputs: ModelInputs, linked_factor: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Every growth and savings line, cumulative GBP000 by year (Appendix B's view).

    ``linked_factor`` scales the line the edition links to the CIP properties
    (``links.property_savings_line``)."""
    linked = inputs.edition.links.get("property_savings_line")
    table = {
        code: line_values(line, inputs.years, linked_factor if code == linked else None)
        for code, line in inputs.lines.items()
    }
    return pd.DataFrame.from_dict(table, orient="index", columns=list(inputs.years)).rename_axis("line")


def to_in_year(cumulative: pd.DataFrame) -> pd.DataFrame:
    """In-year change from cumulative: the first year as is, then year-on-year differences."""
    first = cumulative[[cumulative.columns[0]]]
    return pd.concat([first, cumulative.diff(axis=1).iloc[:, 1:]], axis=1)


def with_totals(lines: pd.DataFrame, inputs: ModelInputs) -> pd.DataFrame:
    """Lines with programme subtotals (``total:<programme>``), total savings and net
    growth, in the edition's programme order.  Every line belongs to a declared
    programme (the edition's schema sees to it), so no line can drop out of a total."""
    programmes = {code: ln.programme for code, ln in inputs.lines.items()}
    parts: list[pd.DataFrame] = []
    growth_rows: list[str] = []
    savings_rows: list[str] = []
    for prog in inputs.edition.programmes:
        members = [c for c in lines.index if programmes[c] == prog.id]
        total = lines.loc[members].sum().to_frame(rows.programme_total(prog.id)).T
        parts += [lines.loc[members], total]
        (growth_rows if prog.kind == "growth" else savings_rows).extend(members)
    savings = lines.loc[savings_rows].sum().to_frame(TOTAL_SAVINGS).T
    growth = lines.loc[growth_rows].sum()
    net = (growth + savings.iloc[0]).to_frame(NET_GROWTH).T
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
        implied = driver_implied(line.drivers, inputs.years)
        if implied is None:
            continue
        values = line_values(line, inputs.years)
        for y in inputs.years:
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
    if not records:
        return pd.DataFrame(
            columns=["model", "modelled", "driver_implied", "difference"],
            index=pd.MultiIndex.from_tuples([], names=["line", "year"]),
        )
    return pd.DataFrame.from_records(records).set_index(["line", "year"])


def roll_forward(
    years: Sequence[str],
    original_prior: float,
    transfers: Mapping[str, float],
    growth_in_year: Mapping[str, float],
    savings_in_year: Mapping[str, float],
) -> pd.DataFrame:
    """Para 9: prior-year budget + transfers + growth + savings = net budget, rolled forward.

    Each year's prior-year budget is the previous year's net budget (GBP000).
    """
    table: dict[str, dict[str, float]] = {k: {} for k in rows.REVENUE_ROWS}
    prior = original_prior
    for y in years:
        sub = prior + transfers[y]
        net = sub + float(growth_in_year[y]) + float(savings_in_year[y])
        for k, v in zip(
            table, (prior, transfers[y], sub, float(growth_in_year[y]), float(savings_in_year[y]), net), strict=True
        ):
            table[k][y] = v
        prior = net
    return pd.DataFrame.from_dict(table, orient="index", columns=list(years)).rename_axis("row")


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


def service_areas(appendix_a: pd.DataFrame, spec: Mapping[str, Any], year: str) -> pd.DataFrame:
    """The net budget by service area in ``year`` (the first MTFS year), derived from the
    detailed revenue appendix (GBP -> GBP000); empty if the edition has none."""
    if appendix_a.empty or not spec:
        return pd.DataFrame(columns=[year]).rename_axis("service area")
    col = spec["column"]
    records = {row["label"]: {year: float(appendix_a.loc[row["appendix_a"], col].sum()) / 1000} for row in spec["rows"]}
    frame = pd.DataFrame.from_dict(records, orient="index").rename_axis("service area")
    frame.loc[spec.get("printed_total_label", "Total")] = frame.sum()
    return frame
