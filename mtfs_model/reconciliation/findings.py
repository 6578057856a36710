"""Findings: one row per comparison of two figures, and how its severity is decided.

A comparison holds two :class:`Value` s: the figure as printed (``actual``) and the figure
derived from the parts (``expected``).  Each carries its *rounding allowance*: half a
printed unit for every rounded figure behind it.  The tolerance of a comparison is the sum
of the two allowances, so it follows from the number of figures involved and the
precision they are printed to, never from a count written in code.

Severity: ``ok`` (equal), ``rounding`` (within the tolerance), ``note`` (beyond it, in a
cross-check the papers do not claim to be exact), ``disagreement`` (beyond it).
``difference`` is always ``actual - expected``: printed minus derived.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from mtfs_model.edition.folder import Edition

SEVERITIES = ("ok", "rounding", "note", "disagreement")
COLUMNS = [
    "kind",
    "table",
    "row",
    "column",
    "expected",
    "actual",
    "difference",
    "tolerance",
    "severity",
    "check",
    "source",
]
ENGINE_TOLERANCE = 1e-6  # float summation noise only


@dataclass(frozen=True)
class Value:
    """A figure and its rounding allowance (half a printed unit per rounded figure behind it)."""

    amount: float
    allowance: float = 0.0

    def __add__(self, other: Value) -> Value:
        return Value(self.amount + other.amount, self.allowance + other.allowance)

    def __sub__(self, other: Value) -> Value:
        return Value(self.amount - other.amount, self.allowance + other.allowance)

    def scaled(self, factor: float) -> Value:
        return Value(self.amount * factor, self.allowance * abs(factor))


def printed(amount: Any, precision: float = 1.0) -> Value:
    """One printed figure, rounded to ``precision`` (its printed unit)."""
    return Value(float(amount), 0.5 * precision)


def total(values: Iterable[Value]) -> Value:
    """The sum of several values (allowances add)."""
    out = Value(0.0)
    for v in values:
        out = out + v
    return out


def printed_sum(amounts: Iterable[Any], precision: float = 1.0) -> Value:
    """The sum of printed figures, each rounded to ``precision``."""
    return total(printed(a, precision) for a in amounts)


@dataclass(frozen=True)
class Finding:
    """One comparison: ``actual`` (printed) against ``expected`` (derived)."""

    kind: str
    table: str
    row: str
    column: str
    expected: float
    actual: float
    difference: float
    tolerance: float
    severity: str
    check: str
    source: str


def severity_of(difference: float, tolerance: float, *, soft: bool = False) -> str:
    """``ok`` / ``rounding`` / ``note`` (a soft check beyond tolerance) / ``disagreement``."""
    if abs(difference) <= ENGINE_TOLERANCE:
        return "ok"
    if abs(difference) <= tolerance + ENGINE_TOLERANCE:
        return "rounding"
    return "note" if soft else "disagreement"


@dataclass
class Findings:
    """Accumulates the findings of one kind (``paper`` or ``engine``) for an edition."""

    edition: Edition
    kind: str
    rows: list[Finding] = field(default_factory=list)

    def add(
        self,
        table: str,
        row: str,
        column: str,
        expected: float,
        actual: float,
        tolerance: float,
        check: str,
        source: Mapping[str, Any] | str | None = None,
        *,
        soft: bool = False,
    ) -> None:
        """Record ``actual`` (printed) against ``expected`` (derived) within ``tolerance``."""
        diff = float(actual) - float(expected)
        src = source if isinstance(source, str) else (self.edition.source_of(source) if source else "")
        self.rows.append(
            Finding(
                kind=self.kind,
                table=table,
                row=str(row),
                column=str(column),
                expected=float(expected),
                actual=float(actual),
                difference=diff,
                tolerance=float(tolerance),
                severity=severity_of(diff, tolerance, soft=soft),
                check=check,
                source=src,
            )
        )

    def compare(
        self,
        where: tuple[str, str, str],
        expected: Value,
        actual: Value,
        check: str,
        source: Mapping[str, Any] | str | None = None,
        *,
        soft: bool = False,
    ) -> None:
        """Record two values; the tolerance is the sum of their rounding allowances."""
        table, row, column = where
        tolerance = expected.allowance + actual.allowance
        self.add(table, row, column, expected.amount, actual.amount, tolerance, check, source, soft=soft)

    def frame(self) -> pd.DataFrame:
        return frame_of(self.rows)


def frame_of(findings: Iterable[Finding]) -> pd.DataFrame:
    """Findings as a DataFrame with the :data:`COLUMNS`."""
    return pd.DataFrame.from_records([asdict(f) for f in findings], columns=COLUMNS)


# --- table titles -------------------------------------------------------------------

_PARA = re.compile(r"^para (\d+)")


def _span(refs: list[str]) -> str:
    """``para 17`` + ``para 19`` -> ``para 17-19``; one ref as is; others joined."""
    heads = [r.split(",")[0].strip() for r in refs if r]
    nums = [int(m.group(1)) for m in (_PARA.match(h) for h in heads) if m]
    if heads and len(nums) == len(heads):
        lo, hi = min(nums), max(nums)
        return f"para {lo}" if lo == hi else f"para {lo}-{hi}"
    return ", ".join(dict.fromkeys(heads))


def _paper_date(edition: Edition, doc: str) -> str:
    """The date of a paper other than the edition's first (main) one, as ``9 March 2021``."""
    papers = list(edition.meta.get("papers") or [])
    for i, paper in enumerate(papers):
        when = paper.get("date")
        if paper.get("doc") == doc and i > 0 and isinstance(when, dt.date):
            return f"{when.day} {when:%B %Y}"
    return ""


def title(edition: Edition, name: str, sources: Iterable[Mapping[str, Any] | None], unit: str = "") -> str:
    """A findings table's title: ``name (date of a later paper, para span, unit)``."""
    srcs = [s for s in sources if s]
    docs = {str(s.get("doc", "")) for s in srcs}
    parts = [_paper_date(edition, docs.pop()) if len(docs) == 1 else ""]
    parts += [_span([str(s.get("ref", "")) for s in srcs]), unit]
    inner = ", ".join(p for p in parts if p)
    return f"{name} ({inner})" if inner else name
