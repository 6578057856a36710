"""Forecast evaluation: the MTFS judged against what happened (its edition's outturns).

For every outturn recorded in the edition's ``outturns.toml`` (:mod:`mtfs_model.forecast.outturns`)
:func:`backtest` gives the scenario's deterministic forecast of that figure, the error
(outturn less forecast, in the figure's unit -- GBP000 for the tables -- and as a share
of the forecast's size) and the outturn's **rank in the simulated distribution** (the
probability integral transform, PIT: the share of trajectories below it, ties counted
half), computed from the simulation's per-trajectory figures (:mod:`.risk_paths`).  A
well-calibrated fan puts outturns anywhere in it with equal chance: ranks uniform, 80 %
of outturns inside the P10-P90 band.  The summary says how far the outturns bear that
out -- and, honestly, how little a handful of points can prove: with ``k`` outturns it
gives a 90 % (Clopper-Pearson) interval for the band's true coverage, and reminds that
figures of one year share that year's shocks, so they are fewer independent points than
they look.

A lever (a decision recorded as true/false) is not drawn by the simulation: it is scored
as its forecast against what was decided, with no rank.  A figure the simulation does
not vary (a line no distribution touches, the capital tables) likewise has no rank.

This is the approach of the OBR's Forecast Evaluation Report (errors of the central
forecast) and of the Bank of England's fan-chart evaluations (where outturns fell in
the fan).

>>> from mtfs_model.forecast.backtest import backtest
>>> result = backtest("baseline", n=20_000, seed=1, edition=ed)      # doctest: +SKIP
>>> result.table, result.statement
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mtfs_model.base.report import tables_text
from mtfs_model.base.rounding import number, pct
from mtfs_model.edition.folder import Edition
from mtfs_model.engine.labels import COLUMN_LABELS
from mtfs_model.evidence.context import papers_date
from mtfs_model.forecast.outturns import Outturn, check_kinds, read_outturns
from mtfs_model.forecast.outturns_schema import LEVERS
from mtfs_model.forecast.scores import crps, interval_score
from mtfs_model.risk.draws import Array
from mtfs_model.risk.paths import Trajectories
from mtfs_model.risk.percentiles import PERCENTILE_LABELS, PERCENTILES
from mtfs_model.risk.simulate import RiskResult, simulate
from mtfs_model.scenarios.compose import scenario_on
from mtfs_model.scenarios.load import Scenario

__all__ = [
    "BacktestResult",
    "backtest",
    "clopper_pearson",
    "pit",
    "report_text",
]

COVERAGE = 0.8
"""The share of outturns a calibrated P10-P90 band holds."""
CONFIDENCE = 0.9
"""The confidence of the interval the summary gives for the band's coverage."""
DETERMINISTIC_ROW = "Deterministic forecast"
TABLE_COLUMNS = (
    "figure", "label", "year", "kind", "as_of", "unit", "outturn", "forecast", "error", "error_pct",
    "P10", "P50", "P90", "pit_pct", "inside_p10_p90", "simulated", "abs_error", "crps", "interval_score",
)  # fmt: skip


def pit(samples: Array, value: float) -> float:
    """The rank of ``value`` among ``samples`` (0-1): the share below it, ties counted half
    (so an outturn equal to every trajectory ranks 0.5)."""
    below = int(np.count_nonzero(samples < value))
    ties = int(np.count_nonzero(samples == value))
    return (below + 0.5 * ties) / samples.size


