"""The figures a brief's first page answers with, and what stays the same across scenarios.

Every figure comes from the engine's results and the brief's simulations (run once per
brief and reused by the HTML and the workbook); nothing is typed.  GBP000 unless a
name ends ``_pct`` (a fraction).

* :func:`answer_figures` -- per scenario: the final-year net budget and its gap to the
  MTFS, the cost to the council over the horizon (net of what a guarantee's partner
  bears), the High Needs deficit at the end, and from the simulation the chance of
  ending above the MTFS, the final-year gap at P90 and the contingency at P80 and P90.
* :func:`contingency` and :func:`gap_percentile` read a :class:`~mtfs_model.risk.RiskResult`'s
  per-trajectory samples (any percentile, not only the five the simulation reports).
* :func:`same_columns`, :func:`group_rows` -- "only what differs": columns equal in every
  row, and rows equal across scenarios, found so a table can say so once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mtfs_model.base import rows
from mtfs_model.base.cells import cell, row_of
from mtfs_model.engine import guarantee, high_needs
from mtfs_model.engine.run import Result
from mtfs_model.risk.evidence import VIEW_LABELS
from mtfs_model.risk.simulate import MTFS_ROW, SCENARIO_HN_ROW, RiskResult

SAME = "the same in every scenario"
TOLERANCE = 0.5e-3
"""GBP000: figures closer than half a pound are the same."""
CONTINGENCY_LEVELS = (80.0, 90.0)
"""The confidence levels of the contingency a prudent council holds."""


def gap_percentile(rr: RiskResult, q: float, year: str | None = None) -> float:
    """The ``q``-th percentile (0-100) of the simulated gap to the MTFS in ``year``
    (default: the final year), GBP000, from the per-trajectory samples."""
    years = list(rr.years)
    j = years.index(year) if year is not None else len(years) - 1
    mtfs = cell(rr.reference, MTFS_ROW, years[j])
    return float(np.percentile(rr.samples.net[:, j] - mtfs, q))


def cumulative_gap(rr: RiskResult) -> np.ndarray:
    """Each trajectory's gap to the MTFS summed over the MTFS years, GBP000."""
    mtfs = rr.reference.loc[MTFS_ROW, list(rr.years)].to_numpy(dtype=float)
    out: np.ndarray = (rr.samples.net - mtfs).sum(axis=1)
    return out


def contingency(rr: RiskResult, q: float) -> float:
    """The contingency that covers the cumulative overspend against the MTFS over the
    MTFS years in ``q`` % of simulated futures: the ``q``-th percentile of each
    trajectory's summed gap, never below zero (GBP000)."""
    return max(float(np.percentile(cumulative_gap(rr), q)), 0.0)


def net_final(result: Result) -> float:
    return cell(result.revenue, rows.NET_BUDGET, result.edition.final_year)


def gap_by_year(result: Result, mtfs: Result) -> pd.Series:
    """Net budget less the MTFS's, GBP000 by year."""
    years = list(result.years)
    net = pd.Series(row_of(result.revenue, rows.NET_BUDGET), dtype="float64").reindex(years)
    return net - pd.Series(row_of(mtfs.revenue, rows.NET_BUDGET), dtype="float64").reindex(years)


def partner_bears(result: Result, terms: guarantee.Terms | None) -> float:
    """What the guarantee's partner bears over the MTFS years (0 without a guarantee), GBP000."""
    if terms is None:
        return 0.0
    return float(sum(row_of(guarantee.guarantee_table(result, terms), guarantee.PARTNER).values()))


def council_bears(result: Result, mtfs: Result, terms: guarantee.Terms | None) -> float:
    """The scenario's cost to the council over the MTFS years: its net budget less the
    MTFS's, summed over the years, less what a guarantee's partner bears (GBP000)."""
    return float(gap_by_year(result, mtfs).sum()) - partner_bears(result, terms)


def hn_final(result: Result) -> float:
    return cell(result.high_needs, high_needs.CUMULATIVE, result.edition.final_year)


