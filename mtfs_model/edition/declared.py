"""The schema of an edition's declared checks: ``checks.toml`` and ``headlines.toml``,
checked when the edition loads (:func:`parse_declared`, :func:`reference_problems`).

A check names two or more figures by **selectors** and how they should relate (its
``kind``, see :mod:`mtfs_model.reconciliation.checks`).  A selector is a TOML inline table:

``table = "<engine table>"``, ``row = "<row id>"``, ``year = ...`` or ``column = ...``
    a cell of a table the engine derives (``revenue``, ``cumulative``, ``in_year``,
    ``service_areas``, ``high_needs``, ``capital_programme``, ``capital_financing``,
    ``cip``, ``cip_cash``, ``appendix_a``); rows are the stable ids of
    :mod:`mtfs_model.base.rows`, line codes and the edition's keys.
``data = "<file>.<key>.<key>..."``
    a figure in the edition's files (``revenue.roll_forward.printed.net_budget``); a
    segment ``rows[label=...]`` picks an array item by a field, ``rows[0]`` by position.
``year``
    ``"first"``, ``"final"``, a year label, ``"each"`` (one finding per year of the
    horizon), ``"all"`` or a list of labels (summed).
``column``
    a column that is not a year (``"gross_budget"``, ``"Total"``) or a key of a table.
``agg = "sum"``
    sum every row of the column (a table), or every value (a table or array of figures).
``scale``, ``negate``, ``per``
    multiply, change the sign, divide by another selector.
``precision``
    the printed unit of the figure(s) (default: the nearest ``precision`` key around the
    figure in its file, else 1): each contributes half of it to the tolerance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from mtfs_model.base.errors import InputError, Problem
from mtfs_model.base.rows import TableName
from mtfs_model.base.schema_types import Source, Strict, Text, validate
from mtfs_model.base.years import is_fy_label
from mtfs_model.edition.paths import SelectorError, figures_at, keys_of, listing

DATA_ROOTS = ("growth_savings", "revenue", "high_needs", "capital", "cip", "guarantee", "risk", "sources")
YEAR_WORDS = ("first", "final", "each", "all")
CheckId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$", max_length=80)]
Finite = Annotated[float, Field(allow_inf_nan=False, ge=-1e12, le=1e12)]
Precision = Annotated[float, Field(allow_inf_nan=False, gt=0.0, le=1e9)]
"""The place a figure is printed to (1, 100, 0.1): above 0."""


class Selector(Strict):
    """Where a figure is: a cell of an engine table, or a value in the edition's files."""

    table: TableName | None = None
    data: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    row: Annotated[str, Field(min_length=1)] | None = None
    column: Annotated[str, Field(min_length=1)] | None = None
    year: str | list[str] | None = None
    agg: Literal["sum"] | None = None
    scale: Finite = 1.0
    negate: bool = False
    precision: Precision | None = None
    per: Selector | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Selector:
        if (self.table is None) == (self.data is None):
            raise ValueError('exactly one of table = "..." or data = "..."')
        if self.year is not None and self.column is not None:
            raise ValueError("year or column, not both")
        if self.data is not None and self.row is not None:
            raise ValueError("row only with table (a data path names its own keys)")
        if self.data is not None and self.data.split(".")[0].split("[")[0] not in DATA_ROOTS:
            raise ValueError("a data path starting with one of " + ", ".join(DATA_ROOTS))
        if self.table is not None and self.year is None and self.column is None:
            raise ValueError("year or column with table")
        if self.table is not None and self.row is None and self.agg is None:
            raise ValueError('row, or agg = "sum" over every row, with table')
        for y in [self.year] if isinstance(self.year, str) else self.year or []:
            _year_word(y)
        return self

    def is_each(self) -> bool:
        """True if the selector (or its divisor) is evaluated once a year."""
        return self.year == "each" or (self.per is not None and self.per.is_each())


def _year_word(y: str) -> str:
    if y not in YEAR_WORDS and not is_fy_label(y):
        raise ValueError('year "first", "final", "each", "all", a year label or a list of labels')
    return y


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


class CheckBase(Strict):
    """What every declared check has: its id, where its findings are shown, its source."""

    id: CheckId
    table: Text | None = None
    row: Text | None = None
    column: str | None = None
    text: Text | None = None
    source: Source | None = None
    severity_if_different: Literal["note", "disagreement"] = "disagreement"

    @property
    def soft(self) -> bool:
        """True when a difference is a ``note``, not a ``disagreement``."""
        return self.severity_if_different == "note"