def clopper_pearson(successes: int, trials: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The exact (Clopper-Pearson) ``confidence`` interval for a binomial proportion."""
    from scipy.stats import beta  # type: ignore[import-untyped]

    if trials <= 0:
        return 0.0, 1.0
    alpha = 1.0 - confidence
    lo = 0.0 if successes == 0 else float(beta.ppf(alpha / 2, successes, trials - successes + 1))
    hi = 1.0 if successes == trials else float(beta.ppf(1 - alpha / 2, successes + 1, trials - successes))
    return lo, hi


@dataclass(frozen=True)
class BacktestResult:
    """What :func:`backtest` returns.

    ``table``
        one row per outturn (index ``record``, the file's order): the figure, its label,
        year, kind, as_of and unit; the ``outturn``, the deterministic ``forecast``, the
        ``error`` (outturn - forecast, the figure's unit) and ``error_pct`` (a share of
        the forecast's size; n/a where the forecast is near zero, :func:`near_zero`);
        the simulated ``P10``/``P50``/``P90``; ``pit_pct`` the outturn's rank (0-1; missing where
        nothing is simulated), ``inside_p10_p90``, and
        ``simulated`` (whether the simulation varies the figure).
    ``summary``
        the measures across outturns (``value`` with its ``unit``).
    ``statement``
        the calibration in plain English.
    ``fans``
        each figure with an outturn: its simulated percentiles by year and the
        deterministic forecast (rows), for the chart.
    ``risk``
        the simulation (with its per-trajectory paths).
    """

    scenario: Scenario = field(repr=False)
    n: int
    seed: int
    outturns: tuple[Outturn, ...] = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    summary: pd.DataFrame = field(repr=False)
    statement: str
    fans: dict[str, pd.DataFrame] = field(repr=False)
    risk: RiskResult = field(repr=False)

    @property
    def edition(self) -> Edition:
        """The edition judged."""
        return self.scenario.edition

    @property
    def years(self) -> tuple[str, ...]:
        """The edition's fiscal years."""
        return tuple(self.edition.years)

    @property
    def scored(self) -> pd.DataFrame:
        """The rows with a rank (the simulation varies the figure)."""
        return self.table[self.table["simulated"].astype(bool)]

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the back-test by name, in reading order (GBP000 unless stated)."""
        return {"outturns": self.table, "summary": self.summary}


# --- Scoring --------------------------------------------------------------------------------


def _forecast_and_samples(o: Outturn, tr: Trajectories) -> tuple[float, Array | None]:
    """The deterministic forecast of an outturn's figure and its simulated values (None
    for a lever, which the simulation does not draw)."""
    t = tr.years.index(o.year)
    if o.what == "lever":
        lever = LEVERS[o.figure]
        return (1.0 if getattr(tr.result.scenario.inputs, lever.attribute) else 0.0), None
    if o.what == "driver":
        assert o.line is not None and o.driver is not None
        drivers = tr.result.scenario.inputs.lines[o.line].drivers or {}
        return float(drivers[o.driver]), tr.driver(o.line, o.driver)[:, t]
    assert o.table is not None and o.row is not None
    det = float(tr.deterministic(o.table, o.row)[t])
    return det, tr.figure(o.table, o.row)[:, t]


NEAR_ZERO = 0.1
"""A forecast smaller than this share of the outturn's size is *near zero*: a percentage
error against it (a forecast gap of -132 against an outturn of 6,700 would be 5,176 %)
says nothing, so it is n/a."""


def near_zero(forecast: float, outturn: float) -> bool:
    """True when a percentage error against ``forecast`` would mislead (see :data:`NEAR_ZERO`)."""
    return abs(forecast) < NEAR_ZERO * max(abs(outturn), abs(forecast)) or forecast == 0


def _row(o: Outturn, tr: Trajectories) -> dict[str, Any]:
    forecast, sims = _forecast_and_samples(o, tr)
    error = o.value - forecast
    row: dict[str, Any] = {
        "record": o.record, "figure": o.figure, "label": o.label, "year": o.year, "kind": o.kind,
        "as_of": o.as_of, "unit": o.unit, "outturn": o.value, "forecast": forecast, "error": error,
        "error_pct": error / abs(forecast) if not near_zero(forecast, o.value) and o.what != "lever" else math.nan,
    }  # fmt: skip
    varies = sims is not None and bool(np.ptp(sims) > 0)
    if sims is None:
        row |= {"P10": forecast, "P50": forecast, "P90": forecast}
    else:
        p10, p50, p90 = np.percentile(sims, [10.0, 50.0, 90.0])
        row |= {"P10": float(p10), "P50": float(p50), "P90": float(p90)}
    row["pit_pct"] = pit(sims, o.value) if sims is not None and varies else math.nan
    row["inside_p10_p90"] = bool(row["P10"] <= o.value <= row["P90"]) if varies else None
    row["simulated"] = varies
    # proper scores (lower is better): the paper's point forecast scores its absolute
    # error (a point's CRPS), the fan its CRPS and the P10-P90 band its interval score
    money = o.what != "lever"
    row["abs_error"] = abs(error) if money else math.nan
    row["crps"] = (crps(sims, o.value) if varies else abs(error)) if money and sims is not None else math.nan
    row["interval_score"] = interval_score(row["P10"], row["P90"], o.value) if money else math.nan
    return row


def _fans(outturns: Sequence[Outturn], tr: Trajectories) -> dict[str, pd.DataFrame]:
    fans: dict[str, pd.DataFrame] = {}
    years = list(tr.years)
    for o in outturns:
        if o.figure in fans or o.what == "lever":
            continue
        if o.what == "driver":
            assert o.line is not None and o.driver is not None
            values = tr.driver(o.line, o.driver)
            det = np.full(len(years), float((tr.result.scenario.inputs.lines[o.line].drivers or {})[o.driver]))
        else:
            assert o.table is not None and o.row is not None
            values, det = tr.figure(o.table, o.row), tr.deterministic(o.table, o.row)
        q = np.percentile(values, PERCENTILES, axis=0)
        frame = pd.DataFrame(
            np.vstack([q, det]), index=pd.Index([*PERCENTILE_LABELS, DETERMINISTIC_ROW], name="percentile"),
            columns=years,
        )  # fmt: skip
        frame.attrs.update(label=o.label, unit=o.unit, figure=o.figure)
        fans[o.figure] = frame
    return fans


def _score_means(table: pd.DataFrame, money: pd.DataFrame) -> dict[str, float]:
    """Mean CRPS and interval score, in GBP000 over the table figures and as a share of
    the forecast over every scored outturn (comparable across units, as ``error_pct``)."""
    size = table["forecast"].abs().where(table["forecast"] != 0)
    rel = table.assign(crps_pct=table["crps"] / size, is_pct=table["interval_score"] / size)
    rel = rel[rel["error_pct"].notna()]

    def mean(frame: pd.DataFrame, col: str) -> float:
        values = frame[col].dropna() if len(frame) else frame.get(col, pd.Series(dtype=float))
        return float(values.mean()) if len(values) else math.nan

    return {
        "mean_crps_gbp000": mean(money, "crps"),
        "mean_interval_score_gbp000": mean(money, "interval_score"),
        "mean_crps_pct": mean(rel, "crps_pct"),
        "mean_interval_score_pct": mean(rel, "is_pct"),
    }


def scores_statement(values: Mapping[str, float]) -> str:
    """The proper scores in one sentence, beside the paper's absolute error."""
    fan, paper = values.get("mean_crps_pct", math.nan), values.get("mean_absolute_error_pct", math.nan)
    if not (math.isfinite(fan) and math.isfinite(paper)):
        return ""
    better = "better than" if fan < paper else "no better than" if fan == paper else "worse than"
    return (
        f" Proper scores (lower is better): the fan's mean CRPS is {pct(fan)} of the forecast against the paper's "
        f"mean absolute error of {pct(paper)} (a single figure's CRPS), so the fan scored {better} the paper's "
        f"point; the P10-P90 band's mean interval score is {pct(values['mean_interval_score_pct'])} (its width "
        "plus ten times any miss: a band that is only wider pays for it)."
    )


def _summary(table: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, float]]:
    scored = table[table["simulated"].astype(bool)]
    money = table[table["unit"] == "GBP000"]
    shares = table["error_pct"].dropna()
    k, inside = len(scored), int(scored["inside_p10_p90"].astype(bool).sum()) if len(scored) else 0
    lo, hi = clopper_pearson(inside, k)
    values: dict[str, float] = {
        "outturns": float(len(table)),
        "ranked": float(k),
        "mean_error_gbp000": float(money["error"].mean()) if len(money) else math.nan,
        "mean_absolute_error_gbp000": float(money["error"].abs().mean()) if len(money) else math.nan,
        "mean_error_pct": float(shares.mean()) if len(shares) else math.nan,
        "mean_absolute_error_pct": float(shares.abs().mean()) if len(shares) else math.nan,
        "inside_p10_p90": float(inside),
        "inside_p10_p90_pct": inside / k if k else math.nan,
        "coverage_low_pct": lo if k else math.nan,
        "coverage_high_pct": hi if k else math.nan,
        "mean_rank_pct": float(scored["pit_pct"].mean()) if k else math.nan,
        **_score_means(table, money),
    }
    units = {
        "outturns": "count", "ranked": "count (the simulation varies the figure)",
        "mean_error_gbp000": "GBP000 (outturn - forecast; table figures)",
        "mean_absolute_error_gbp000": "GBP000 (table figures)",
        "mean_error_pct": "share of the forecast", "mean_absolute_error_pct": "share of the forecast",
        "inside_p10_p90": f"count of {k} ranked", "inside_p10_p90_pct": f"share (calibrated: {pct(COVERAGE, 0)})",
        "coverage_low_pct": f"share, {pct(CONFIDENCE, 0)} interval for the coverage (Clopper-Pearson)",
        "coverage_high_pct": f"share, {pct(CONFIDENCE, 0)} interval for the coverage (Clopper-Pearson)",
        "mean_rank_pct": "share (unbiased: 50%)",
        "mean_crps_gbp000": "GBP000, the fan's CRPS (table figures; lower is better)",
        "mean_interval_score_gbp000": "GBP000, the P10-P90 band's interval score (table figures; lower is better)",
        "mean_crps_pct": "share of the forecast, the fan's CRPS (beside mean_absolute_error_pct, the paper's)",
        "mean_interval_score_pct": "share of the forecast, the P10-P90 band's interval score",
    }  # fmt: skip
    frame = pd.DataFrame({"value": values, "unit": units}).rename_axis("measure")
    return frame, values


