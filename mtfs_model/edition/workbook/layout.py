"""Where each figure of an edition sits in its workbook: the sheets, their columns, and
the key syntax both the export (:mod:`mtfs_model.edition.workbook.export`) and the import
(:mod:`mtfs_model.edition.workbook.importer`) read.

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
from collections.abc import Iterator
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
        """A fresh empty table or list, as the marker stands for."""
        return {} if self.kind == EMPTY_TABLE else []


TABLE0, LIST0 = Empty(EMPTY_TABLE), Empty(EMPTY_LIST)


def is_year(key: Any) -> bool:
    """True for a fiscal-year key such as ``'2021/22'``."""
    return isinstance(key, str) and bool(_FY.match(key))


def is_scalar(x: Any) -> bool:
    """True for a value one cell holds (text, number, boolean, date, time)."""
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
    """Sort key of a year-table key: years first, ``Total`` keys last."""
    return (1, key) if key in TOTAL_KEYS else (0, key)


# --- key syntax -----------------------------------------------------------------------


def seg_text(seg: Seg) -> str:
    """One path segment as written in a key (``.name`` or ``[0]``)."""
    if isinstance(seg, int):
        return "[]" if seg == JOINED else f"[{seg}]"
    return seg if _BARE.match(seg) else json.dumps(seg, ensure_ascii=False)


def path_text(path: Path_) -> str:
    """A key path as written in the workbook, e.g. ``lines.G1.values``."""
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
    """A short list as one cell's text (``G1, G2, G3``), floats written exactly."""
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


def unjoined(path: Path_) -> Path_:
    """The list's own path for a list written in one cell (``parts[]`` -> ``parts``)."""
    return path[:-1] if path and path[-1] == JOINED else path


def get(node: Any, path: Path_) -> Any:
    """The value at ``path`` inside ``node`` (tables and lists)."""
    for seg in path:
        node = node[seg]
    return node


class TreeError(ValueError):
    """Two cells give one key (or a key is both a value and a table): ``path`` names it."""

    def __init__(self, path: Path_, message: str) -> None:
        super().__init__(message)
        self.path = path


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
                raise TreeError(path[:i], "one form for the key (it is both a list and a table)")
        elif isinstance(node, _IndexMap) or not isinstance(node, dict):
            raise TreeError(path[:i], "one form for the key (it is both a value and a table)")
        if last:
            if seg in node:
                raise TreeError(path, "the key once in the book (it is given twice)")
            node[seg] = value
        else:
            nxt = path[i + 1]
            if seg not in node:
                node[seg] = _IndexMap() if isinstance(nxt, int) else {}
            elif isinstance(nxt, int) != isinstance(node[seg], _IndexMap) or not isinstance(node[seg], dict):
                raise TreeError(path[: i + 1], "one form for the key (it is given twice, in different forms)")
            node = node[seg]


class _IndexMap(dict[int, Any]):
    """A list being rebuilt, item by item, from its indexed leaves."""


def _lists(node: Any, path: Path_ = ()) -> Any:
    if isinstance(node, _IndexMap):
        idx = sorted(node)
        if idx != list(range(len(idx))):
            raise TreeError(path, f"list items numbered [0], [1], [2] ... without gaps, got {idx}")
        return [_lists(node[i], (*path, i)) for i in idx]
    if isinstance(node, dict):
        return {k: _lists(v, (*path, k)) for k, v in node.items()}
    return node
