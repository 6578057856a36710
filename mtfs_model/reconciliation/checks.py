"""The vocabulary of declared checks: one registered function per kind.

An edition declares checks as data, in ``checks.toml`` (``[[check]]`` tables with a
``kind``) and ``headlines.toml`` (``[[headline]]`` tables, kind ``headline``); the figures
they compare are named by selectors (:mod:`mtfs_model.reconciliation.schema`).  The kinds:

``sum_of_parts``
    a printed ``total`` against the sum of its ``parts``.
``equals``
    a ``printed`` figure against a ``derived`` one (or another printed one).
``within_printed_precision``
    a ``printed`` figure that rounds a finer ``derived`` one: within half its printed
    precision (the derived figure is taken as exact).
``headline``
    a sentence's figure (``value`` printed to ``precision``) against the ``computed`` one.
``driver_implied``
    a line's published figure against the figure its narrative drivers imply.

The tolerance is half a printed unit for every rounded figure involved (the selectors'
allowances), so adding a part widens it and nothing is counted in code.  A new kind is
one function decorated with ``@check("name")`` and a schema class in
:mod:`mtfs_model.reconciliation.schema`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from mtfs_model.base.cells import cell
from mtfs_model.base.errors import InputError, Problem
from mtfs_model.edition.declared import parse_declared
from mtfs_model.edition.folder import Edition
from mtfs_model.engine.run import Result
from mtfs_model.reconciliation.findings import Findings, Value, printed, title, total
from mtfs_model.reconciliation.schema import (
    AnyCheck,
    DriverImplied,
    Equals,
    Headline,
    Selector,
    SumOfParts,
    WithinPrintedPrecision,
)
from mtfs_model.reconciliation.select import Resolver, SelectorError

HEADLINE_TABLE = "Headline statements"
DRIVERS_TABLE = "Growth drivers"
DECLARED_TABLE = "Declared checks"  # where a check that names no table is shown
CHECK_FILES = {"checks.toml": "check", "headlines.toml": "headline"}


class CheckError(Exception):
    """A selector of a declared check names something that is not there."""

    def __init__(self, field: str, selector: Any, error: SelectorError) -> None:
        super().__init__(str(error))
        self.field, self.selector, self.error = field, selector, error


@dataclass(frozen=True)
class Context:
    """What a check reads (the edition, the engine's result for it) and where it writes."""

    edition: Edition
    result: Result
    resolver: Resolver
    findings: Findings

    def years(self, selectors: Iterable[Selector]) -> Sequence[str | None]:
        """Every year of the horizon if a selector says ``year = "each"``, else one pass."""
        return list(self.edition.years) if any(s.is_each() for s in selectors) else [None]

    def value(self, sel: Selector, year: str | None, field: str) -> Value:
        """The figure ``sel`` names; a selector naming what is not there is a CheckError."""
        try:
            return self.resolver.value(sel, year)
        except SelectorError as exc:
            raise CheckError(field, sel, exc) from None

    def sum_of(self, selectors: Sequence[Selector], year: str | None, field: str) -> Value:
        """Several selectors' figures summed (their allowances too)."""
        many = len(selectors) > 1
        return total(self.value(s, year, f"{field}[{i}]" if many else field) for i, s in enumerate(selectors))

    def column(self, spec: AnyCheck, year: str | None, selectors: Sequence[Selector]) -> str:
        """Where the finding is shown: the check's column, the year, or the first selector's
        single year or column (the printed figure's first)."""
        if spec.column is not None:
            return spec.column
        if year is not None:
            return year
        for sel in selectors:
            try:
                keys = self.resolver.keys_of(sel, None)
            except SelectorError:
                keys = None
            if keys and len(keys) == 1:
                return keys[0]
        return ""

    def record(
        self,
        spec: AnyCheck,
        year: str | None,
        values: tuple[Value, Value],
        text: str,
        selectors: Sequence[Selector] = (),
        *,
        default: tuple[str, str, str | None] = ("", "", None),
        source: Mapping[str, Any] | None = None,
    ) -> None:
        """Record ``values`` (expected, actual) where the check says, else at ``default``
        (table, row, column; the row defaults to the check's id)."""
        table, row, column = default
        shown = column if spec.column is None and column is not None else self.column(spec, year, selectors)
        where = (spec.table or table or DECLARED_TABLE, spec.row or row or spec.id, shown)
        src = spec.source.model_dump(exclude_none=True) if spec.source else source
        # a headline's check column quotes its sentence; other checks describe themselves
        said = f'"{spec.text}"' if isinstance(spec, Headline) else spec.text or text
        self.findings.compare(where, values[0], values[1], said, src, soft=spec.soft)


CheckFn = Callable[[Any, Context], None]
F = TypeVar("F", bound=CheckFn)
REGISTRY: dict[str, CheckFn] = {}


def check(kind: str) -> Callable[[F], F]:
    """Register the function that runs declared checks of ``kind``."""

    def register(fn: F) -> F:
        REGISTRY[kind] = fn
        return fn

    return register


# --- the vocabulary -------------------------------------------------------------------


@check("sum_of_parts")
def sum_of_parts(spec: SumOfParts, ctx: Context) -> None:
    """A printed total against the sum of its parts."""
    for year in ctx.years([spec.total, *spec.parts]):
        actual = ctx.value(spec.total, year, "total")
        expected = total(ctx.value(p, year, f"parts[{i}]") for i, p in enumerate(spec.parts))
        ctx.record(spec, year, (expected, actual), "total = sum of its parts", [spec.total, *spec.parts])


@check("equals")
def equals(spec: Equals, ctx: Context) -> None:
    """A printed figure against a derived (or another printed) one."""
    for year in ctx.years([spec.printed, *spec.derived]):
        actual = ctx.value(spec.printed, year, "printed")
        expected = ctx.sum_of(spec.derived, year, "derived")
        ctx.record(spec, year, (expected, actual), "printed = derived", [spec.printed, *spec.derived])


@check("within_printed_precision")
def within_printed_precision(spec: WithinPrintedPrecision, ctx: Context) -> None:
    """A printed figure against the finer figure it rounds: within half its precision."""
    for year in ctx.years([spec.printed, *spec.derived]):
        shown = ctx.value(spec.printed, year, "printed")
        half = 0.5 * spec.precision if spec.precision is not None else shown.allowance
        exact = ctx.sum_of(spec.derived, year, "derived")
        values = (Value(exact.amount), Value(shown.amount, half))
        text = "printed = derived, rounded to the printed precision"
        ctx.record(spec, year, values, text, [spec.printed, *spec.derived])


@check("headline")
def headline(spec: Headline, ctx: Context) -> None:
    """A headline sentence's figure against the computed figure it states."""
    for year in ctx.years(spec.computed):
        computed = ctx.sum_of(spec.computed, year, "computed")
        stated = Value(spec.value, 0.5 * spec.precision)
        ctx.record(spec, year, (computed, stated), "", default=(HEADLINE_TABLE, spec.id, year or ""))


@check("driver_implied")
def driver_implied(spec: DriverImplied, ctx: Context) -> None:
    """A line's published figure (one printed figure) against its driver-implied figure."""
    table = ctx.result.drivers
    lines = [str(c) for c in table.index.get_level_values(0).unique()]
    if spec.line not in lines:
        raise CheckError("line", spec.line, SelectorError("a line with drivers: " + ", ".join(lines), spec.line))
    years = list(ctx.edition.years) if spec.year == "each" else [ctx.resolver.year_of(spec.year)]
    for y in years:
        if (spec.line, y) not in table.index:
            raise CheckError("year", spec.year, SelectorError("first, final, each or a year of the horizon", y))
    drivers = ctx.edition.growth_savings["lines"][spec.line].get("drivers") or {}
    text = f"published against driver-implied: {drivers.get('description', '')}" + (f" {spec.why}" if spec.why else "")
    src = drivers.get("source")
    name = title(ctx.edition, DRIVERS_TABLE, [src])
    for y in years:
        implied, published = cell(table, (spec.line, y), "driver_implied"), cell(table, (spec.line, y), "modelled")
        values = (Value(implied), printed(published))
        ctx.record(spec, y, values, text, default=(name, spec.line, y), source=src)


# --- loading and running --------------------------------------------------------------


def declared_checks(edition: Edition) -> list[tuple[str, AnyCheck]]:
    """The edition's declared checks, ``(file name, check)``, headlines first.

    Read from the edition's ``headlines`` and ``checks`` as they are now (so an Edition
    changed with ``dataclasses.replace`` is read as changed); an edition loaded from a
    folder had them validated, and every figure and row they name found, at load
    (:mod:`mtfs_model.edition.declared`).  Every problem is raised at once.
    """
    raw: dict[str, Any] = {}
    if edition.headlines:
        raw["headlines.toml"] = {"headline": list(edition.headlines)}
    if edition.checks:
        raw["checks.toml"] = dict(edition.checks)
    declared, problems = parse_declared(edition.path, raw)
    if problems:
        raise InputError.many(problems)
    return list(declared)


def render(selector: Any) -> str:
    """A selector as the inline table it was written as (for error messages)."""
    if not isinstance(selector, Selector):
        return repr(selector)
    items = selector.model_dump(exclude_defaults=True)
    shown = ", ".join(f"{k} = {render_value(v)}" for k, v in items.items())
    return "{ " + shown + " }"


def render_value(v: Any) -> str:
    """A selector or value as short text for a finding's description."""
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {render_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, list):
        return "[" + ", ".join(render_value(x) for x in v) + "]"
    return str(v).lower() if isinstance(v, bool) else str(v)


def run_declared(ctx: Context) -> None:
    """Run every declared check into ``ctx.findings``; a selector naming something that is
    not there is an InputError naming the file, the check and the selector (all at once)."""
    problems: list[Problem] = []
    for name, spec in declared_checks(ctx.edition):
        scratch = Findings(ctx.edition, ctx.findings.kind)
        try:
            REGISTRY[spec.kind](spec, replace(ctx, findings=scratch))
        except CheckError as exc:
            key = f"{CHECK_FILES[name]} {spec.id!r}: {exc.field} = {render(exc.selector)}"
            problems.append(Problem(str(ctx.edition.path / name), key, exc.error.expected, exc.error.got))
            continue
        ctx.findings.rows.extend(scratch.rows)
    if problems:
        raise InputError.many(problems)