class SumOfParts(CheckBase):
    """A printed total against the sum of its printed (or derived) parts."""

    kind: Literal["sum_of_parts"]
    total: Selector
    parts: Annotated[list[Selector], Field(min_length=1)]


class Equals(CheckBase):
    """A printed figure against a derived one or another printed one (``derived`` summed)."""

    kind: Literal["equals"]
    printed: Selector
    derived: Annotated[list[Selector], Field(min_length=1)]

    _list = field_validator("derived", mode="before", json_schema_input_type=Selector | list[Selector])(_as_list)


class WithinPrintedPrecision(CheckBase):
    """A printed figure that rounds a finer derived one: within half its printed precision."""

    kind: Literal["within_printed_precision"]
    printed: Selector
    derived: Annotated[list[Selector], Field(min_length=1)]
    precision: Precision | None = None

    _list = field_validator("derived", mode="before", json_schema_input_type=Selector | list[Selector])(_as_list)


class DriverImplied(CheckBase):
    """A line's published figure against the figure its narrative drivers imply."""

    kind: Literal["driver_implied"]
    line: Annotated[str, Field(min_length=1, max_length=64)]
    year: str = "each"
    why: Text | None = None

    _year = field_validator("year")(_year_word)


class Headline(CheckBase):
    """A sentence stating a figure (``value``, printed to ``precision``) the engine computes."""

    kind: Literal["headline"] = "headline"
    text: Text
    value: Finite
    precision: Precision
    unit: str | None = None
    computed: Annotated[list[Selector], Field(min_length=1)]

    _list = field_validator("computed", mode="before", json_schema_input_type=Selector | list[Selector])(_as_list)


CheckSpec = Annotated[
    SumOfParts | Equals | WithinPrintedPrecision | DriverImplied | Headline, Field(discriminator="kind")
]
AnyCheck = SumOfParts | Equals | WithinPrintedPrecision | DriverImplied | Headline


class ChecksFile(Strict):
    """``checks.toml``: ``[[check]]`` tables, each with a ``kind``."""

    check: Annotated[list[CheckSpec], Field(default_factory=list)]


class HeadlinesFile(Strict):
    """``headlines.toml``: ``[[headline]]`` tables."""

    headline: Annotated[list[Headline], Field(default_factory=list)]


# --- loading: the schema, then what the selectors name -----------------------------------

CHECK_FILES = {"headlines.toml": "headline", "checks.toml": "check"}
"""Each file of declared checks and its array of tables, headlines first."""
Declared = tuple[tuple[str, AnyCheck], ...]
"""An edition's declared checks: ``(file name, check)``, headlines first."""


def _items(data: Any, section: str) -> list[Any]:
    items = data.get(section, []) if isinstance(data, dict) else []
    return items if isinstance(items, list) else []


KINDS = ("sum_of_parts", "equals", "within_printed_precision", "driver_implied", "headline")


def _named(problem: Problem, section: str, items: list[Any]) -> Problem:
    """A problem at ``check[3].parts[0]`` named by the check's id instead: ``check 'id':
    parts[0]`` (pydantic's name for the kind of check, in its path, left out)."""
    head, sep, rest = problem.key.partition("]")
    if sep and head.startswith(f"{section}[") and head[len(section) + 1 :].isdigit():
        i = int(head[len(section) + 1 :])
        ident = items[i].get("id") if i < len(items) and isinstance(items[i], dict) else None
        if ident is not None:
            for kind in KINDS:
                if rest == f".{kind}" or rest.startswith(f".{kind}."):
                    rest = rest[len(kind) + 1 :]
                    break
            key = f"{section} {ident!r}" + (f": {rest.removeprefix('.')}" if rest else "")
            return replace(problem, key=key)
    return problem


def named(problems: list[Problem], name: str, data: Any) -> list[Problem]:
    """Problems of ``headlines.toml`` or ``checks.toml`` (``name``, parsed as ``data``) keyed
    by each check's id (see :func:`_named`)."""
    section = CHECK_FILES[name]
    items = _items(data, section)
    return [_named(p, section, items) for p in problems]


