"""Where each figure of an edition sits in its workbook: the sheets, their columns, and
the key syntax both the export (:mod:`mtfs_model.edition.workbook`) and the import
(:mod:`mtfs_model.edition.workbook_import`) read.

An edition's files are trees (TOML tables, arrays, values).  Every leaf of every file has
exactly one cell in the book, so nothing is lost on the way out or back:

* a **grid** sheet holds a collection (``lines``, ``programmes``, ``schemes`` ...): one row
  per item, one column per key below it (two header rows: the group, e.g. ``values`` or
  ``source``, above the field, e.g. ``2021/22`` or ``doc``), years across the columns;
* a **list** sheet holds the rest of a file: one row per key (``horizon.base_year``),
  its value in column B, or a table keyed by year across the year columns.

Keys are written as dotted paths: ``lines.G1.values.2021/22``, ``papers[0].date``; a key
that is not a plain word is in double quotes.  A short list of codes or numbers is one
cell (``G1, G2, G3``) whose key ends in ``[]``; ``{}`` and ``[]`` alone are an empty table
and an empty list.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

Seg = str | int
Path_ = tuple[Seg, ...]
JOINED = -1
"""Path segment of a list written in one cell (``parts[]``)."""
EMPTY_TABLE = "{}"
EMPTY_LIST = "[]"
TOTAL_KEYS = ("Total",)
_FY = re.compile(r"^\d{4}/\d{2}$")
_BARE = re.compile(r"^[A-Za-z0-9_\-/]+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
FIRST_DATA_ROW = 5
"""Rows 1-2: title and note; 3-4: the group and field headers; data from row 5."""


class Empty:
    """The value of an empty table or list (a cell holding ``{}`` or ``[]``)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __repr__(self) -> str:
        return self.kind

    def make(self) -> dict[str, Any] | list[Any]:
        return {} if self.kind == EMPTY_TABLE else []


TABLE0, LIST0 = Empty(EMPTY_TABLE), Empty(EMPTY_LIST)


def is_year(key: Any) -> bool:
    return isinstance(key, str) and bool(_FY.match(key))


def is_scalar(x: Any) -> bool:
    return isinstance(x, str | int | float | bool | dt.date | dt.time)


def is_year_table(node: Any) -> bool:
    """A table keyed by fiscal year (and perhaps ``Total``), every value a plain value."""
    return (
        isinstance(node, dict)
        and bool(node)
        and any(is_year(k) for k in node)
        and all(is_year(k) or k in TOTAL_KEYS for k in node)
        and all(is_scalar(v) for v in node.values())
    )


def year_order(key: str) -> tuple[int, str]:
    return (1, key) if key in TOTAL_KEYS else (0, key)


# --- key syntax -----------------------------------------------------------------------


def seg_text(seg: Seg) -> str:
    if isinstance(seg, int):
        return "[]" if seg == JOINED else f"[{seg}]"
    return seg if _BARE.match(seg) else json.dumps(seg, ensure_ascii=False)


def path_text(path: Path_) -> str:
    out = ""
    for seg in path:
        text = seg_text(seg)
        out += text if (isinstance(seg, int) or not out) else "." + text
    return out


def parse_path(text: str) -> Path_:
    """``lines.G1.values.2021/22`` -> ("lines", "G1", "values", "2021/22"); ValueError if
    the text is not a key."""
    out: list[Seg] = []
    i, n = 0, len(text)
    expect_name = True
    while i < n:
        c = text[i]
        if c == "[":
            j = text.find("]", i)
            inner = text[i + 1 : j] if j > 0 else "?"
            if inner == "":
                out.append(JOINED)
            elif inner.isdigit():
                out.append(int(inner))
            else:
                raise ValueError(f"[n] or [] after a key, got [{inner}]")
            i = j + 1
            expect_name = False
        elif c == ".":
            if expect_name:
                raise ValueError("a key between dots")
            i += 1
            expect_name = True
        elif c == '"':
            if not expect_name:
                raise ValueError("a dot before a quoted key")
            try:
                value, end = json.JSONDecoder().raw_decode(text, i)
            except json.JSONDecodeError:
                raise ValueError("a closing quote") from None
            out.append(str(value))
            i = end
            expect_name = False
        else:
            if not expect_name:
                raise ValueError(f"a dot or [ after {path_text(tuple(out))}")
            m = re.match(r"[A-Za-z0-9_\-/]+", text[i:])
            if not m:
                raise ValueError(f"letters, digits, _ - / or a quoted key, got {text[i:]!r}")
            out.append(m.group(0))
            i += m.end()
            expect_name = False
    if not out or expect_name:
        raise ValueError("a key")
    return tuple(out)


