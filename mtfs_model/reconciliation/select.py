"""Resolve a selector (:class:`~mtfs_model.reconciliation.schema.Selector`) to a figure.

A selector names a cell of an engine table or a value in the edition's files; the
resolver returns it as a :class:`~mtfs_model.reconciliation.findings.Value` with its rounding
allowance.  Anything a selector names that is not there (a row, a year, a key) raises
:class:`SelectorError`, which the caller turns into an InputError naming the file, the
check and the selector.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from mtfs_model.base.cells import cell
from mtfs_model.edition.declared import DATA_ROOTS
from mtfs_model.edition.paths import SelectorError, figures_at, is_number, keys_of, listing, split_path, year_of
from mtfs_model.engine.run import Result
from mtfs_model.reconciliation.figures import Figures
from mtfs_model.reconciliation.findings import Value, total
from mtfs_model.reconciliation.schema import Selector

__all__ = ["Resolver", "SelectorError", "split_path"]


class Resolver:
    """Figures for selectors, from one edition and the engine's result for it."""

    def __init__(self, result: Result) -> None:
        self.result = result
        self.edition = result.edition
        self.figures = Figures(result)

    # --- years ----------------------------------------------------------------------

    def year_of(self, which: str) -> str:
        """``"first"`` / ``"final"`` / a label -> the label (a label outside the horizon is kept)."""
        return year_of(which, self.edition.years)

    def keys_of(self, sel: Selector, year: str | None) -> list[str] | None:
        """The year labels or column a selector picks (``year`` is the current one for "each")."""
        return keys_of(sel.year, sel.column, self.edition.years, year)

    # --- values ---------------------------------------------------------------------

    def cell(self, table: str, row: str, column: str) -> Value:
        """One cell of an engine table with its rounding allowance (KeyError if not there)."""
        frame: pd.DataFrame = getattr(self.result, table)
        return Value(cell(frame, row, column), self.figures.allowance(table, row, column))

    def value(self, sel: Selector, year: str | None = None) -> Value:
        """The figure ``sel`` names (in the year ``year`` if it says "each")."""
        v = self._table(sel, year) if sel.table is not None else self._data(sel, year)
        if sel.per is not None:
            d = self.value(sel.per, year)
            if d.amount == 0:
                raise SelectorError("a divisor (per) that is not zero", 0)
            ratio = v.amount / d.amount
            rel = (v.allowance / abs(v.amount) if v.amount else 0.0) + d.allowance / abs(d.amount)
            v = Value(ratio, abs(ratio) * rel)
        return v.scaled(sel.scale * (-1.0 if sel.negate else 1.0))

    def _table(self, sel: Selector, year: str | None) -> Value:
        name = str(sel.table)
        frame: pd.DataFrame = getattr(self.result, name)
        if frame.empty:
            raise SelectorError(f"a table the engine derives for this edition ({name} is empty: no data for it)", name)
        cols = self.keys_of(sel, year) or []
        labels = [str(c) for c in frame.columns]
        for c in cols:
            if c not in labels:
                raise SelectorError(f"a column of table {name}: {listing(labels)}", c)
        index = [str(i) for i in frame.index]
        if sel.row is not None and sel.row not in index:
            raise SelectorError(f"a row of table {name}: {listing(index)}", sel.row)
        chosen = [sel.row] if sel.row is not None else index
        if len(chosen) * len(cols) > 1 and sel.agg is None and not (sel.year == "all" or isinstance(sel.year, list)):
            raise SelectorError('one cell, or agg = "sum"', sel.model_dump(exclude_defaults=True))
        scale = sel.precision or 1.0
        out = []
        for r in chosen:
            for c in cols:
                x: Any = frame.at[r, frame.columns[labels.index(c)]]
                if not is_number(x):
                    raise SelectorError(f"a number in table {name}, row {r}, column {c}", x)
                out.append(Value(float(x), scale * self.figures.allowance(name, r, c)))
        return total(out)

    def _data(self, sel: Selector, year: str | None) -> Value:
        roots = {root: getattr(self.edition, root) for root in DATA_ROOTS}
        summed = sel.agg == "sum" or sel.year == "all" or isinstance(sel.year, list)
        figures, trail = figures_at(roots, str(sel.data), self.keys_of(sel, year), summed)
        precision = sel.precision or _nearest_precision(trail)
        return total(Value(x, 0.5 * precision) for x in figures)


def _nearest_precision(trail: list[Any]) -> float:
    """The ``precision`` key nearest the figure (its own table first), else 1."""
    for node in reversed(trail):
        if isinstance(node, Mapping) and is_number(node.get("precision")) and node["precision"] > 0:
            return float(node["precision"])
    return 1.0