def calibration_statement(values: Mapping[str, float], table: pd.DataFrame) -> str:
    """The calibration in plain English, saying how little ``k`` points can prove."""
    n_all, k = int(values["outturns"]), int(values["ranked"])
    if n_all == 0:
        return (
            "The edition records no outturns, so there is nothing to judge the forecast against yet "
            "(outturns.toml in the edition's folder holds them; nothing is ever invented to fill it)."
        )
    unranked = n_all - k
    tail = (
        f" {unranked} outturn{'s' * (unranked != 1)} {'are' if unranked != 1 else 'is'} scored on "
        "the error alone: a lever or a figure the simulation does not vary has no rank."
        if unranked
        else ""
    )
    if k == 0:
        return "No outturn has a rank in the simulated distribution." + tail + scores_statement(values)
    inside, lo, hi = int(values["inside_p10_p90"]), values["coverage_low_pct"], values["coverage_high_pct"]
    years = table.loc[table["simulated"].astype(bool), "year"].nunique()
    text = (
        f"{inside} of {k} ranked outturn{'s' * (k != 1)} fell inside the simulated P10–P90 band "
        f"({pct(inside / k, 0)}); a calibrated fan holds {pct(COVERAGE, 0)} there. "
        f"With {k} point{'s' * (k != 1)} a {pct(CONFIDENCE, 0)} interval for the band's true coverage is "
        f"{pct(lo, 0)} to {pct(hi, 0)}, "
    )
    if lo <= COVERAGE <= hi:
        if hi - lo > 0.3:
            text += (
                f"which holds {pct(COVERAGE, 0)} but is wide: these points cannot tell a well-calibrated fan from "
                "one much too narrow or too wide."
            )
        else:
            text += f"which holds {pct(COVERAGE, 0)}: nothing here says the fan is mis-calibrated."
    elif hi < COVERAGE:
        text += "below a calibrated fan's coverage: the fan looks too narrow (outcomes fell outside it too often)."
    else:
        text += "above a calibrated fan's coverage: the fan looks too wide (it claimed more uncertainty than came)."
    mean_rank = values["mean_rank_pct"]
    if k >= 2:
        side = "above" if mean_rank > 0.5 else "below"
        text += f" The mean rank is {pct(mean_rank, 0)} (50% if the median is unbiased): outturns sat mostly {side} it."
    text += (
        f" The {k} points come from {years} year{'s' * (years != 1)}; figures of one year share that year's "
        "shocks (a net budget moves with its lines), so they are fewer independent points than they look and "
        "the true uncertainty about the calibration is larger still."
    )
    return text + tail + scores_statement(values)


