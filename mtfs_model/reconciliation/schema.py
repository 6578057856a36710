"""The schema of an edition's declared checks: ``checks.toml`` and ``headlines.toml``.

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

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from mtfs_model.base.rows import TableName
from mtfs_model.base.schema_types import Positive, Source, Strict, Text
from mtfs_model.base.years import is_fy_label

DATA_ROOTS = ("growth_savings", "revenue", "high_needs", "capital", "cip", "guarantee", "risk", "sources")
YEAR_WORDS = ("first", "final", "each", "all")
CheckId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$", max_length=80)]
Finite = Annotated[float, Field(allow_inf_nan=False, ge=-1e12, le=1e12)]


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
    precision: Positive | None = None
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

    _list = field_validator("derived", mode="before")(_as_list)


class WithinPrintedPrecision(CheckBase):
    """A printed figure that rounds a finer derived one: within half its printed precision."""

    kind: Literal["within_printed_precision"]
    printed: Selector
    derived: Annotated[list[Selector], Field(min_length=1)]
    precision: Positive | None = None

    _list = field_validator("derived", mode="before")(_as_list)


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
    precision: Positive
    unit: str | None = None
    computed: Annotated[list[Selector], Field(min_length=1)]

    _list = field_validator("computed", mode="before")(_as_list)


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