ANSWER_COLUMNS = (
    "net_final",
    "above_final",
    "council_horizon",
    "hn_final",
    "above_pct",
    "gap_p90",
    "contingency_p80",
    "contingency_p90",
)


def answer_labels(final: str, n_years: int) -> dict[str, str]:
    """Headers of :func:`answer_figures` (the unit in each; the HTML shows £m)."""
    return {
        "net_final": f"Net budget {final}",
        "above_final": f"Above the MTFS {final}",
        "council_horizon": f"Cost to the council over {n_years} years",
        "partner_horizon": f"Partner bears over {n_years} years",
        "hn_final": f"High Needs deficit, end of {final}",
        "above_pct": f"Chance the {final} net budget is above the MTFS",
        "gap_p90": f"Gap to the MTFS {final}, P90",
        "contingency_p80": f"Contingency for {n_years} years at P80",
        "contingency_p90": f"Contingency for {n_years} years at P90",
    }


def answer_figures(
    results: Sequence[Result],
    names: Sequence[str],
    terms: guarantee.Terms | None,
    risk: Sequence[RiskResult] = (),
) -> pd.DataFrame:
    """The first page's table: one row per result (the first is the MTFS as published),
    columns :data:`ANSWER_COLUMNS` (the risk ones only with simulations; GBP000,
    ``above_pct`` a fraction)."""
    mtfs = results[0]
    table: dict[str, dict[str, Any]] = {}
    for i, (name, r) in enumerate(zip(names, results, strict=True)):
        row: dict[str, Any] = {
            "net_final": net_final(r),
            "above_final": net_final(r) - net_final(mtfs),
            "council_horizon": council_bears(r, mtfs, terms),
            "hn_final": hn_final(r),
        }
        if risk:
            rr = risk[i]
            row.update(
                above_pct=rr.p_exceeds_mtfs,
                gap_p90=gap_percentile(rr, 90.0),
                contingency_p80=contingency(rr, CONTINGENCY_LEVELS[0]),
                contingency_p90=contingency(rr, CONTINGENCY_LEVELS[1]),
            )
        table[name] = row
    return (pd.DataFrame.from_dict(table, orient="index") + 0.0).rename_axis("scenario")


def same_columns(frame: pd.DataFrame) -> list[str]:
    """Columns whose value is the same in every row (two rows or more)."""
    if len(frame) < 2:
        return []
    out = []
    for col in frame.columns:
        values = frame[col].tolist()
        first = values[0]
        if all(_same(first, v) for v in values[1:]):
            out.append(str(col))
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float | np.number) and isinstance(b, int | float | np.number):
        fa, fb = float(a), float(b)
        return fa == fb or abs(fa - fb) < TOLERANCE
    return bool(a == b)


def same_rows(a: Sequence[Any], b: Sequence[Any]) -> bool:
    return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))


def group_rows(frame: pd.DataFrame, level: str = "scenario") -> pd.DataFrame:
    """A table indexed (group, ``level``) with, within each group, rows that are the same
    drawn once: their ``level`` names joined by " = ", or :data:`SAME` when every
    scenario's row is the same."""
    if not isinstance(frame.index, pd.MultiIndex) or frame.empty:
        return frame
    lvl = frame.index.names.index(level)
    group_level = 1 - lvl
    out_keys: list[tuple[Any, Any]] = []
    out_rows: list[list[Any]] = []
    for group in dict.fromkeys(frame.index.get_level_values(group_level)):
        part = frame.xs(group, level=group_level, drop_level=True)
        seen: list[tuple[list[str], list[Any]]] = []
        for name, values in zip(part.index, part.itertuples(index=False), strict=True):
            for names, vals in seen:
                if same_rows(vals, list(values)):
                    names.append(str(name))
                    break
            else:
                seen.append(([str(name)], list(values)))
        for names, vals in seen:
            label = SAME if len(seen) == 1 and len(names) > 1 else " = ".join(names)
            out_keys.append((group, label) if group_level == 0 else (label, group))
            out_rows.append(vals)
    index = pd.MultiIndex.from_tuples(out_keys, names=frame.index.names)
    return pd.DataFrame(out_rows, index=index, columns=frame.columns)


