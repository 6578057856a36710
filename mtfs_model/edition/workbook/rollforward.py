"""``mtfs edition new --from PATH --years 2022/23..2026/27``: start next year's edition.

Keeps everything that is not a figure of a year (lines, programmes, links, labels,
sources, properties, the guarantee, risk inputs, checks), re-keys every table keyed by the
old horizon's years to the new ones, carries the figures of the years both horizons share
(a cumulative profile re-based on the new base year, so each of those years keeps its
in-year change), and marks as ``"to update"`` every figure that needs the new papers:

* each new year of every table keyed by year, and its ``Total``;
* a ``total`` (a sum over the old horizon), and a ``printed_total`` beside a re-keyed table;
* the opening budget (``revenue.roll_forward.original_prior_year_budget``: the new base
  year's budget), the first year's figures that are not keyed by year (the transfer parts,
  the net budget by service area, the DSG blocks, the deficits brought forward), the
  figures a line's narrative states and every headline's figure;
* any other text naming a year the new horizon drops (a transfer's ``year``, a check's).

``load_edition`` refuses a folder holding ``"to update"`` and names every one, so ``mtfs
run --edition FOLDER`` lists exactly what remains to enter.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from mtfs_model.base.errors import InputError
from mtfs_model.base.years import fy_label, fy_start, is_fy_label
from mtfs_model.edition.markers import TO_UPDATE
from mtfs_model.edition.workbook.layout import Path_, is_year_table
from mtfs_model.edition.workbook.sheets import matches

FIRST_YEAR_FIGURES: dict[str, tuple[Path_, ...]] = {
    "revenue.toml": (
        ("roll_forward", "original_prior_year_budget"),
        ("roll_forward", "transfer_parts"),
        ("service_areas", "printed_total"),
        ("service_areas", "rows", "*", "value"),
    ),
    "high_needs.toml": (("dsg_blocks",), ("forecast", "brought_forward")),
    "growth_savings.toml": (("lines", "*", "narrative", "first_year"), ("lines", "*", "narrative", "last_year")),
    "headlines.toml": (("headline", "*", "value"),),
}
"""Figures of the first year (or of the old papers' sentences) that are not keyed by year."""
CUMULATIVE: dict[str, tuple[Path_, ...]] = {
    "growth_savings.toml": (("lines", "*", "values"), ("printed_totals", "*", "values")),
}
"""Tables of cumulative figures (each year includes the years before): re-based on the new
base year, so each overlapping year keeps its in-year change (G1 9,600 by 2022/23 with
6,300 in 2021/22 becomes 3,300 in a horizon starting 2022/23: 2021/22's 6,300 is in the
new opening budget)."""
KEEP_AS_IS = frozenset({"precision", "unit"})
"""Keys under a first-year table that are not figures of the year (how it is printed)."""
TOTAL_SIBLINGS = ("total", "printed_total")


def parse_years(text: str) -> list[str]:
    """``2022/23..2026/27`` -> the consecutive fiscal years from the first to the last."""
    parts = [p.strip() for p in text.split("..")]
    if len(parts) != 2 or not all(is_fy_label(p) for p in parts) or fy_start(parts[1]) < fy_start(parts[0]):
        raise InputError("(arguments)", "--years", "FIRST..LAST, two fiscal years written YYYY/YY..YYYY/YY", text)
    first, last = fy_start(parts[0]), fy_start(parts[1])
    if last - first >= 15:
        raise InputError("(arguments)", "--years", "at most 15 years", text)
    return [fy_label(y) for y in range(first, last + 1)]


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _mark_all(node: Any) -> Any:
    """Every figure under ``node`` -> "to update" (text and how-printed keys kept)."""
    if isinstance(node, dict):
        return {k: (v if k in KEEP_AS_IS else _mark_all(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_mark_all(v) for v in node]
    return TO_UPDATE if _is_number(node) else node


def _minus(a: Any, b: Any) -> Any:
    if not (_is_number(a) and _is_number(b)):
        return TO_UPDATE
    if isinstance(a, int) and isinstance(b, int):
        return a - b
    return round(a - b, 9)


def _roll(
    node: Any,
    old: list[str],
    new: list[str],
    rules: tuple[tuple[Path_, ...], tuple[Path_, ...]],
    path: Path_ = (),
) -> Any:
    marks, cumulative = rules
    if any(len(path) == len(m) and matches(path, m) for m in marks):
        return _mark_all(node)
    if is_year_table(node) and all(k in old or k == "Total" for k in node):
        base = fy_label(fy_start(new[0]) - 1)
        rebase = base in old and any(len(path) == len(m) and matches(path, m) for m in cumulative)
        out: dict[str, Any] = {
            y: (_minus(node[y], node[base]) if rebase else node[y]) if y in node else TO_UPDATE for y in new
        }
        if "Total" in node:
            out["Total"] = TO_UPDATE
        return out
    if isinstance(node, dict):
        out = {k: _roll(v, old, new, rules, (*path, k)) for k, v in node.items()}
        if _is_number(out.get("total")):
            out["total"] = TO_UPDATE  # a total over the old horizon
        if any(is_year_table(v) and out[k] != v for k, v in node.items()):
            for k in TOTAL_SIBLINGS:
                if k in out and (_is_number(out[k]) or isinstance(out[k], str)):
                    out[k] = TO_UPDATE
        return out
    if isinstance(node, list):
        return [_roll(v, old, new, rules, (*path, i)) for i, v in enumerate(node)]
    if isinstance(node, str) and node in old and node not in new:
        return TO_UPDATE
    return node


def roll_forward(files: Mapping[str, Any], years: list[str], edition_id: str | None = None) -> dict[str, Any]:
    """Next year's edition from this one's files (see the module docstring)."""
    ed = files["edition.toml"]
    old = [str(y) for y in ed.get("horizon", {}).get("years", [])]
    if not old:
        raise InputError("edition.toml", "horizon.years", "the old edition's years", show_got=False)
    out: dict[str, Any] = {}
    for name, data in files.items():
        if name.endswith(".toml") and name != "edition.toml":
            rules = (FIRST_YEAR_FIGURES.get(name, ()), CUMULATIVE.get(name, ()))
            out[name] = _roll(copy.deepcopy(data), old, years, rules)
        else:
            out[name] = copy.deepcopy(data)
    new_ed = out["edition.toml"]
    meta = new_ed.setdefault("edition", {})
    old_period = (old[0], old[-1])
    for key in ("title", "id"):
        if isinstance(meta.get(key), str):
            meta[key] = _renamed(meta[key], old_period, (years[0], years[-1]))
    if edition_id:
        meta["id"] = edition_id
    horizon = new_ed.setdefault("horizon", {})
    horizon["years"] = list(years)
    horizon["base_year"] = fy_label(fy_start(years[0]) - 1)
    last = horizon.get("appraisal_last_year")
    if isinstance(last, str) and is_fy_label(last):
        shift = fy_start(years[0]) - fy_start(old[0])
        horizon["appraisal_last_year"] = fy_label(fy_start(last) + shift)
    return out


def _renamed(text: str, old: tuple[str, str], new: tuple[str, str]) -> str:
    """The edition's title / id with its period moved on: 2021/22–2024/25 -> 2022/23–2026/27,
    ``cfs-2021-22`` -> ``cfs-2022-23`` (one pass, so overlapping periods do not cascade)."""
    swap: dict[str, str] = {}
    for sep in ("/", "-", "_"):
        swap.setdefault(old[0].replace("/", sep), new[0].replace("/", sep))
        swap.setdefault(old[1].replace("/", sep), new[1].replace("/", sep))
    pattern = "|".join(re.escape(k) for k in sorted(swap, key=len, reverse=True))
    return re.sub(pattern, lambda m: swap[m.group(0)], text)
