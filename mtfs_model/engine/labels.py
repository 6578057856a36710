"""Printed labels for the engine's tables: ids in, the edition's labels out (display only)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from mtfs_model.edition.folder import Edition
    from mtfs_model.engine.run import Result

CAPITAL_TABLES = ("capital_programme", "capital_financing")


def row_labels(result: Result, name: str) -> dict[str, str]:
    """``{row id: printed label}`` for table ``name`` of ``result``."""
    ed = result.edition
    frame: pd.DataFrame = result.key_figures() if name == "key_figures" else getattr(result, name)
    ids = [str(i) for i in frame.index]
    if name == "revenue":
        return {i: ed.label("revenue", i) for i in ids}
    if name in ("cumulative", "in_year"):
        return {i: ed.line_label(i) for i in ids}
    if name == "high_needs":
        return {i: ed.hn_label(i) for i in ids}
    if name in CAPITAL_TABLES:
        blocks = ed.capital["programme"].get("blocks", {})
        return {i: blocks[i]["label"] if i in blocks else ed.label("capital", i) for i in ids}
    if name in ("cip", "cip_cash"):
        props = ed.cip.get("properties", {})
        return {i: props[i]["name"] if i in props else ("All properties" if i == "all" else i) for i in ids}
    return {i: i for i in ids}


def labelled(result: Result, name: str) -> pd.DataFrame:
    """Table ``name`` with printed labels in place of row ids (index named ``row``)."""
    frame: pd.DataFrame = result.key_figures() if name == "key_figures" else getattr(result, name)
    if isinstance(frame.index, pd.MultiIndex):
        return frame
    mapping = row_labels(result, name)
    out = frame.rename(index=lambda i: mapping.get(str(i), str(i)))
    return out


COLUMN_LABELS = {
    "capital_cost": "Capital cost (£000)",
    "capital_cash": "Capital cash (£000)",
    "retained_value": "Retained value (£000)",
    "net_investment": "Net investment (£000)",
    "annual_saving": "Annual saving (£000)",
    "saving_derived": "Saving derived from the stated payback",
    "saving_driver_implied": "Saving the drivers imply (£000)",
    "occupancy": "Occupancy",
    "places": "Places",
    "go_live": "Go-live",
    "simple_payback_gross": "Simple payback, gross (years)",
    "simple_payback_net": "Simple payback, net (years)",
    "discounted_payback": "Discounted payback (years)",
    "payback_from_investment": "Payback from the investment (years)",
    "npv": "Net present value (£000)",
    "irr": "Internal rate of return",
    "discount_rate": "Discount rate",
    "life_years": "Life (years)",
    "stated_payback_years": "Stated payback (years)",
    "stated_payback_basis": "Stated payback basis",
    "property": "Property",
    "figure": "",
    "row": "",
    "line": "",
    "resource": "",
    "block": "",
    "published": "Published (£000)",
    "driver_implied": "Driver-implied (£000)",
    "difference": "Difference (£000)",
    "probability_pct": "Probability",
    "event": "",
    "input": "",
    "factor_p10_pct": "Input at its P10 (% of the figure)",
    "factor_p90_pct": "Input at its P90 (% of the figure)",
    "gap_at_p10": "Gap at P10 (£000)",
    "gap_at_p90": "Gap at P90 (£000)",
    "net_swing": "Swing (£000)",
    "hn_deficit_at_p10": "High Needs deficit at P10 (£000)",
    "hn_deficit_at_p90": "High Needs deficit at P90 (£000)",
    "hn_swing": "High Needs swing (£000)",
    "title": "Line",
    "sd": "Standard deviation (£000)",
    "variance_share_pct": "Share of the variance",
    "standalone_share_pct": "Standalone share",
    "p10_pct": "P10",
    "p50_pct": "P50",
    "p90_pct": "P90",
    "shape": "Shape",
    "evolution": "Evolution",
    "from": "From",
    "record": "",
    "as_of": "As of",
    "outturn": "Outturn",
    "forecast": "Forecast",
    "error": "Error",
    "error_pct": "Error (% of forecast)",
    "pit_pct": "Rank",
    "inside_p10_p90": "Inside P10-P90",
    "value": "Value",
    "unit": "Unit",
    "year": "Year",
    "model": "How the line is modelled",
    "modelled": "Modelled (£000)",
    "subject": "Subject",
    "horizon": "Horizon",
    "horizon_years": "Horizon (years)",
    "level": "Level",
    "used": "Used",
    "council": "Council",
    "refers_to": "Refers to",
    "forecast_gbp": "Forecast (£)",
    "outturn_gbp": "Outturn (£)",
    "ratio": "Outturn / forecast",
    "error_share": "Error (share of the base)",
    "spend_ratio": "Spend ratio",
    "log_error": "Log error",
    "href": "Link",
    "note": "Note",
}
"""Reader's words for the engine's column names (display only: the frames keep their ids)."""


def flat_label(key: object) -> str:
    """A row key for reading: a tuple's parts joined by spaces (``('G1', '2021/22')`` ->
    ``G1 2021/22``), anything else as text -- never a tuple's repr.

    Parameters
    ----------
    key : object
        An index value (a MultiIndex gives tuples).

    Returns
    -------
    str
        The label.
    """
    if isinstance(key, tuple):
        return " ".join(str(part) for part in key if str(part))
    return str(key)


def short_name(name: str) -> str:
    """A property's printed name up to its colon: ``Property 1: Residential ...`` -> ``Property 1``."""
    return name.split(":", 1)[0].strip()