def parse_declared(folder: Path, raw: Mapping[str, Any]) -> tuple[Declared, list[Problem]]:
    """Validate ``headlines.toml`` and ``checks.toml`` (``raw``: file name -> parsed TOML,
    absent if the edition has no such file); the checks and every problem, an id used
    twice included."""
    problems: list[Problem] = []
    out: list[tuple[str, AnyCheck]] = []
    models: dict[str, type[HeadlinesFile] | type[ChecksFile]] = {
        "headlines.toml": HeadlinesFile,
        "checks.toml": ChecksFile,
    }
    seen: set[str] = set()
    for name, section in CHECK_FILES.items():
        data = raw.get(name, {})
        items = _items(data, section)
        try:
            parsed = validate(models[name], data, folder / name)
            out += [(name, spec) for spec in getattr(parsed, section)]
        except InputError as exc:
            problems += [_named(p, section, items) for p in exc.problems]
        for item in items:
            ident = item.get("id") if isinstance(item, dict) else None
            if isinstance(ident, str) and ident in seen:
                problems.append(Problem(str(folder / name), f"{section} {ident!r}", "each id once", ident))
            seen.add(str(ident))
    return tuple(out), problems


def selectors_of(spec: AnyCheck) -> list[tuple[str, Selector]]:
    """A check's selectors by the key they are written at (``parts[1]``, ``computed[0].per``)."""
    fields: list[tuple[str, Selector]] = []
    if isinstance(spec, SumOfParts):
        fields = [("total", spec.total), *((f"parts[{i}]", s) for i, s in enumerate(spec.parts))]
    elif isinstance(spec, Equals | WithinPrintedPrecision):
        fields = [("printed", spec.printed), *((f"derived[{i}]", s) for i, s in enumerate(spec.derived))]
    elif isinstance(spec, Headline):
        fields = [(f"computed[{i}]", s) for i, s in enumerate(spec.computed)]
    out: list[tuple[str, Selector]] = []
    for key, sel in fields:
        while sel is not None:
            out.append((key, sel))
            key, sel = f"{key}.per", sel.per  # type: ignore[assignment]
    return out


def _table_problem(
    sel: Selector, rows_of: Mapping[str, Sequence[str]], columns_of: Mapping[str, Sequence[str]], years: Sequence[str]
) -> SelectorError | None:
    name = str(sel.table)
    rows = rows_of.get(name, ())
    if not rows:
        return SelectorError(f"a table the engine derives for this edition ({name} is empty: no data for it)", name)
    if sel.row is not None and sel.row not in rows:
        return SelectorError(f"a row of the {name} table: {listing(rows)}", sel.row)
    columns = columns_of.get(name)
    for current in years if sel.year == "each" else [None]:
        for key in keys_of(sel.year, sel.column, years, current) or []:
            if columns is not None and key not in columns:
                return SelectorError(f"a column of the {name} table: {listing(columns)}", key)
    return None


def _data_problem(sel: Selector, roots: Mapping[str, Any], years: Sequence[str]) -> SelectorError | None:
    summed = sel.agg == "sum" or sel.year == "all" or isinstance(sel.year, list)
    for current in years if sel.year == "each" else [None]:
        try:
            figures_at(roots, str(sel.data), keys_of(sel.year, sel.column, years, current), summed)
        except SelectorError as exc:
            return exc
    return None


def reference_problems(
    folder: Path,
    declared: Declared,
    roots: Mapping[str, Any],
    years: Sequence[str],
    rows_of: Mapping[str, Sequence[str]],
    columns_of: Mapping[str, Sequence[str]],
    driver_lines: Sequence[str],
) -> list[Problem]:
    """What each declared check names that the edition does not have: a figure of its
    files (``roots``: file name without ``.toml`` -> parsed file), a row of an engine table
    (``rows_of``: :func:`~mtfs_model.edition.paths.table_rows`) or a column of one
    (``columns_of``: :func:`~mtfs_model.edition.paths.table_columns`), a line with drivers."""
    problems: list[Problem] = []
    for name, spec in declared:
        where = f"{CHECK_FILES[name]} {spec.id!r}"
        if isinstance(spec, DriverImplied) and spec.line not in driver_lines:
            expected = "a line with drivers: " + ", ".join(driver_lines)
            problems.append(Problem(str(folder / name), f"{where}: line", expected, spec.line))
        for key, sel in selectors_of(spec):
            table = sel.table is not None
            error = _table_problem(sel, rows_of, columns_of, years) if table else _data_problem(sel, roots, years)
            if error is not None:
                problems.append(Problem(str(folder / name), f"{where}: {key}", error.expected, error.got))
    return problems