def backtest(
    scenario: Scenario | str | None = "baseline",
    n: int = 100_000,
    seed: int = 1,
    edition: Edition | str | Path | None = None,
    *,
    kinds: Sequence[str] = ("outturn",),
    chunk_size: int | None = None,
) -> BacktestResult:
    """Judge ``scenario`` (default the MTFS as published) against the edition's outturns.

    Simulates ``n`` trajectories (``seed``; :func:`~mtfs_model.risk.simulate`, paths
    kept) and scores every record of ``kinds`` (default outturns only; add
    ``"reforecast"`` to score re-forecasts too).  An edition without outturns gives an
    empty table and says so.  Raises :class:`~mtfs_model.base.errors.InputError` for a bad
    ``outturns.toml`` (every problem at once), scenario or argument.
    """
    scen = scenario_on(scenario, edition)
    ed = scen.edition
    wanted = check_kinds(kinds)
    records = tuple(o for o in read_outturns(ed) if o.kind in wanted)
    # The fan a back-test judges knows only what was published by the edition's papers,
    # whatever [risk] evidence_as_of says: later evidence would have seen the outturns coming.
    as_of = papers_date(ed).isoformat()
    risk = simulate(scen, n=n, seed=seed, chunk_size=chunk_size, keep_paths=True, evidence_as_of=as_of)
    tr = Trajectories.of(risk)
    rows = [_row(o, tr) for o in records]
    table = pd.DataFrame(rows, columns=["record", *TABLE_COLUMNS]).set_index("record")
    if table.empty:
        table["simulated"] = table["simulated"].astype(bool)
    summary, values = _summary(table)
    return BacktestResult(
        scenario=scen, n=risk.n, seed=risk.seed, outturns=records, table=table, summary=summary,
        statement=calibration_statement(values, table), fans=_fans(records, tr), risk=risk,
    )  # fmt: skip