# --- override paths in words ------------------------------------------------------------

UNIT_SUFFIXES = (
    ("_gbp000_per_year", "£000 a year"),
    ("_gbp000", "£000"),
    ("_gbp_week", "£ a week"),
    ("_gbp", "£"),
    ("_per_month", "a month"),
    ("_per_year", "a year"),
    ("_pct", "%"),
)
"""A driver key's unit, read from how it ends (the edition's own naming convention)."""
FACTOR_UNIT = "share of plan"


def key_words(key: str) -> tuple[str, str]:
    """A driver key as words and its unit: ``unit_cost_current_gbp_week`` ->
    (``unit cost current``, ``£ a week``)."""
    for suffix, unit in UNIT_SUFFIXES:
        if key.endswith(suffix):
            return key[: -len(suffix)].replace("_", " "), unit
    return key.replace("_", " "), ""


def path_label(edition: Edition, path: str) -> tuple[str, str, str]:
    """An override path for a reader: (short label, unit, long label) from the edition's
    own names.  ``programmes.DCFSF.delivery`` -> (``DCFSF (CF1-3) delivery``, ``share of
    plan``, the programme's printed label); ``lines.G1.drivers.unit_cost_current_gbp_week``
    -> (``G1 unit cost current``, ``£ a week``, ``G1 Demographic growth ...: unit cost
    current (£ a week)``); a High Needs line by its printed label."""
    parts = path.split(".")
    head = parts[0]
    if head == "programmes" and len(parts) == 3:
        try:
            prog = edition.programme(parts[1])
        except (KeyError, ValueError):
            return f"{parts[1]} {parts[2]}", FACTOR_UNIT, path
        name = prog.short or prog.id
        return f"{name} {parts[2]}", FACTOR_UNIT, f"{prog.label}: {parts[2]}"
    if head == "lines" and len(parts) >= 3:
        code = parts[1]
        title = edition.line_label(code)
        if parts[2] == "drivers" and len(parts) == 4:
            words, unit = key_words(parts[3])
            return f"{code} {words}", unit, f"{title}: {words}" + (f" ({unit})" if unit else "")
        return f"{code} {parts[-1]}", FACTOR_UNIT, f"{title}: {parts[-1]}"
    if head == "high_needs" and len(parts) == 3:
        kind = {"savings_delivery": "delivery", "expenditure_scale": "scale"}.get(parts[1], parts[1])
        label = edition.hn_label(parts[2])
        return f"High Needs {label.lower()} {kind}", FACTOR_UNIT, f"High Needs: {label} ({kind})"
    if head == "high_needs" and len(parts) == 2:
        label = edition.hn_label(parts[1])
        return f"High Needs {label.lower()}", FACTOR_UNIT, f"High Needs: {label}"
    if head == "properties" and len(parts) >= 3:
        props = edition.cip.get("properties", {})
        name = props.get(parts[1], {}).get("name", parts[1])
        words, unit = key_words(parts[-1])
        return f"{name} {words}", unit, f"{name}: {words}"
    return path.replace("_", " "), "", path


def paths_label(edition: Edition, paths: Sequence[str]) -> tuple[str, str, str]:
    """Several paths moved together: High Needs savings lines as ``High Needs savings
    delivery``; otherwise the labels joined with ``+``."""
    if len(paths) == 1:
        return path_label(edition, paths[0])
    labels = [path_label(edition, p) for p in paths]
    units = {u for _, u, _ in labels}
    if all(p.startswith("high_needs.savings_delivery.") for p in paths):
        return "High Needs savings delivery", FACTOR_UNIT, "; ".join(long for _, _, long in labels)
    return (
        " + ".join(s for s, _, _ in labels),
        units.pop() if len(units) == 1 else "",
        "; ".join(x for _, _, x in labels),
    )
