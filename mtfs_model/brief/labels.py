"""Labels from one place: the headers of the brief's and the workbooks' year-free columns,
and the names scenarios are printed under.

Every header comes from the edition (its years, its printed labels) or from the engine's
label table (:data:`mtfs_model.engine.labels.COLUMN_LABELS`), each with its unit.  One id
has one label: :func:`merged` refuses two labels for the same id, so a column can never
be printed under another figure's label (``mtfs_final`` was once both what the MTFS books
from a programme and the MTFS net budget, and the brief printed 13,200 as the net budget).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mtfs_model.brief.figures import answer_labels
from mtfs_model.brief.text import display_name
from mtfs_model.edition.folder import Edition
from mtfs_model.engine import guarantee
from mtfs_model.engine.labels import COLUMN_LABELS
from mtfs_model.engine.run import Result, unique_names

MTFS_NAME = "MTFS as published"
"""How the brief names the edition's MTFS as published (the baseline)."""
CIP_COLUMNS = (
    "capital_cost",
    "net_investment",
    "annual_saving",
    "saving_derived",
    "occupancy",
    "go_live",
    "simple_payback_gross",
    "simple_payback_net",
    "discounted_payback",
    "stated_payback_years",
    "npv",
    "irr",
)
"""The property appraisal columns a reader needs (:func:`mtfs_model.brief.tables.cip_appraisal`)."""


def merged(*tables: Mapping[str, str]) -> dict[str, str]:
    """Label tables as one, refusing an id labelled two ways.

    Parameters
    ----------
    *tables : mapping
        ``{column id: label}`` tables, merged in order.

    Returns
    -------
    dict
        ``{column id: label}``.

    Raises
    ------
    ValueError
        If two tables label one id differently (two figures would share an id, and one
        would be printed under the other's label).
    """
    out: dict[str, str] = {}
    for table in tables:
        for key, label in table.items():
            if key in out and out[key] != label:
                raise ValueError(f"column id {key!r} has two labels: {out[key]!r} and {label!r}")
            out[key] = label
    return out


def column_labels(edition: Edition) -> dict[str, str]:
    """Display headers of the brief's year-free columns, built from the edition, each
    with its unit."""
    final, n = edition.final_year, len(edition.years)
    money = {k: f"{v} (£000)" for k, v in guarantee.summary_labels(edition).items() if not k.endswith("_pct")}
    answer = {k: f"{v} ({'%' if k.endswith('_pct') else '£000'})" for k, v in answer_labels(final, n).items()}
    return merged(
        money,
        answer,
        {
            "delivered_pct": "Delivered, % of MTFS (%)",
            "benefit_pct": "% of MTFS (%)",
            "break_even": "Cash break-even (year)",
            "cash_end": f"Cumulative cash {edition.appraisal_last_year} (£000)",
            "gap_p10": f"Gap to the MTFS {final}, P10 (£000)",
            "gap_p50": f"Gap to the MTFS {final}, P50 (£000)",
            "gap_p80": f"Gap to the MTFS {final}, P80 (£000)",
            "gap_p90": f"Gap to the MTFS {final}, P90 (£000)",
            "hn_p90": f"High Needs deficit {final}, P90 (£000)",
            "guarantee_binds_pct": "Chance the guarantee floor binds (%)",
            "mtfs_net_final": f"The paper: MTFS net budget {final} (£000)",
            "p50_final": f"Net budget {final}, P50 (£000)",
            "hn_forecast": f"High Needs deficit {final}, the paper's forecast (£000)",
            "hn_p50": f"High Needs deficit {final}, P50 (£000)",
            "binds_pct": "Chance the guarantee binds (%)",
            "covered_horizon": f"Shortfall it covers over {n} years, on average (£000)",
            "net_p90_final": f"Net budget {final}, P90 (£000)",
            "paper_checks": "The papers' checks (count)",
            "paper_disagreements": "The papers disagree with themselves (count)",
            "paper_notes": "Notes on the papers (count)",
            "paper_rounding": "Within the papers' rounding (count)",
            "engine_checks": "The engine's identities (count)",
            "engine_not_ok": "Identities that fail (count)",
            "engine_identities": "The engine's identities",
            "setting": "Setting",
            "mtfs_value": "MTFS as published",
            "scenario_value": "Scenario",
            "source": "Source or reference",
            "description": "What it asks",
            "changes": "Changes from the MTFS",
            "references": "References",
        },
    )


def display_names(results: Sequence[Result]) -> list[str]:
    """A name for reading for each result, as the brief names them: the MTFS as published
    (:data:`MTFS_NAME`) for the unchanged baseline, else the scenario's name with
    underscores as spaces (``newton_guarantee`` -> ``newton guarantee``); made unique."""
    out: list[str] = []
    for raw, r in zip(unique_names(results), results, strict=True):
        name = MTFS_NAME if r.scenario.name == "baseline" and not r.scenario.changes else display_name(raw)
        while name in out:
            name += "'"
        out.append(name)
    return out


def appraisal_labels() -> dict[str, str]:
    """Headers of :func:`cip_appraisal`: the engine's column labels
    (:data:`mtfs_model.engine.labels.COLUMN_LABELS`); the unit of a share (%) or a month is
    added where a table prints it (:func:`mtfs_model.base.formats.header`)."""
    return {c: COLUMN_LABELS[c] for c in CIP_COLUMNS if c in COLUMN_LABELS}
