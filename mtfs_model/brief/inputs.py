"""What each scenario changes, setting by setting: the value in the MTFS as published, the
scenario's value and where the scenario says it comes from (plain English, no ids).

:func:`inputs_table` walks a scenario's overrides (every leaf of its file but the
``[scenario]`` header), reads the published value of the same setting from the
edition's inputs, and describes the setting in words built from the edition (a line's
title and code, a programme's short label, a High Needs label, a property's name).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pandas as pd

from mtfs_model.base.rounding import number, pct
from mtfs_model.edition.folder import Edition
from mtfs_model.engine.run import Result
from mtfs_model.scenarios.load import Scenario, baseline_inputs

UNIT_WORDS = (
    ("_gbp000_per_year", ", £000 a year"),
    ("_gbp000", ", £000"),
    ("_gbp_week", ", £ a week"),
    ("_gbp", ", £"),
    ("_pct", ", %"),
)
INPUT_COLUMNS = ("setting", "mtfs_value", "scenario_value", "source")


def words(key: str) -> str:
    """A key in plain English: ``unit_cost_current_gbp_week`` -> ``unit cost current, £ a week``."""
    unit = ""
    for suffix, text in UNIT_WORDS:
        if key.endswith(suffix):
            key, unit = key[: -len(suffix)], text
            break
    return key.replace("16plus", "16+").replace("_", " ") + unit


def leaves(tree: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every leaf of a nested override table as (path, value); a table of years or a
    ``{year, value}`` pair is one leaf."""
    for key, value in tree.items():
        path = (*prefix, str(key))
        if isinstance(value, Mapping) and not _is_leaf_table(value):
            yield from leaves(value, path)
        else:
            yield path, value


def _is_leaf_table(value: Mapping[str, Any]) -> bool:
    return set(value) <= {"year", "value"} or all("/" in str(k) or str(k).isdigit() for k in value)


def _line(ed: Edition, code: str) -> str:
    title = ed.growth_savings.get("lines", {}).get(code, {}).get("title", "")
    return f"{title} ({code})" if title else code


def _programme(ed: Edition, pid: str) -> str:
    try:
        prog = ed.programme(pid)
    except (KeyError, ValueError):
        return pid
    return f"{prog.short or prog.id} programme"


def describe(path: Sequence[str], ed: Edition) -> str:
    """A setting in words: ``lines.G1.drivers.unit_cost_current_gbp_week`` -> ``<G1's
    title> (G1): unit cost current, £ a week``."""
    head, rest = path[0], list(path[1:])
    if head == "lines" and rest:
        tail = [r for r in rest[1:] if r != "drivers"]
        return f"{_line(ed, rest[0])}: " + ", ".join(words(t) for t in tail)
    if head == "programmes" and rest:
        return f"{_programme(ed, rest[0])}: " + ", ".join(words(t) for t in rest[1:])
    if head == "high_needs" and rest:
        if len(rest) == 2:
            kind = {"savings_delivery": "delivered", "expenditure_scale": "scale", "values": "by year"}
            return f"High Needs: {ed.hn_label(rest[1])} {kind.get(rest[0], words(rest[0]))}"
        return f"High Needs: {words(rest[0])}"
    if head == "properties" and rest:
        name = ed.cip.get("properties", {}).get(rest[0], {}).get("name", rest[0])
        return f"{name} ({rest[0]}): " + ", ".join(words(t) for t in rest[1:])
    if head == "guarantee":
        return "Guarantee (assumption, not printed): " + ", ".join(words(t) for t in rest)
    if head == "cip":
        return "Property appraisal: " + ", ".join(words(t) for t in rest)
    if head == "risk":
        return "Budget risk: " + ", ".join(words(t) for t in rest)
    return ", ".join(words(p) for p in path)


