"""How many printed figures stand behind each cell of the engine's tables.

Each derived cell is a linear combination of printed input figures (Appendix B's lines,
the roll-forward's inputs, the High Needs lines, the capital schemes, Appendix A's
lines).  If each printed figure is rounded to its printed unit, the derived cell can be
off by half a unit times the sum of the absolute coefficients: that is its rounding
allowance.  Coefficients that cancel (a cumulative line's in-year changes telescoping
into the net budget) cancel here too, so the allowance is the honest bound, not a
count of additions.  The structure is read from the edition, never written here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from mtfs_model.base import rows
from mtfs_model.engine import capital
from mtfs_model.engine.run import Result

Coeffs = dict[tuple[Any, ...], float]


def _sum(parts: Iterable[Coeffs], signs: Iterable[float] | None = None) -> Coeffs:
    """Add coefficient maps (each times its sign, default +1); cancelled terms drop out."""
    out: Coeffs = {}
    for part, sign in zip(parts, signs if signs is not None else itertools.repeat(1.0), strict=False):
        for key, c in part.items():
            out[key] = out.get(key, 0.0) + sign * c
    return {k: c for k, c in out.items() if abs(c) > 1e-12}


class Figures:
    """The printed figures behind each cell of ``result``'s tables, as coefficients."""

    def __init__(self, result: Result) -> None:
        self.result = result
        self.edition = result.edition
        self.inputs = result.scenario.inputs
        self.years = list(self.edition.years)
        self._cache: dict[tuple[str, str, str], Coeffs] = {}
        self._aa_lines: dict[str, tuple[str, ...]] | None = None
        handlers: dict[str, Callable[[str, str], Coeffs]] = {
            "cumulative": self._cumulative,
            "in_year": self._in_year,
            "revenue": self._revenue,
            "high_needs": self._high_needs,
            "capital_programme": self._programme,
            "capital_financing": self._financing,
            "appendix_a": self._appendix_a,
            "service_areas": self._service_areas,
            "cip": self._cip,
        }
        self._handlers = handlers

    def allowance(self, table: str, row: str, column: str) -> float:
        """Half a printed unit for each printed figure behind the cell (0 for a model output)."""
        return 0.5 * sum(abs(c) for c in self.coeffs(table, row, column).values())

    def coeffs(self, table: str, row: str, column: str) -> Coeffs:
        """The engine cell ``(table, row, column)`` as a sum of edition figures with coefficients (cached)."""
        key = (table, str(row), str(column))
        if key not in self._cache:
            handler = self._handlers.get(table)
            self._cache[key] = handler(str(row), str(column)) if handler else {}
        return self._cache[key]

    def _prev(self, year: str) -> str | None:
        i = self.years.index(year) if year in self.years else 0
        return self.years[i - 1] if i > 0 else None

    # --- growth and savings, revenue ------------------------------------------------

    def _members(self, row: str) -> list[str]:
        lines = self.inputs.lines
        if row in lines:
            return [row]
        if row.startswith("total:"):
            return [c for c, ln in lines.items() if ln.programme == row.removeprefix("total:")]
        if row == rows.TOTAL_SAVINGS:
            return [c for c, ln in lines.items() if ln.kind == "saving"]
        if row == rows.NET_GROWTH:
            return list(lines)
        return []

    def _cumulative(self, row: str, year: str) -> Coeffs:
        return _sum({("line", c, year): 1.0} for c in self._members(row))

    def _in_year(self, row: str, year: str) -> Coeffs:
        prev = self._prev(year)
        now = self.coeffs("cumulative", row, year)
        return now if prev is None else _sum([now, self.coeffs("cumulative", row, prev)], [1.0, -1.0])

    def _revenue(self, row: str, year: str) -> Coeffs:
        prev = self._prev(year)
        c = self.coeffs
        if row == rows.PRIOR_YEAR_BUDGET:
            return {("prior",): 1.0} if prev is None else c("revenue", rows.NET_BUDGET, prev)
        if row == rows.TRANSFERS:
            return {("transfer", year): 1.0}
        if row == rows.SUB_TOTAL:
            return _sum([c("revenue", rows.PRIOR_YEAR_BUDGET, year), c("revenue", rows.TRANSFERS, year)])
        if row == rows.GROWTH:
            growth = [p.id for p in self.edition.programmes if p.kind == "growth"]
            return _sum(c("in_year", rows.programme_total(p), year) for p in growth)
        if row == rows.SAVINGS:
            return c("in_year", rows.TOTAL_SAVINGS, year)
        if row == rows.NET_BUDGET:
            return _sum(c("revenue", r, year) for r in (rows.SUB_TOTAL, rows.GROWTH, rows.SAVINGS))
        return {}

    # --- High Needs -----------------------------------------------------------------

    def _high_needs(self, row: str, year: str) -> Coeffs:
        inp, c = self.inputs, self.coeffs
        lines = {**inp.hn_funding, **inp.hn_expenditure, **inp.hn_savings}
        if row in lines:
            return {("hn", row, year): 1.0}
        if row in inp.hn_brought_forward:
            return {("hn_bf", row): 1.0} if year == self.years[0] else {}
        groups = {
            rows.HN_TOTAL_EXPENDITURE: list(inp.hn_expenditure),
            rows.HN_GAP_PRE_SAVINGS: [rows.HN_TOTAL_EXPENDITURE, *inp.hn_funding],
            rows.HN_TOTAL_SAVINGS: list(inp.hn_savings),
            rows.HN_ANNUAL_GAP: [rows.HN_GAP_PRE_SAVINGS, rows.HN_TOTAL_SAVINGS],
        }
        if row in groups:
            return _sum(c("high_needs", k, year) for k in groups[row])
        if row == rows.HN_CUMULATIVE:
            upto = self.years[: self.years.index(year) + 1]
            keys = [*inp.hn_brought_forward, rows.HN_ANNUAL_GAP]
            return _sum(c("high_needs", k, y) for y in upto for k in keys)
        return {}

    # --- capital --------------------------------------------------------------------

    def _over_years(self, table: str, row: str, column: str) -> list[Coeffs] | None:
        if column == capital.TOTAL:
            return [self.coeffs(table, row, y) for y in self.years]
        return None

    def _programme(self, row: str, column: str) -> Coeffs:
        across = self._over_years("capital_programme", row, column)
        if across is not None:
            return _sum(across)
        blocks = self.edition.capital["programme"].get("blocks", {})
        if row == capital.PROGRAMME_TOTAL:
            return _sum(self.coeffs("capital_programme", b, column) for b in blocks)
        block = blocks.get(row, {})
        if block.get("use_printed_years"):
            return {("block", row, column): 1.0}
        return _sum({("scheme", row, i, column): 1.0} for i, _ in enumerate(block.get("schemes", [])))

    def _financing(self, row: str, column: str) -> Coeffs:
        across = self._over_years("capital_financing", row, column)
        if across is not None:
            return _sum(across)
        res = list(self.edition.capital["resources"].get("rows", []))
        groups = list(dict.fromkeys(str(r["group"]) for r in res))
        c = self.coeffs
        if row == capital.AVAILABLE:
            return _sum(c("capital_financing", g, column) for g in groups)
        if row == capital.LCC:
            programme = c("capital_programme", capital.PROGRAMME_TOTAL, column)
            return _sum([programme, c("capital_financing", capital.AVAILABLE, column)], [1.0, -1.0])
        if row == capital.PROGRAMME_FUNDING:
            return _sum([c("capital_financing", r, column) for r in (capital.AVAILABLE, capital.LCC)])
        return _sum({("resource", i, column): 1.0} for i, r in enumerate(res) if r["group"] == row)

    # --- Appendix A, service areas, CIP ---------------------------------------------

    def _lines_under(self, rid: str) -> tuple[str, ...]:
        """Appendix A line rows beneath ``rid`` (itself if it is a line)."""
        if self._aa_lines is None:
            self._aa_lines = children_lines(self.edition.appendix_a)
        return self._aa_lines.get(rid, (rid,))

    def _appendix_a(self, row: str, column: str) -> Coeffs:
        return {("appendix_a", rid, column): 1.0 for rid in self._lines_under(row)}

    def _service_areas(self, row: str, column: str) -> Coeffs:
        spec = self.edition.revenue.get("service_areas", {})
        col = spec.get("column", "")
        chosen = [r for r in spec.get("rows", []) if r["label"] == row] or spec.get("rows", [])
        ids = [rid for r in chosen for top in r["appendix_a"] for rid in self._lines_under(top)]
        return _sum({("appendix_a", rid, col): 0.001} for rid in ids)

    def _cip(self, row: str, column: str) -> Coeffs:
        p = self.inputs.properties.get(row)
        if p is None:
            return {}
        if column == "capital_cost":
            return {("cip_capital", row, k): 1.0 for k in p.capital_parts}
        if column == "capital_cash":
            return {("cip_capital", row, k): 1.0 for k in p.capital_parts if k in p.capital_cash_parts}
        if column == "annual_saving":
            return {("cip_saving", row, k): 1.0 for k in p.saving_parts}
        return {}


def children_lines(frame: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Appendix A: for each subtotal row, every line row beneath it (recursively)."""
    kids: dict[str, list[str]] = {}
    if frame.empty:
        return {}
    for rid, parent in frame["parent"].items():
        if parent:
            kids.setdefault(str(parent), []).append(str(rid))

    def lines(rid: str) -> tuple[str, ...]:
        return tuple(x for k in kids[rid] for x in lines(k)) if rid in kids else (rid,)

    return {rid: lines(rid) for rid in kids}
