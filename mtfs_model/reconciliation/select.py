"""Resolve a selector (:class:`~mtfs_model.reconciliation.schema.Selector`) to a figure.

A selector names a cell of an engine table or a value in the edition's files; the
resolver returns it as a :class:`~mtfs_model.reconciliation.findings.Value` with its rounding
allowance.  Anything a selector names that is not there (a row, a year, a key) raises
:class:`SelectorError`, which the caller turns into an InputError naming the file, the
check and the selector.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from mtfs_model.base.cells import cell
from mtfs_model.engine.run import Result
from mtfs_model.reconciliation.figures import Figures
from mtfs_model.reconciliation.findings import Value, total
from mtfs_model.reconciliation.schema import Selector

MAX_LISTED = 12  # names listed in an error before "..."
_SEGMENT = re.compile(r"^([^\[\]]*)((?:\[[^\[\]]+\])*)$")


class SelectorError(Exception):
    """A selector names something the edition or the engine's tables do not have."""

    def __init__(self, expected: str, got: Any) -> None:
        super().__init__(f"expected {expected}, got {got!r}")
        self.expected, self.got = expected, got


def _listing(names: Any) -> str:
    names = [str(n) for n in names]
    more = ", ..." if len(names) > MAX_LISTED else ""
    return ", ".join(names[:MAX_LISTED]) + more


def _is_number(x: Any) -> bool:
    """A finite real number (numpy's too), not a bool."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool | np.bool_) and math.isfinite(float(x))


def split_path(path: str) -> list[str | int | tuple[str, str]]:
    """``capital.resources.rows[label=Grants].values`` -> keys, indexes and matches."""
    parts: list[str | int | tuple[str, str]] = []
    depth, start, segments = 0, 0, []
    for i, ch in enumerate(path):
        depth += (ch == "[") - (ch == "]")
        if ch == "." and depth == 0:
            segments.append(path[start:i])
            start = i + 1
    segments.append(path[start:])
    for seg in segments:
        m = _SEGMENT.match(seg)
        if not m or (not m.group(1) and not m.group(2)):
            raise SelectorError("a dotted path of keys, [index] or [field=value]", seg)
        if m.group(1):
            parts.append(m.group(1))
        for inner in re.findall(r"\[([^\[\]]+)\]", m.group(2)):
            if inner.isdigit():
                parts.append(int(inner))
            elif "=" in inner:
                field, _, value = inner.partition("=")
                parts.append((field.strip(), value.strip()))
            else:
                raise SelectorError("[index] or [field=value]", inner)
    return parts


class Resolver:
    """Figures for selectors, from one edition and the engine's result for it."""

    def __init__(self, result: Result) -> None:
        self.result = result
        self.edition = result.edition
        self.figures = Figures(result)

    # --- years ----------------------------------------------------------------------

    def year_of(self, which: str) -> str:
        """``"first"`` / ``"final"`` / a label -> the label (a label outside the horizon is kept)."""
        if which == "first":
            return self.edition.first_year
        if which == "final":
            return self.edition.final_year
        return which

    def keys_of(self, sel: Selector, year: str | None) -> list[str] | None:
        """The year labels or column a selector picks (``year`` is the current one for "each")."""
        if sel.column is not None:
            return [sel.column]
        if sel.year is None:
            return None
        if sel.year == "each":
            if year is None:
                raise SelectorError('a check evaluated each year (year = "each")', sel.year)
            return [year]
        if sel.year == "all":
            return list(self.edition.years)
        if isinstance(sel.year, list):
            return [self.year_of(y) for y in sel.year]
        return [self.year_of(sel.year)]

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
                raise SelectorError(f"a column of table {name}: {_listing(labels)}", c)
        index = [str(i) for i in frame.index]
        if sel.row is not None and sel.row not in index:
            raise SelectorError(f"a row of table {name}: {_listing(index)}", sel.row)
        chosen = [sel.row] if sel.row is not None else index
        if len(chosen) * len(cols) > 1 and sel.agg is None and not (sel.year == "all" or isinstance(sel.year, list)):
            raise SelectorError('one cell, or agg = "sum"', sel.model_dump(exclude_defaults=True))
        scale = sel.precision or 1.0
        out = []
        for r in chosen:
            for c in cols:
                x: Any = frame.at[r, frame.columns[labels.index(c)]]
                if not _is_number(x):
                    raise SelectorError(f"a number in table {name}, row {r}, column {c}", x)
                out.append(Value(float(x), scale * self.figures.allowance(name, r, c)))
        return total(out)

    def _walk(self, path: str) -> tuple[Any, list[Any]]:
        """The value at ``path`` and the containers above it, outermost first."""
        parts = split_path(path)
        node: Any = getattr(self.edition, str(parts[0]))
        trail: list[Any] = []
        done = str(parts[0])
        for part in parts[1:]:
            trail.append(node)
            node = self._step(node, part, done)
            done += f".{part}" if isinstance(part, str) else f"[{part}]"
        return node, trail

    @staticmethod
    def _step(node: Any, part: str | int | tuple[str, str], where: str) -> Any:
        if isinstance(part, str):
            if not isinstance(node, Mapping) or part not in node:
                keys = list(node) if isinstance(node, Mapping) else []
                raise SelectorError(f"a key of {where}: {_listing(keys)}", part)
            return node[part]
        if not isinstance(node, list):
            raise SelectorError(f"an array at {where}", part)
        if isinstance(part, int):
            if part >= len(node):
                raise SelectorError(f"an index below {len(node)} in {where}", part)
            return node[part]
        field, wanted = part
        for item in node:
            if isinstance(item, Mapping) and str(item.get(field)) == wanted:
                return item
        raise SelectorError(
            f"an item of {where} with {field} = one of "
            + _listing(i.get(field) for i in node if isinstance(i, Mapping)),
            wanted,
        )

    def _data(self, sel: Selector, year: str | None) -> Value:
        node, trail = self._walk(str(sel.data))
        trail.append(node)
        keys = self.keys_of(sel, year)
        if keys is not None:
            if not isinstance(node, Mapping):
                raise SelectorError(f"a table of years or columns at {sel.data}", node)
            missing = [k for k in keys if k not in node]
            if missing:
                raise SelectorError(f"a key of {sel.data}: {_listing(node)}", missing[0])
            node = [node[k] for k in keys] if len(keys) > 1 else node[keys[0]]
        figures = self._numbers(node, sel)
        precision = sel.precision or _nearest_precision(trail)
        return total(Value(x, 0.5 * precision) for x in figures)

    @staticmethod
    def _numbers(node: Any, sel: Selector) -> list[float]:
        if _is_number(node):
            return [float(node)]
        many = list(node.values()) if isinstance(node, Mapping) else node if isinstance(node, list) else None
        summed = sel.agg == "sum" or sel.year == "all" or isinstance(sel.year, list)
        if many is None or not summed or not all(_is_number(x) for x in many):
            raise SelectorError('a number (or numbers with agg = "sum")' + f" at {sel.data}", node)
        return [float(x) for x in many]


def _nearest_precision(trail: list[Any]) -> float:
    """The ``precision`` key nearest the figure (its own table first), else 1."""
    for node in reversed(trail):
        if isinstance(node, Mapping) and _is_number(node.get("precision")) and node["precision"] > 0:
            return float(node["precision"])
    return 1.0