def loose_path(text: str) -> Path_:
    """A key as the edition's checks write it (``rows[0].value``, ``lines.G2.values.2023/24``):
    dots and [n], never failing (best effort, for mapping a problem to a cell)."""
    try:
        return parse_path(text)
    except ValueError:
        out: list[Seg] = []
        for part in re.split(r"\.(?![^\[]*\])", text):
            m = re.match(r"^(.*?)((?:\[\d+\])*)$", part)
            name, idx = (m.group(1), m.group(2)) if m else (part, "")
            if name:
                out.append(name)
            out.extend(int(k) for k in re.findall(r"\[(\d+)\]", idx))
        return tuple(out)


# --- values in one cell ----------------------------------------------------------------


def joinable(items: list[Any]) -> bool:
    """A list written in one cell, items separated by ", ": codes or numbers only."""
    if not items:
        return False
    if all(isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) for x in items):
        return True
    return all(
        isinstance(x, str)
        and x
        and x == x.strip()
        and "," not in x
        and x not in (EMPTY_LIST, EMPTY_TABLE)
        and not _NUMBER.match(x)
        for x in items
    )


def join(items: list[Any]) -> str:
    return ", ".join(repr(x) if isinstance(x, float) else str(x) for x in items)


def split(text: str) -> list[Any]:
    """The inverse of :func:`join`: numbers if every item is one, else text."""
    items = [x.strip() for x in text.split(",")]
    if all(_NUMBER.match(x) for x in items):
        return [int(x) if re.fullmatch(r"[+-]?\d+", x) else float(x) for x in items]
    return items


# --- trees <-> leaves ----------------------------------------------------------------


