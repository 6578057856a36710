"""The declarative schema of an edition's ``outturns.toml`` and its checks against the edition.

Structure first (pydantic, ``extra="forbid"``, strict types: a quoted ``"90512"`` is text,
not a number), then what needs the edition: a figure the engine derives (a row of one of
its tables) or an input the model has (a driver a distribution may vary, a lever), a year
in the horizon, a value of the right kind and size, a document the edition or the file
declares, an outturn dated after its year ended, no record twice.  Every problem in the
file is reported at once, one line each (``outturns.toml: outturn[3].figure.row:
expected ..., got ...``).  The format is documented in :mod:`mtfs_model.forecast.outturns`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, ValidationError

from mtfs_model.base.errors import Problem
from mtfs_model.base.schema_types import MAX_GBP000, Strict, Text, YearLabel, problems_of
from mtfs_model.base.years import fy_start, is_fy_label
from mtfs_model.edition.folder import Edition
from mtfs_model.risk.schema import offer

FigureTable = Literal["revenue", "cumulative", "in_year", "high_needs", "capital_programme", "capital_financing"]
TABLES: tuple[str, ...] = get_args(FigureTable)
"""The engine tables an outturn may name (their columns are the horizon's years)."""
MAX_DRIVER = 1e9
"""The largest driver value an outturn may record (as :data:`~mtfs_model.base.schema_types.Positive`)."""
DRIVER_PATH = "lines.<code>.drivers.<driver>"
AS_OF_EXPECTED = "a TOML date such as 2022-06-30 (not in quotes)"


@dataclass(frozen=True)
class Lever:
    """A yes/no decision a scenario can set (a key of its schema), recordable as an outturn.

    ``attribute`` is the :class:`~mtfs_model.scenarios.inputs.ModelInputs` field holding it;
    ``year_attribute`` the field naming the one year it acts in (None: any year);
    ``available`` says whether the edition has the lever at all.
    """

    path: str
    attribute: str
    year_attribute: str | None
    available: Callable[[Edition], bool]

    def override(self, value: bool) -> dict[str, Any]:
        """The scenario override table that sets the lever: ``{"high_needs": {...: value}}``."""
        out: Any = value
        for part in reversed(self.path.split(".")):
            out = {part: out}
        return dict(out)


def _has_transfer(edition: Edition) -> bool:
    return bool((edition.high_needs.get("schools_block_transfer") or {}).get("year"))


LEVERS: dict[str, Lever] = {
    lever.path: lever
    for lever in (
        Lever("high_needs.schools_block_transfer_approved", "hn_transfer_approved", "hn_transfer_year", _has_transfer),
    )
}
"""The levers an outturn may record, by path (scenario-schema keys, not edition data)."""


class FigureCell(Strict):
    """One cell of an engine table, in the reconciler's selector syntax."""

    table: FigureTable
    row: Annotated[str, Field(min_length=1, max_length=120)]
    year: YearLabel


class DocSource(Strict):
    """Where the figure is printed: a document key, the place in it, a phrase to grep for."""

    doc: Text
    ref: Text
    grep: Text


class LinkSource(Strict):
    """A structured reference: a title and, ideally, a link."""

    title: Text
    href: Text | None = None


class Document(Strict):
    """A document the records cite by key (as in the edition's ``sources.toml``)."""

    title: Text
    href: Text | None = None
    file: Text | None = None
    publisher: Text | None = None
    date: dt.date | None = None


class Record(Strict):
    """One ``[[outturn]]``: the structure only (figure, value and source are checked after)."""

    figure: Any
    year: YearLabel | None = None
    value: Any
    kind: Literal["outturn", "reforecast"] = "outturn"
    as_of: dt.date
    source: Any
    note: Text | None = None


class OutturnsFile(Strict):
    """``outturns.toml``: the documents cited and the records."""

    documents: dict[str, Document] = {}
    outturn: list[Record] = []


# --- Checked records ------------------------------------------------------------------------


@dataclass(frozen=True)
class Checked:
    """One record after every check: the figure resolved (``what``: ``table``, ``driver``
    or ``lever``), the value as a float (a lever's true/false as 1/0)."""

    index: int
    figure: str
    what: str
    table: str | None
    row: str | None
    line: str | None
    driver: str | None
    year: str
    value: float
    kind: str
    as_of: dt.date
    source: dict[str, Any]
    note: str


class _Found:
    def __init__(self, file: Path) -> None:
        self.file, self.found = str(file), list[Problem]()

    def add(self, key: str, expected: str, got: Any = None, *, show_got: bool = True) -> None:
        self.found.append(Problem(self.file, key, expected, got, show_got))


def _listing(names: Any, most: int = 12) -> str:
    names = [str(n) for n in names]
    return ", ".join(names[:most]) + (", ..." if len(names) > most else "") if names else "(none in this edition)"


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(float(x))


def _table_rows(edition: Edition) -> dict[str, list[str]]:
    """Row ids of every table an outturn may name, from one run of the edition as published."""
    from mtfs_model.engine.run import run
    from mtfs_model.scenarios.load import scenario_from_dict

    result = run(scenario_from_dict({"scenario": {"description": "rows"}}, name="outturns", edition=edition))
    return {t: [str(i) for i in getattr(result, t).index] for t in TABLES}


def _guess(fig: Any) -> str:
    """What a figure names, as far as its shape tells (so its value is checked even when
    the figure itself has a problem)."""
    if isinstance(fig, Mapping):
        return "table"
    return "lever" if isinstance(fig, str) and fig in LEVERS else "driver"  # a list or table is no lever


def _figure(
    i: int, fig: Any, year: str | None, edition: Edition, rows: Callable[[], dict[str, list[str]]], p: _Found
) -> tuple[str, str, str | None, str | None, str | None, str | None, str | None] | None:
    """(figure id, what, table, row, line, driver, year) of a record, or None with its problems."""
    where = f"outturn[{i}]"
    if isinstance(fig, Mapping):
        try:
            cell = FigureCell.model_validate(dict(fig))
        except ValidationError as exc:
            p.found.extend(problems_of(exc, p.file, f"{where}.figure", dict(fig)))
            return None
        ok = True
        if year is not None:
            p.add(f"{where}.year", "no year beside a table figure (the year goes in the figure table)", year)
            ok = False
        known = rows()[cell.table]
        if cell.row not in known:
            p.add(f"{where}.figure.row", f"a row of table {cell.table}: {_listing(known)}", cell.row)
            ok = False
        if cell.year not in edition.years:
            p.add(f"{where}.figure.year", "a year of the horizon: " + ", ".join(edition.years), cell.year)
            ok = False
        return (f"{cell.table}.{cell.row}", "table", cell.table, cell.row, None, None, cell.year) if ok else None
    expected = f"a table figure {{ table, row, year }} or an input path ({DRIVER_PATH}, or a lever: {_listing(LEVERS)})"
    if not isinstance(fig, str) or not fig:
        p.add(f"{where}.figure", expected, fig)
        return None
    ok = True
    if year is None:
        p.add(f"{where}.year", "a year of the horizon (an input path needs year = ...)", show_got=False)
        ok = False
    elif year not in edition.years:
        p.add(f"{where}.year", "a year of the horizon: " + ", ".join(edition.years), year)
        ok = False
    parts = fig.split(".")
    if fig in LEVERS:
        lever = LEVERS[fig]
        if not lever.available(edition):
            p.add(f"{where}.figure", f"a lever this edition has ({fig} is not)", fig)
            return None
        acts = _lever_year(lever, edition)
        if ok and acts is not None and year != acts:
            p.add(f"{where}.year", f"the year the lever acts in ({acts})", year)
            ok = False
        return (fig, "lever", None, None, None, None, year) if ok else None
    if len(parts) == 4 and parts[0] == "lines" and parts[2] == "drivers":
        off = offer(edition)
        code, key = parts[1], parts[3]
        if code not in off.line_kind:
            p.add(f"{where}.figure", f"a line code in {DRIVER_PATH}: {_listing(off.line_kind)}", fig)
            return None
        if key not in off.line_drivers[code]:
            variable = _listing(off.line_drivers[code])
            p.add(f"{where}.figure", f"a driver of {code} a distribution may vary: {variable}", fig)
            return None
        return (fig, "driver", None, None, code, key, year) if ok else None
    p.add(f"{where}.figure", expected, fig)
    return None


def _value(i: int, what: str, value: Any, p: _Found) -> float | None:
    where = f"outturn[{i}].value"
    if what == "lever":
        if not isinstance(value, bool):
            p.add(where, "true or false (a lever: was it decided that way?)", value)
            return None
        return 1.0 if value else 0.0
    if what == "driver":
        if not _number(value) or not 0 <= value <= MAX_DRIVER:
            p.add(where, f"a finite number from 0 to {MAX_DRIVER:,.0f} in the driver's unit", value)
            return None
        return float(value)
    if not _number(value) or not -MAX_GBP000 <= value <= MAX_GBP000:
        p.add(where, f"a finite number of GBP000 from {-MAX_GBP000:,.0f} to {MAX_GBP000:,.0f}", value)
        return None
    return float(value)


def _source(i: int, value: Any, documents: Mapping[str, Any], edition: Edition, p: _Found) -> dict[str, Any] | None:
    where = f"outturn[{i}].source"
    expected = "a table { doc, ref, grep } or { title, href }"
    if not isinstance(value, Mapping):
        p.add(where, expected, value)
        return None
    model: type[DocSource] | type[LinkSource] = DocSource if "doc" in value else LinkSource
    try:
        src = model.model_validate(dict(value))
    except ValidationError as exc:
        p.found.extend(problems_of(exc, p.file, where))
        return None
    if isinstance(src, DocSource):
        known = [*documents, *edition.sources.get("documents", {})]
        if src.doc not in known:
            p.add(f"{where}.doc", "a document declared in [documents] here or in the edition's sources.toml: "
                  + _listing(known), src.doc)  # fmt: skip
            return None
    return src.model_dump(exclude_none=True)


def _as_of(i: int, kind: str, what: str, as_of: dt.date, year: str, edition: Edition, p: _Found) -> bool:
    """An outturn of a figure is known once its year ends (a lever's decision whenever it
    was taken); nothing is known before the edition's papers."""
    where = f"outturn[{i}].as_of"
    if kind == "outturn" and what != "lever" and is_fy_label(year):
        ends = dt.date(fy_start(year) + 1, 3, 31)
        if as_of < ends:
            p.add(where, f"a date on or after {ends.isoformat()} (an outturn for {year} is known once it ends; "
                  'a figure before then is kind = "reforecast")', as_of.isoformat())  # fmt: skip
            return False
    papers = [x["date"] for x in edition.meta.get("papers", []) if isinstance(x.get("date"), dt.date)]
    if papers and as_of < min(papers):
        p.add(where, f"a date on or after the edition's papers ({min(papers).isoformat()})", as_of.isoformat())
        return False
    return True


def check(raw: Any, edition: Edition, file: Path) -> list[Checked]:
    """Every record of ``outturns.toml`` (``raw`` as read) checked against ``edition``;
    one :class:`~mtfs_model.base.errors.InputError` with every problem if any."""
    from mtfs_model.base.errors import InputError

    p = _Found(file)
    if not isinstance(raw, Mapping):
        raise InputError(file, "(file)", "a TOML table with [[outturn]] records", raw)
    structure = {k: v for k, v in raw.items() if k != "outturn"}
    records = raw.get("outturn", [])
    try:
        OutturnsFile.model_validate({**structure, "outturn": []})
    except ValidationError as exc:
        p.found.extend(problems_of(exc, file))
    documents = raw.get("documents") if isinstance(raw.get("documents"), Mapping) else {}
    if not isinstance(records, list):
        p.add("outturn", "an array of [[outturn]] tables", records)
        records = []
    cache: dict[str, dict[str, list[str]]] = {}

    def rows() -> dict[str, list[str]]:
        if "rows" not in cache:
            cache["rows"] = _table_rows(edition)
        return cache["rows"]

    out: list[Checked] = []
    seen: dict[tuple[str, str, str, dt.date], int] = {}
    for i, item in enumerate(records):
        if not isinstance(item, Mapping):
            p.add(f"outturn[{i}]", "a table (an [[outturn]] record)", item)
            continue
        bad: set[Any] = set()
        try:
            Record.model_validate(dict(item))
        except ValidationError as exc:
            for problem in problems_of(exc, file, f"outturn[{i}]", dict(item)):
                if problem.key == f"outturn[{i}].as_of" and problem.show_got:
                    problem = Problem(problem.file, problem.key, AS_OF_EXPECTED, problem.got)
                p.found.append(problem)
            bad = {e["loc"][0] for e in exc.errors() if e["loc"]}
        good = {k: v for k, v in item.items() if k not in bad}
        year = good.get("year")
        fig = _figure(i, good["figure"], year, edition, rows, p) if "figure" in good else None
        value = _value(i, fig[1] if fig else _guess(good.get("figure")), good["value"], p) if "value" in good else None
        source = _source(i, good["source"], documents or {}, edition, p) if "source" in good else None
        kind, as_of = good.get("kind", "outturn"), good.get("as_of")
        if fig is None or value is None or source is None or bad or not isinstance(as_of, dt.date):
            continue
        figure, what, table, row, line, driver, fig_year = fig
        assert fig_year is not None
        if not _as_of(i, kind, what, as_of, fig_year, edition, p):
            continue
        key = (figure, fig_year, kind, as_of)
        if key in seen:
            p.add(f"outturn[{i}]", f"each figure, year, kind and as_of once (outturn[{seen[key]}] has them: "
                  "a restated figure needs its own as_of)", show_got=False)  # fmt: skip
            continue
        seen[key] = i
        out.append(Checked(i, figure, what, table, row, line, driver, fig_year, value, kind, as_of, source,
                           str(good.get("note") or "")))  # fmt: skip
    if p.found:
        raise InputError.many(p.found)
    return out


def _lever_year(lever: Lever, edition: Edition) -> str | None:
    if lever.year_attribute is None:
        return None
    from mtfs_model.scenarios.load import baseline_inputs

    value = getattr(baseline_inputs(edition), lever.year_attribute)
    return None if value is None else str(value)
