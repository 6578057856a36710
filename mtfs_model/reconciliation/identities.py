"""The engine's own identities: every row must be ``ok`` for any valid scenario.

net = prior + transfers + growth + savings and each year's prior = last year's net; the
cumulative profile = the running sum of the in-year changes; every total = the sum of its
lines; the High Needs chain; the capital programme = financing + the council's own
requirement; the detailed budget's subtotals = the sum of their derived parts.  The
lines, programmes, years and rows are the edition's and the scenario's.
"""

from __future__ import annotations

import pandas as pd

from mtfs_model.base import rows
from mtfs_model.base.cells import cell
from mtfs_model.engine import capital
from mtfs_model.engine.run import Result
from mtfs_model.reconciliation.findings import ENGINE_TOLERANCE, Findings


class _Eq:
    """Records ``actual`` against ``expected`` within float noise."""

    def __init__(self, f: Findings) -> None:
        self.f = f

    def __call__(self, table: str, row: str, column: str, expected: float, actual: float, check: str) -> None:
        self.f.add(table, row, column, float(expected), float(actual), ENGINE_TOLERANCE, check, "engine")


def _revenue(r: Result, eq: _Eq) -> None:
    rf = r.revenue
    prev = None
    for y in r.years:
        parts = (rows.PRIOR_YEAR_BUDGET, rows.TRANSFERS, rows.GROWTH, rows.SAVINGS)
        eq(
            "revenue",
            rows.NET_BUDGET,
            y,
            sum(cell(rf, k, y) for k in parts),
            cell(rf, rows.NET_BUDGET, y),
            "net = prior + transfers + growth + savings",
        )
        eq(
            "revenue",
            rows.SUB_TOTAL,
            y,
            cell(rf, rows.PRIOR_YEAR_BUDGET, y) + cell(rf, rows.TRANSFERS, y),
            cell(rf, rows.SUB_TOTAL, y),
            "sub total = prior + transfers",
        )
        if prev is not None:
            eq(
                "revenue",
                rows.PRIOR_YEAR_BUDGET,
                y,
                prev,
                cell(rf, rows.PRIOR_YEAR_BUDGET, y),
                "prior-year budget = last year's net budget",
            )
        prev = cell(rf, rows.NET_BUDGET, y)
    growth = [rows.programme_total(p.id) for p in r.edition.programmes if p.kind == "growth"]
    for y in r.years:
        eq(
            "revenue",
            rows.GROWTH,
            y,
            sum(cell(r.in_year, g, y) for g in growth),
            cell(rf, rows.GROWTH, y),
            "growth = in-year growth",
        )
        eq(
            "revenue",
            rows.SAVINGS,
            y,
            cell(r.in_year, rows.TOTAL_SAVINGS, y),
            cell(rf, rows.SAVINGS, y),
            "savings = in-year savings",
        )


def _lines(r: Result, eq: _Eq) -> None:
    years = list(r.years)
    codes = [str(c) for c in r.line_info.index]
    running = r.in_year.loc[codes, years].cumsum(axis=1)
    for code in codes:
        for y in years:
            eq(
                "cumulative",
                code,
                y,
                cell(running, code, y),
                cell(r.cumulative, code, y),
                "cumulative = running sum of in-year",
            )
    programme_of = r.line_info["programme"]
    kind_of = r.line_info["kind"]
    savings = [str(c) for c in kind_of.index[kind_of == "saving"]]
    for name, table in (("cumulative", r.cumulative), ("in_year", r.in_year)):
        for prog in r.edition.programmes:
            members = [str(c) for c in programme_of.index[programme_of == prog.id]]
            row = rows.programme_total(prog.id)
            for y in years:
                eq(name, row, y, table.loc[members, y].sum(), cell(table, row, y), "total = sum of its lines")
        for y in years:
            eq(
                name,
                rows.TOTAL_SAVINGS,
                y,
                table.loc[savings, y].sum(),
                cell(table, rows.TOTAL_SAVINGS, y),
                "total savings = sum of savings lines",
            )
            eq(
                name,
                rows.NET_GROWTH,
                y,
                table.loc[codes, y].sum(),
                cell(table, rows.NET_GROWTH, y),
                "net growth = sum of every line",
            )