def leaves(node: Any, prefix: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every leaf under ``node`` in file order: plain values, TABLE0/LIST0 for empty ones,
    a short list of codes or numbers as one leaf at ``path + (JOINED,)``."""
    if isinstance(node, dict):
        if not node:
            yield prefix, TABLE0
        for k, v in node.items():
            yield from leaves(v, (*prefix, k))
    elif isinstance(node, list):
        if not node:
            yield prefix, LIST0
        elif joinable(node):
            yield (*prefix, JOINED), list(node)
        else:
            for i, v in enumerate(node):
                yield from leaves(v, (*prefix, i))
    else:
        yield prefix, node


def get(node: Any, path: Path_) -> Any:
    for seg in path:
        node = node[seg]
    return node


class TreeError(ValueError):
    pass


def build(entries: list[tuple[Path_, Any]]) -> dict[str, Any]:
    """Rebuild a file's tree from (path, value) in order; TreeError names the first clash."""
    root: dict[str, Any] = {}
    for path, value in entries:
        if path and path[-1] == JOINED:
            path, value = path[:-1], list(value)
        elif isinstance(value, Empty):
            value = value.make()
        _put(root, path, value)
    return _lists(root)


def _put(root: dict[str, Any], path: Path_, value: Any) -> None:
    node: Any = root
    for i, seg in enumerate(path):
        last = i == len(path) - 1
        if isinstance(seg, int):
            if not isinstance(node, _IndexMap):
                raise TreeError(f"{path_text(path[:i])} is both a list and a table")
        elif isinstance(node, _IndexMap) or not isinstance(node, dict):
            raise TreeError(f"{path_text(path[:i])} is both a value and a table")
        if last:
            if seg in node:
                raise TreeError(f"{path_text(path)} is given twice")
            node[seg] = value
        else:
            nxt = path[i + 1]
            if seg not in node:
                node[seg] = _IndexMap() if isinstance(nxt, int) else {}
            elif isinstance(nxt, int) != isinstance(node[seg], _IndexMap) or not isinstance(node[seg], dict):
                raise TreeError(f"{path_text(path[: i + 1])} is given twice, in different forms")
            node = node[seg]


class _IndexMap(dict[int, Any]):
    """A list being rebuilt, item by item, from its indexed leaves."""


def _lists(node: Any) -> Any:
    if isinstance(node, _IndexMap):
        idx = sorted(node)
        if idx != list(range(len(idx))):
            raise TreeError(f"list items numbered 0, 1, 2 ... without gaps, got {idx}")
        return [_lists(node[i]) for i in idx]
    if isinstance(node, dict):
        return {k: _lists(v) for k, v in node.items()}
    return node


# --- the sheets ---------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    """One row per item of a collection.

    ``at`` is the collection's path in ``file`` (``*`` matches any table key: one key
    column each); a table's items get a key column headed ``key``, a list's are in order.
    ``where``: instead, every table under ``at`` holding that key is an item, named by its
    path.  ``only`` / ``exclude``: the sub-keys an item shows here (prefixes).
    """

    sheet: str
    file: str
    at: Path_
    key: str | None = None
    wild: tuple[str, ...] = ()
    where: str | None = None
    only: tuple[Path_, ...] = ()
    exclude: tuple[Path_, ...] = ()
    title: str = ""
    note: str = ""
    lists: Mapping[str, str] = field(default_factory=dict)
    """Column field -> ``Sheet`` whose key column lists the codes it may hold."""

    @property
    def key_headers(self) -> tuple[str, ...]:
        keys = tuple(self.wild)
        if self.where is not None:
            return (*keys, "key")
        return (*keys, self.key) if self.key else keys


@dataclass(frozen=True)
class Listing:
    """One row per key of ``file`` under ``at`` (``only`` / ``exclude`` prefixes)."""

    sheet: str
    file: str
    at: Path_ = ()
    only: tuple[Path_, ...] = ()
    exclude: tuple[Path_, ...] = ()
    title: str = ""
    note: str = ""


Sheet = Grid | Listing

SIGN = "Savings and funding are negative, costs and growth positive, as the papers print them."
SRC = "source: doc (a document on the Sources sheet), ref (paragraph or appendix), grep (a phrase to find in it)."

LAYOUT: tuple[Sheet, ...] = (
    Listing(
        "Edition",
        "edition.toml",
        exclude=(("programmes",),),
        title="The edition: id, title, papers, horizon, links between parts, printed row labels",
        note="horizon.years[] is the MTFS years, in order; base_year the year before the first.",
    ),
    Grid(
        "Programmes",
        "edition.toml",
        ("programmes",),
        title="Programmes, in the papers' order",
        note="kind: growth or saving; label: the subtotal row as printed; short: chart label.",
    ),
    Grid(
        "Growth",
        "growth_savings.toml",
        ("lines",),
        key="code",
        exclude=(("narrative",), ("drivers",)),
        title="Growth and savings lines: cumulative £000 by year",
        note=f"Cumulative £000 by year (each year's figure includes the years before). {SIGN} {SRC}",
        lists={"programme": "Programmes", "doc": "Sources"},
    ),
    Grid(
        "Narratives",
        "growth_savings.toml",
        ("lines",),
        key="code",
        only=(("narrative",),),
        title="The papers' narrative for each line (£000)",
        note="The sentence that states a line's figures, and the figures it states.",
        lists={"code": "Growth", "doc": "Sources"},
    ),
    Listing(
        "Drivers",
        "growth_savings.toml",
        ("lines",),
        only=(("*", "drivers"),),
        title="Driver models of growth lines",
        note="One driver figure a row, in the unit its key names (gbp_week: £ a week; gbp000: £000).",
    ),
    Grid(
        "Printed totals",
        "growth_savings.toml",
        ("printed_totals",),
        key="key",
        title="Appendix B totals as printed (£000): read only by the reconciler",
        note=f"parts[]: the line codes the total adds up. {SRC}",
        lists={"doc": "Sources"},
    ),
    Listing(
        "Revenue",
        "revenue.toml",
        exclude=(("service_areas", "rows"),),
        title="Revenue: opening budget, transfers, printed roll-forward (£000)",
        note="original_prior_year_budget and budget_transfers feed the engine; printed rows are reconciled.",
    ),
    Grid(
        "Service areas",
        "revenue.toml",
        ("service_areas", "rows"),
        title="Net budget by service area (£000)",
        note="appendix_a[]: the Appendix A rows each area corresponds to.",
    ),
    Listing(
        "High Needs",
        "high_needs.toml",
        title="Dedicated Schools Grant and the High Needs forecast (£000 unless a key says otherwise)",
        note=f"forecast.funding / expenditure / savings lines feed the engine. {SIGN}",
    ),
    Listing(
        "Capital",
        "capital.toml",
        exclude=(
            ("programme", "blocks", "*", "schemes"),
            ("resources", "rows"),
            ("summary", "rows"),
            ("resources_summary", "rows"),
        ),
        title="Capital programme blocks, printed totals and summaries (£000)",
        note="The scheme and resource lines are on their own sheets.",
    ),
    Grid(
        "Capital schemes",
        "capital.toml",
        ("programme", "blocks", "*", "schemes"),
        wild=("block",),
        title="Capital programme schemes by block (£000)",
        note="values: by year; total: the scheme total as printed.",
    ),
    Grid(
        "Capital resources",
        "capital.toml",
        ("resources", "rows"),
        title="Capital resources (£000)",
        note="group: grants, s106 or receipts; inferred: a year not printed, with its note.",
    ),
    Grid(
        "Capital summaries",
        "capital.toml",
        ("summary", "rows"),
        title="Capital programme summary as printed (£000)",
    ),
    Grid(
        "Resources summary",
        "capital.toml",
        ("resources_summary", "rows"),
        title="Capital resources summary as printed (£000)",
    ),
    Grid(
        "CIP properties",
        "cip.toml",
        ("properties",),
        key="property",
        exclude=(("capital_parts",), ("saving_parts",)),
        title="Residential properties: places, occupancy, values, go-live, stated paybacks",
        note=f"£000 unless a key says otherwise (gbp: £). {SRC}",
        lists={"doc": "Sources"},
    ),
    Listing(
        "CIP parts",
        "cip.toml",
        title="Residential properties: appraisal defaults, capital and saving parts (£000)",
        note="properties.<id>.capital_parts / saving_parts: one part a row.",
    ),
    Listing("Guarantee", "guarantee.toml", title="The transformation partner's guarantee (£000)"),
    Grid(
        "Risk",
        "risk.toml",
        (),
        where="p50",
        title="Budget risk inputs: multipliers of the scenario's figure",
        note="P10 / P50 / P90 multipliers; shape normal or lognormal; evolution level, walk or independent.",
        lists={"doc": "Sources"},
    ),
    Grid(
        "Correlations",
        "risk.toml",
        ("correlation",),
        title="Correlations between risk inputs (Gaussian copula)",
        note="between[]: two input keys from the Risk sheet; rho in [-1, 1].",
        lists={"doc": "Sources"},
    ),
    Listing("Risk settings", "risk.toml", title="Budget risk: settings"),
    Grid(
        "Headlines",
        "headlines.toml",
        ("headline",),
        title="Headline sentences the reconciler checks",
        note="value: the figure as printed, to precision; computed: the engine figure it states.",
        lists={"doc": "Sources"},
    ),
    Grid(
        "Checks",
        "checks.toml",
        ("check",),
        title="Further reconciler checks",
        note="kind: sum_of_parts, equals, within_printed_precision, driver_implied (README: Checks as data).",
        lists={"doc": "Sources"},
    ),
    Grid(
        "Sources",
        "sources.toml",
        ("documents",),
        key="doc",
        title="The papers every figure is transcribed from",
        note="doc: the key every source.doc names.",
    ),
)

CSV_SHEETS = {"appendix_a.csv": "Appendix A"}
TEXT_SHEETS = {"README.md": "Folder README"}
FILE_ORDER = (
    "edition.toml",
    "sources.toml",
    "growth_savings.toml",
    "revenue.toml",
    "high_needs.toml",
    "capital.toml",
    "cip.toml",
    "guarantee.toml",
    "risk.toml",
    "headlines.toml",
    "checks.toml",
)


def matches(path: Path_, pattern: Path_) -> bool:
    """``path`` starts with ``pattern`` (``*`` matching any one key)."""
    return len(path) >= len(pattern) and all(p == "*" or p == s for p, s in zip(pattern, path, strict=False))


def home_sheet(file: str) -> str:
    """The list sheet that takes a file's keys no other sheet shows."""
    for spec in reversed(LAYOUT):
        if isinstance(spec, Listing) and spec.file == file and not spec.only and spec.at == ():
            return spec.sheet
    return file


def sheets_of(file: str) -> list[Sheet]:
    """The sheets showing ``file``, in claiming order (the home sheet last)."""
    specs = [s for s in LAYOUT if s.file == file]
    home = home_sheet(file)
    if not any(s.sheet == home for s in specs):
        specs.append(Listing(home, file, title=f"{file}: every key"))
    return [s for s in specs if s.sheet != home] + [s for s in specs if s.sheet == home]
