"""Which leaf of an edition goes in which cell: the plan the export draws and the import
reads back (:mod:`mtfs_model.edition.workbook.sheets` declares the sheets)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mtfs_model.edition.workbook.layout import (
    JOINED,
    Path_,
    get,
    is_year,
    is_year_table,
    leaves,
    path_text,
    seg_text,
    year_order,
)
from mtfs_model.edition.workbook.sheets import Grid, Listing, matches, sheet_rank, sheets_of


@dataclass
class GridPlan:
    spec: Grid
    columns: list[Path_] = field(default_factory=list)
    rows: list[tuple[tuple[str, ...], Path_, dict[Path_, Any]]] = field(default_factory=list)
    """(key cells, the item's path in the file, sub-path -> value)."""


@dataclass
class ListPlan:
    spec: Listing
    years: list[str] = field(default_factory=list)
    rows: list[tuple[Path_, Any]] = field(default_factory=list)
    """(path relative to ``spec.at``, a value or a year table)."""


Plan = GridPlan | ListPlan


def _collections(tree: Any, pattern: Path_, done: Path_ = ()) -> Iterator[tuple[Path_, tuple[str, ...], Any]]:
    """The nodes matching ``pattern``: (path, the keys ``*`` matched, node)."""
    if not pattern:
        yield done, (), tree
        return
    head, rest = pattern[0], pattern[1:]
    if not isinstance(tree, dict):
        return
    keys = list(tree) if head == "*" else ([head] if head in tree else [])
    for k in keys:
        for path, wild, node in _collections(tree[k], rest, (*done, k)):
            yield path, ((str(k),) if head == "*" else ()) + wild, node


def _tables_with(node: Any, key: str, path: Path_ = ()) -> Iterator[tuple[Path_, dict[str, Any]]]:
    if isinstance(node, dict):
        if key in node:
            yield path, node
            return
        for k, v in node.items():
            yield from _tables_with(v, key, (*path, k))


def wanted_on(sub: Path_, spec: Grid | Listing) -> bool:
    """Whether sheet ``spec`` shows the sub-key ``sub`` of an item (its ``only`` / ``exclude``)."""
    if spec.only and not any(matches(sub, p) for p in spec.only):
        return False
    return not any(matches(sub, p) for p in spec.exclude)


def _items(spec: Grid, tree: Any) -> Iterator[tuple[tuple[str, ...], Path_, Any]]:
    if spec.where is not None:
        for _, _, root in _collections(tree, spec.at):
            for path, node in _tables_with(root, spec.where):
                if path:
                    yield (path_text(path),), (*spec.at, *path), node
        return
    for path, wild, node in _collections(tree, spec.at):
        if isinstance(node, dict) and spec.key:
            for k, v in node.items():
                if isinstance(v, dict) and v:
                    yield (*wild, str(k)), (*path, k), v
        elif isinstance(node, list) and not spec.key and node and all(isinstance(v, dict) and v for v in node):
            for i, v in enumerate(node):
                yield wild, (*path, i), v


def column_order(columns: list[Path_]) -> list[Path_]:
    """Columns grouped by their group (first seen first), years in order, Total last."""
    groups: dict[Path_, list[Path_]] = {}
    for c in columns:
        groups.setdefault(split_column(c)[0], []).append(c)
    out: list[Path_] = []
    for cols in groups.values():
        if all(isinstance(c[-1], str) and (is_year(c[-1]) or c[-1] == "Total") for c in cols):
            cols = sorted(cols, key=lambda c: year_order(str(c[-1])))
        out.extend(cols)
    return out


def split_column(sub: Path_) -> tuple[Path_, Path_]:
    """A column's group and field: the field is the last key and any [n] / [] after it."""
    i = len(sub) - 1
    while i > 0 and isinstance(sub[i], int):
        i -= 1
    return sub[:i], sub[i:]


def header_texts(sub: Path_) -> tuple[str, str]:
    group, fld = split_column(sub)
    return path_text(group) if group else "", "".join(seg_text(s) for s in fld)


def plan_file(file: str, tree: dict[str, Any]) -> list[Plan]:
    """Every leaf of ``tree`` placed on exactly one sheet (the home sheet takes the rest)."""
    claimed: set[Path_] = set()
    plans: list[Plan] = []
    for spec in sheets_of(file):
        if isinstance(spec, Grid):
            gp = GridPlan(spec)
            seen: dict[Path_, None] = {}
            for keys, item_path, item in _items(spec, tree):
                cells = {
                    sub: v
                    for sub, v in leaves(item)
                    if wanted_on(sub, spec) and (*item_path, *sub) not in claimed and sub
                }
                if not cells:
                    continue
                claimed.update((*item_path, *sub) for sub in cells)
                gp.rows.append((keys, item_path, cells))
                seen.update(dict.fromkeys(cells))
            gp.columns = column_order(list(seen))
            if gp.rows:
                plans.append(gp)
        else:
            lp = ListPlan(spec)
            base = get(tree, spec.at) if _has(tree, spec.at) else None
            if base is None:
                continue
            for sub, v in leaves(base):
                full = (*spec.at, *sub)
                if full in claimed or not wanted_on(sub, spec):
                    continue
                claimed.add(full)
                parent = sub[:-1]
                if sub and sub[-1] != JOINED and is_year_table(get(base, parent)) and parent:
                    if lp.rows and lp.rows[-1][0] == parent:
                        lp.rows[-1][1][sub[-1]] = v
                    else:
                        lp.rows.append((parent, {sub[-1]: v}))
                else:
                    lp.rows.append((sub, v))
            years = {k for _, v in lp.rows if isinstance(v, dict) for k in v}
            lp.years = sorted(years, key=year_order)
            if lp.rows:
                plans.append(lp)
    return plans


def _has(tree: Any, path: Path_) -> bool:
    node = tree
    for seg in path:
        if not isinstance(node, dict) or seg not in node:
            return False
        node = node[seg]
    return True


def plan_entries(plans: list[Plan]) -> list[tuple[Path_, Any]]:
    """The (path, value) leaves of one file's plans in the order an import writes them:
    sheet by sheet in the template's order, row by row, column by column."""
    out: list[tuple[Path_, Any]] = []
    rank = sheet_rank(plans[0].spec.file) if plans else {}
    for p in sorted(plans, key=lambda p: rank.get(p.spec.sheet, len(rank))):
        if isinstance(p, GridPlan):
            for _, item, cells in p.rows:
                out.extend(((*item, *sub), cells[sub]) for sub in p.columns if sub in cells)
        else:
            for sub, value in p.rows:
                full = (*p.spec.at, *sub)
                if isinstance(value, dict):
                    out.extend(((*full, y), value[y]) for y in p.years if y in value)
                else:
                    out.append((full, value))
    return out