def _high_needs(r: Result, eq: _Eq) -> None:
    hn, inp = r.high_needs, r.scenario.inputs
    exp, fund = list(inp.hn_expenditure), list(inp.hn_funding)
    sav = [*inp.hn_savings, rows.HN_TRANSFER_REFUSED]
    running = 0.0
    for y in r.years:
        eq(
            "high_needs",
            rows.HN_TOTAL_EXPENDITURE,
            y,
            hn.loc[exp, y].sum(),
            cell(hn, rows.HN_TOTAL_EXPENDITURE, y),
            "total expenditure = sum of lines",
        )
        eq(
            "high_needs",
            rows.HN_GAP_PRE_SAVINGS,
            y,
            hn.loc[exp + fund, y].sum(),
            cell(hn, rows.HN_GAP_PRE_SAVINGS, y),
            "gap = expenditure + funding",
        )
        eq(
            "high_needs",
            rows.HN_TOTAL_SAVINGS,
            y,
            hn.loc[sav, y].sum(),
            cell(hn, rows.HN_TOTAL_SAVINGS, y),
            "total savings = sum of savings",
        )
        annual = cell(hn, rows.HN_GAP_PRE_SAVINGS, y) + cell(hn, rows.HN_TOTAL_SAVINGS, y)
        eq("high_needs", rows.HN_ANNUAL_GAP, y, annual, cell(hn, rows.HN_ANNUAL_GAP, y), "annual gap = gap + savings")
        running += float(hn.loc[list(inp.hn_brought_forward), y].sum()) + cell(hn, rows.HN_ANNUAL_GAP, y)
        eq(
            "high_needs",
            rows.HN_CUMULATIVE,
            y,
            running,
            cell(hn, rows.HN_CUMULATIVE, y),
            "cumulative = brought forward + sum of annual gaps",
        )


def _capital(r: Result, eq: _Eq) -> None:
    cap, fin = r.capital_programme, r.capital_financing
    groups = [g for g in fin.index if g not in (capital.AVAILABLE, capital.LCC, capital.PROGRAMME_FUNDING)]
    for col in [*r.years, capital.TOTAL]:
        eq(
            "capital",
            capital.PROGRAMME_TOTAL,
            col,
            float(cap.drop(index=capital.PROGRAMME_TOTAL)[col].sum()),
            cell(cap, capital.PROGRAMME_TOTAL, col),
            "programme total = sum of blocks",
        )
        eq(
            "capital",
            capital.AVAILABLE,
            col,
            float(fin.loc[groups, col].sum()),
            cell(fin, capital.AVAILABLE, col),
            "funds available = sum of the resource groups",
        )
        eq(
            "capital",
            capital.PROGRAMME_FUNDING,
            col,
            cell(fin, capital.AVAILABLE, col) + cell(fin, capital.LCC, col),
            cell(cap, capital.PROGRAMME_TOTAL, col),
            "programme = financing + LCC requirement",
        )
    for table, frame in (("capital", cap), ("capital", fin)):
        for row in frame.index:
            eq(
                table,
                str(row),
                capital.TOTAL,
                float(frame.loc[row, list(r.years)].sum()),
                cell(frame, row, capital.TOTAL),
                "total = sum of the years",
            )


def _appendix_a(r: Result, eq: _Eq) -> None:
    a = r.edition.appendix_a
    if a.empty:
        return
    for rid, kind in a["kind"].items():
        kids = a.index[a["parent"] == rid]
        if kind == "line" or kids.empty:
            continue
        for col in r.edition.appendix_a_columns:
            eq(
                "appendix_a",
                str(rid),
                col,
                float(r.appendix_a.loc[kids, col].sum()),
                cell(r.appendix_a, rid, col),
                "derived subtotal = sum of derived parts",
            )


CHECKS = (_revenue, _lines, _high_needs, _capital, _appendix_a)


def engine_findings(result: Result) -> pd.DataFrame:
    """The result's own identities; every row must be ``ok`` for any valid scenario."""
    f = Findings(result.edition, "engine")
    eq = _Eq(f)
    for identity in CHECKS:
        identity(result, eq)
    return f.frame()
