"""Figures in an edition's files named by a dotted path, and the row ids of the tables the
engine derives from an edition: what a declared check's selector may name.

``data = "capital.resources.rows[label=Grants - Basic need*].values"``: keys, ``[index]``
and ``[field=value]`` segments from a file's root (:func:`split_path`, :func:`walk`).
:func:`table_rows` lists the row ids each engine table will have, from the edition's
files alone, so a selector naming a row that is not there is refused when the edition
loads, not when it is reconciled.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping, Sequence
from typing import Any

from mtfs_model.base import rows

MAX_LISTED = 12  # names listed in an error before "..."
_SEGMENT = re.compile(r"^([^\[\]]*)((?:\[[^\[\]]+\])*)$")


class SelectorError(Exception):
    """A selector names something the edition or the engine's tables do not have."""

    def __init__(self, expected: str, got: Any) -> None:
        super().__init__(f"expected {expected}, got {got!r}")
        self.expected, self.got = expected, got


def listing(names: Any) -> str:
    """``names`` as one comma-separated text, cut after the first few with ``...``."""
    names = [str(n) for n in names]
    more = ", ..." if len(names) > MAX_LISTED else ""
    return ", ".join(names[:MAX_LISTED]) + more


def is_number(x: Any) -> bool:
    """A finite real number (numpy's too), not a bool."""
    real = isinstance(x, numbers.Real) and not isinstance(x, bool) and type(x).__name__ != "bool_"
    return real and math.isfinite(float(x))


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


def step(node: Any, part: str | int | tuple[str, str], where: str) -> Any:
    """One segment down from ``node`` (at ``where``)."""
    if isinstance(part, str):
        if not isinstance(node, Mapping) or part not in node:
            keys = list(node) if isinstance(node, Mapping) else []
            raise SelectorError(f"a key of {where}: {listing(keys)}", part)
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
        f"an item of {where} with {field} = one of " + listing(i.get(field) for i in node if isinstance(i, Mapping)),
        wanted,
    )


def walk(roots: Mapping[str, Any], path: str) -> tuple[Any, list[Any]]:
    """The value at ``path`` (its first segment a key of ``roots``: a file's name without
    ``.toml``) and the containers above it, outermost first."""
    parts = split_path(path)
    first = parts[0]
    if not isinstance(first, str) or first not in roots:
        raise SelectorError("a data path starting with one of " + ", ".join(roots), first)
    node: Any = roots[first]
    trail: list[Any] = []
    done = first
    for part in parts[1:]:
        trail.append(node)
        node = step(node, part, done)
        done += f".{part}" if isinstance(part, str) else f"[{part}]"
    return node, trail


def table_rows(
    *,
    lines: Sequence[str],
    programmes: Sequence[str],
    high_needs: Sequence[str],
    service_areas: Sequence[str],
    blocks: Sequence[str],
    groups: Sequence[str],
    properties: Sequence[str],
    appendix_a: Sequence[str],
) -> dict[str, tuple[str, ...]]:
    """The row ids of each table the engine derives, from the parts an edition declares
    (``high_needs``: the forecast's line keys, brought-forward keys last; ``service_areas``:
    the areas' labels, the total's label last)."""
    growth_savings = (*lines, *(rows.programme_total(p) for p in programmes), rows.TOTAL_SAVINGS, rows.NET_GROWTH)
    return {
        "revenue": rows.REVENUE_ROWS,
        "cumulative": growth_savings,
        "in_year": growth_savings,
        "service_areas": tuple(service_areas),
        "high_needs": (*high_needs, *rows.HN_DERIVED_ROWS),
        "capital_programme": (*blocks, "programme_total"),
        "capital_financing": (*dict.fromkeys(groups), "available", "lcc_requirement", "programme_funding"),
        "cip": tuple(properties),
        "cip_cash": (*properties, "all"),
        "appendix_a": tuple(appendix_a),
    }


def year_of(which: str, years: Sequence[str]) -> str:
    """``"first"`` / ``"final"`` / a label -> the label (a label outside the horizon is kept)."""
    if which == "first":
        return years[0]
    if which == "final":
        return years[-1]
    return which


def keys_of(
    year: str | list[str] | None, column: str | None, years: Sequence[str], current: str | None
) -> list[str] | None:
    """The year labels or column a selector picks (``current``: the year of a check
    evaluated each year), or None if it picks neither."""
    if column is not None:
        return [column]
    if year is None:
        return None
    if year == "each":
        if current is None:
            raise SelectorError('a check evaluated each year (year = "each")', year)
        return [current]
    if year == "all":
        return list(years)
    if isinstance(year, list):
        return [year_of(y, years) for y in year]
    return [year_of(year, years)]


def figures_at(
    roots: Mapping[str, Any], path: str, keys: list[str] | None, summed: bool
) -> tuple[list[float], list[Any]]:
    """The figure(s) at data path ``path`` (the ``keys`` of a table there, if given) and the
    containers down to it; several figures only if ``summed``."""
    node, trail = walk(roots, path)
    trail.append(node)
    if keys is not None:
        if not isinstance(node, Mapping):
            raise SelectorError(f"a table of years or columns at {path}", node)
        missing = [k for k in keys if k not in node]
        if missing:
            raise SelectorError(f"a key of {path}: {listing(node)}", missing[0])
        node = [node[k] for k in keys] if len(keys) > 1 else node[keys[0]]
        summed = summed or len(keys) > 1
    if is_number(node):
        return [float(node)], trail
    many = list(node.values()) if isinstance(node, Mapping) else node if isinstance(node, list) else None
    if many is None or not summed or not all(is_number(x) for x in many):
        raise SelectorError('a number (or numbers with agg = "sum")' + f" at {path}", node)
    return [float(x) for x in many], trail


def table_columns(years: Sequence[str], appendix_columns: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The figure columns of each table the engine derives whose columns the edition's
    files fix (``cip`` and ``cip_cash`` are left out: their columns are the engine's)."""
    by_year = tuple(years)
    with_total = (*years, "Total")
    return {
        "revenue": by_year,
        "cumulative": by_year,
        "in_year": by_year,
        "high_needs": by_year,
        "service_areas": (years[0],),
        "capital_programme": with_total,
        "capital_financing": with_total,
        "appendix_a": tuple(appendix_columns),
    }