# --- Reporting ------------------------------------------------------------------------------


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def view(frame: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """Missing cells as None (CSV, JSON) or an en dash (table, markdown; a percentage
    error against a near-zero forecast ``n/a``); dates as text;
    yes/no for the flags."""
    out = frame.copy().astype(object)
    readable = fmt in ("table", "markdown")
    for col in out.columns:
        values = []
        for v in out[col]:
            if _missing(v):
                values.append(("n/a" if col == "error_pct" else "–") if readable else None)
            elif isinstance(v, bool) and readable:
                values.append("yes" if v else "no")
            elif hasattr(v, "isoformat"):
                values.append(v.isoformat())
            else:
                values.append(v)
        out[col] = pd.Series(values, index=out.index, dtype=object)
    return out


def summary_view(summary: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """The summary table formatted for ``fmt`` (``table`` or ``markdown``: labels and units in words); other formats
    unchanged."""
    if fmt not in ("table", "markdown"):
        return view(summary, fmt)
    shown = []
    for measure, value in summary["value"].items():
        if _missing(value):
            shown.append("–")
        elif str(measure).endswith("_pct"):
            shown.append(f"{pct(value)}")
        elif "gbp000" in str(measure):
            shown.append(f"{number(value)}")
        else:
            shown.append(f"{number(value)}")
    units = [str(u).replace("GBP000", "£000") for u in summary["unit"]]
    words = [MEASURE_WORDS.get(str(m), str(m)) for m in summary.index]
    return pd.DataFrame({"value": shown, "unit": units}, index=pd.Index(words, name=""))


MEASURE_WORDS = {
    "outturns": "Outturns",
    "ranked": "Ranked outturns",
    "mean_error_gbp000": "Mean error",
    "mean_absolute_error_gbp000": "Mean absolute error",
    "mean_error_pct": "Mean error (%)",
    "mean_absolute_error_pct": "Mean absolute error (%)",
    "inside_p10_p90": "Inside P10-P90",
    "inside_p10_p90_pct": "Share inside P10-P90",
    "coverage_low_pct": "Coverage, lower bound",
    "coverage_high_pct": "Coverage, upper bound",
    "mean_rank_pct": "Mean rank",
}
"""The summary's measures as a reader reads them (``table`` and ``markdown``)."""


def report_text(result: BacktestResult, fmt: str = "table") -> str:
    """The back-test as ``table``, ``csv``, ``json`` or ``markdown``."""
    head = (
        f"Back-test of {result.scenario.name!r} against {len(result.table)} outturn"
        f"{'s' * (len(result.table) != 1)}: {result.n:,} trajectories, seed {result.seed}"
    )
    titles = {
        "outturns": "Outturns against the forecast (error = outturn - forecast; rank = share of trajectories below)",
        "summary": "Summary across outturns",
    }
    table = result.table
    if fmt == "table":
        table = table.drop(columns=["label", "kind", "unit", "simulated"])
    frames = {"outturns": view(table, fmt), "summary": summary_view(result.summary, fmt)}
    if table.empty and fmt in ("table", "markdown"):  # nothing to show but the sentence
        frames = {}
    meta = {"scenario": result.scenario.name, "n": result.n, "seed": result.seed}
    after = {"statement": result.statement}
    return tables_text(head, frames, titles, fmt, meta, lead=result.statement, after=after, labels=COLUMN_LABELS)


# --- Calibration from history ------------------------------------------------------------------
