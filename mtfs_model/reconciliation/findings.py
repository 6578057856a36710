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

from mtfs_model.base.rounding import number
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
    "printed_as",
]
"""``printed_as``: the figure as the paper prints it where that is not a plain number
(a misprint such as ``58.321``), else empty."""
MISPRINT_THOUSANDS = "misprint: a decimal point for a thousands separator"
_THOUSANDS_WITH_POINTS = re.compile(r"-?\d{1,3}(?:\.\d{3})+")
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
        """This value times ``factor``, its rounding allowance scaled by ``|factor|``."""
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
    printed_as: str = ""


def thousands_misprint(text: Any) -> int | None:
    """The figure a printed ``58.321`` means when its point is a thousands separator
    (58,321), or None if ``text`` is not written that way."""
    t = str(text or "").strip()
    return int(t.replace(".", "")) if _THOUSANDS_WITH_POINTS.fullmatch(t) else None


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
        printed_as: str = "",
    ) -> None:
        """Record ``actual`` (printed) against ``expected`` (derived) within ``tolerance``;
        ``printed_as`` is the figure as printed where it is not a plain number."""
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
                printed_as=printed_as,
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
        printed_as: str = "",
    ) -> None:
        """Record two values; the tolerance is the sum of their rounding allowances."""
        table, row, column = where
        tolerance = expected.allowance + actual.allowance
        self.add(
            table,
            row,
            column,
            expected.amount,
            actual.amount,
            tolerance,
            check,
            source,
            soft=soft,
            printed_as=printed_as,
        )

    def frame(self) -> pd.DataFrame:
        """The findings as a DataFrame (one row a check)."""
        return frame_of(self.rows)


def frame_of(findings: Iterable[Finding]) -> pd.DataFrame:
    """Findings as a DataFrame with the :data:`COLUMNS`."""
    return pd.DataFrame.from_records([asdict(f) for f in findings], columns=COLUMNS)


# --- table titles -------------------------------------------------------------------

_PARA = re.compile(r"^para (\d+)")
UNIT_WORDS = {"GBP": "£", "GBP000": "£000", "GBPm": "£m"}
"""A data file's unit as a reader writes it."""


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
    parts += [_span([str(s.get("ref", "")) for s in srcs]), UNIT_WORDS.get(unit, unit)]
    inner = ", ".join(p for p in parts if p)
    return f"{name} ({inner})" if inner else name


# --- for reading ---------------------------------------------------------------------

READER_COLUMNS = {"printed": "printed", "derived": "derived", "difference": "printed − derived"}
"""The figures' columns as a reader sees them (the frame keeps ``actual``/``expected``)."""


def _decimals(values: Iterable[float]) -> int:
    """The fewest decimals (up to three) that show every value in a column as it is."""
    most = 0
    for v in values:
        for d in range(4):
            if abs(round(v, d) - v) < 1e-9:
                most = max(most, d)
                break
        else:
            most = 3
    return most


def as_printed(value: float, printed_as: str = "") -> str:
    """A printed figure as the paper prints it: its text where that is not a plain number
    (``58.321``), else the number with the decimals it has."""
    if printed_as:
        return printed_as
    return number(value, _decimals([value]))


_SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
_YEAR = re.compile(r"(?<!\d)(\d{4})_(\d{2})(?!\d)")


def in_words(text: str) -> str:
    """Internal ids in a finding's text as words: ``net_2021_22 = dsg_total + la_block``
    -> ``net 2021/22 = dsg total + la block``; other text as it is."""
    return _SNAKE.sub(lambda m: _YEAR.sub(r"\1/\2", m.group(0)).replace("_", " "), text)


def reader_view(frame: pd.DataFrame, *, where: bool = False) -> pd.DataFrame:
    """Findings as a reader sees them: ``printed`` (as printed), ``derived`` and
    ``printed − derived`` as text, each row's figures to the decimals its difference
    needs (so they visibly add up), column ids in words; with ``where`` the table, row and
    column as one ``where`` column (for a terminal).  Other columns as they are."""
    out = frame.copy()
    shown = out["printed_as"].fillna("") if "printed_as" in out else pd.Series([""] * len(out), index=out.index)
    printed_, derived_, diff_ = [], [], []
    for p, d, x, t in zip(out["actual"], out["expected"], out["difference"], shown, strict=True):
        dec = _decimals([float(d), float(x)])
        printed_.append(str(t) or number(p, _decimals([float(p)])))
        derived_.append(number(d, dec))
        diff_.append(number(x, dec))
    out["printed"], out["derived"], out["printed − derived"] = printed_, derived_, diff_
    for col in ("row", "column", "check"):
        if col in out:
            out[col] = [in_words(str(c)) for c in out[col]]
    lead = [c for c in ("kind", "table", "row", "column") if c in out]
    if where:
        out["where"] = [
            f"{t}: {r}" + (f", {c}" if c else "")
            for t, r, c in zip(out["table"], out["row"], out["column"], strict=True)
        ]
        lead = [c for c in ("kind", "where") if c in out]
    figures = ["printed", "derived", "printed − derived"]
    skip = {"kind", "table", "row", "column", "where", *figures, "expected", "actual", "difference", "printed_as"}
    rest = [c for c in out.columns if c not in skip]
    return out[[*lead, *figures, *rest]]