def untouched(frames: Sequence[pd.DataFrame]) -> bool:
    """True if every frame equals the first (to half a pound): the scenarios do not touch it."""
    first = frames[0].to_numpy(dtype=float)
    return all(
        f.shape == first.shape and bool(np.allclose(f.to_numpy(dtype=float), first, rtol=0, atol=TOLERANCE))
        for f in frames[1:]
    )


# --- the two views and what the guarantee is worth (issue 15) -------------------------------

VIEW_COLUMNS = (
    "mtfs_net_final",
    "p50_final",
    "above_pct",
    "contingency_p80",
    "contingency_p90",
    "hn_forecast",
    "hn_p50",
)


def view_figures(evidence: RiskResult, paper: RiskResult) -> pd.DataFrame:
    """The same scenario simulated in both views (:mod:`mtfs_model.risk.evidence`), one row
    each -- "as the paper assumes" first -- with the paper's figure (the published MTFS's
    final-year net budget), the simulated P50, the chance of ending above the MTFS, the
    contingency at P80 and P90, the High Needs deficit as forecast and its P50 (GBP000;
    ``above_pct`` a fraction)."""
    rows: dict[str, dict[str, float]] = {}
    for label, rr in ((VIEW_LABELS["paper"], paper), (VIEW_LABELS["evidence"], evidence)):
        final = rr.years[-1]
        rows[label] = {
            "mtfs_net_final": cell(rr.reference, MTFS_ROW, final),
            "p50_final": cell(rr.net_budget, "P50", final),
            "above_pct": rr.p_exceeds_mtfs,
            "contingency_p80": contingency(rr, CONTINGENCY_LEVELS[0]),
            "contingency_p90": contingency(rr, CONTINGENCY_LEVELS[1]),
            "hn_forecast": cell(rr.reference, SCENARIO_HN_ROW, final),
            "hn_p50": cell(rr.hn_deficit, "P50", final),
        }
    return (pd.DataFrame.from_dict(rows, orient="index", columns=list(VIEW_COLUMNS)) + 0.0).rename_axis("view")


WORTH_COLUMNS = ("binds_pct", "covered_horizon", "net_p90_final", "contingency_p80", "contingency_p90")
HONOURED = "Guarantee honoured (as contracted)"
FAILED = "Partner fails (not honoured)"


def covered(honoured: RiskResult, failed: RiskResult) -> np.ndarray:
    """Per trajectory, the shortfall the partner makes up over the MTFS years (GBP000): the
    two simulations share every draw, so it is the difference of their net budgets."""
    out: np.ndarray = (failed.samples.net - honoured.samples.net).sum(axis=1)
    return out


def guarantee_worth(honoured: RiskResult, failed: RiskResult) -> pd.DataFrame:
    """What the partner's guarantee is worth: one row with it honoured, one with the partner
    failing (the same draws), with the chance it binds (the delivered benefit below the
    floor), the expected shortfall it covers over the MTFS years, the final-year P90 net
    budget and the contingency at P80 and P90 (GBP000; ``binds_pct`` a fraction)."""
    final = honoured.years[-1]
    mean_covered = float(covered(honoured, failed).mean())
    rows: dict[str, dict[str, float]] = {}
    for label, rr, cover in ((HONOURED, honoured, mean_covered), (FAILED, failed, 0.0)):
        rows[label] = {
            "binds_pct": rr.p_guarantee_binds if rr.p_guarantee_binds is not None else float("nan"),
            "covered_horizon": cover,
            "net_p90_final": cell(rr.net_budget, "P90", final),
            "contingency_p80": contingency(rr, CONTINGENCY_LEVELS[0]),
            "contingency_p90": contingency(rr, CONTINGENCY_LEVELS[1]),
        }
    return (pd.DataFrame.from_dict(rows, orient="index", columns=list(WORTH_COLUMNS)) + 0.0).rename_axis("case")