def _published(path: Sequence[str], scenario: Scenario) -> Any:
    """The setting's value in the MTFS as published (None where the edition has none)."""
    base = baseline_inputs(scenario.edition)
    head, rest = path[0], list(path[1:])
    try:
        if head == "lines":
            line = base.lines[rest[0]]
            if rest[1] == "drivers":
                return (line.drivers_base or {}).get(rest[2])
            if rest[1] == "values":
                return dict(line.published)
            return 1.0 if rest[1] == "scale" else None
        if head == "programmes":
            if rest[1] == "recurring":
                year = scenario.edition.year("final")
                return sum(ln.published[year] for ln in base.lines.values() if ln.programme == rest[0])
            return 1.0
        if head == "high_needs":
            if rest[0] == "schools_block_transfer_approved":
                return base.hn_transfer_approved
            if rest[0] in ("savings_delivery", "expenditure_scale"):
                return 1.0
            groups = (base.hn_funding, base.hn_expenditure, base.hn_savings)
            return next((dict(g[rest[1]]) for g in groups if rest[1] in g), None)
        if head == "properties":
            value = getattr(base.properties[rest[0]], rest[1])
            return value.get(rest[2]) if len(rest) > 2 and isinstance(value, Mapping) else value
        if head == "cip":
            key = {"properties_feed_line": "properties_feed_line"}.get(rest[0], rest[0])
            return getattr(base, key)
        if head == "guarantee":
            g = base.guarantee
            return {
                "floor_phasing": g.floor_phasing,
                "fee_rate": g.fee_rate,
                "fee_cap_gbp000": g.fee_cap,
                "honoured": g.honoured,
            }.get(rest[0])
        if head == "risk":
            node: Any = scenario.edition.risk
            for part in rest:
                node = node.get(part) if isinstance(node, Mapping) else None
            return node
    except (KeyError, IndexError, AttributeError, TypeError):
        return None
    return None


SHARES = ("delivery", "scale", "occupancy", "fee_rate", "discount_rate", "savings_delivery", "expenditure_scale")
"""Settings that are shares or factors: shown as percentages."""


def show(value: Any, share: bool = False) -> str:
    """A setting's value as text: numbers with separators, shares as percentages, a
    ``{year, value}`` pair or a table of years inline, None as "not set"."""
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if share and isinstance(value, int | float):
        return f"{pct(float(value))}".replace(".0%", " %").replace("%", " %").replace("  ", " ")
    if isinstance(value, int | float):
        v = float(value)
        return f"{number(v)}" if v.is_integer() else f"{v:,.4g}"
    if isinstance(value, Mapping):
        if set(value) == {"year", "value"}:
            return f"{show(value['value'])} by {value['year']}".replace("by final", "by the final year")
        return "; ".join(f"{k}: {show(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(show(v) for v in value)
    return str(value).replace("_", " ")


def inputs_table(results: Sequence[Result], names: Sequence[str]) -> pd.DataFrame:
    """Each scenario's settings (index: scenario, number): the setting in words, its value
    in the MTFS as published, the scenario's value and the scenario's references.  A
    scenario that changes nothing has one row saying so."""
    records: list[tuple[tuple[str, int], dict[str, str]]] = []
    for name, r in zip(names, results, strict=True):
        s = r.scenario
        refs = "; ".join(x.get("title", "") for x in s.references) or "the scenario file: " + (
            s.path.name if s.path is not None else s.name
        )
        tree = {k: v for k, v in s.overrides.items() if k != "scenario"}
        # how the risk model reads the scenario's figures (plan or outcome) is said in the risk section
        found = [(p, v) for p, v in leaves(tree) if not (p[0] == "risk" and p[-1] in ("centre", "centre_reason"))]
        if not found:
            records.append(
                (
                    (name, 1),
                    {
                        "setting": "no change: the MTFS as published",
                        "mtfs_value": "",
                        "scenario_value": "",
                        "source": refs,
                    },
                )
            )
        for i, (path, value) in enumerate(found, start=1):
            published = _published(path, s)
            if path[:2] == ("programmes", path[1]) and path[-1] == "recurring" and isinstance(value, Mapping):
                value = {"year": s.edition.year(str(value.get("year", "final"))), "value": value.get("value")}
                published = {"year": value["year"], "value": published}
            share = bool(set(path) & set(SHARES))
            records.append(
                (
                    (name, i),
                    {
                        "setting": describe(path, s.edition),
                        "mtfs_value": show(published, share),
                        "scenario_value": show(value, share),
                        "source": refs,
                    },
                )
            )
    if not records:
        return pd.DataFrame(columns=list(INPUT_COLUMNS))
    index = pd.MultiIndex.from_tuples([k for k, _ in records], names=["scenario", "number"])
    return pd.DataFrame([v for _, v in records], index=index, columns=list(INPUT_COLUMNS))
