"""Re-forecast from actuals: the simulation conditioned on the edition's outturns.

Once some years have outturns (:mod:`mtfs_model.forecast.outturns`), the years after them are
better forecast from what happened than from the MTFS's starting point.
:func:`reforecast` takes the latest record of each figure and year up to ``through``
(default: the latest year with an outturn) and simulates the rest:

* **a lever that was decided is fixed**: the scenario is re-run with it set as decided
  (``high_needs.schools_block_transfer_approved``);
* **a driver continues from its actual value**: the realised multiplier (actual / the
  scenario's value) replaces the drawn one in that year; a ``walk`` continues from it
  (later years compound their own annual changes on it), a ``level`` is that multiplier
  every year (it is one draw: now known), an ``independent`` input is fixed in that year
  only.  A drawn High Needs line (``high_needs`` table, e.g. placement costs) likewise;
* **stocks roll forward from the actual**: the net budget's later years are the actual
  net budget plus each trajectory's simulated changes after it; the High Needs
  cumulative deficit continues from the actual deficit by the simulated annual gaps (an
  actual annual gap moves the deficit from its year on); a growth or savings line's
  cumulative figure continues from its actual the same way, and moves the net budget
  with it.
* Years with an actual are exactly the actual in every trajectory; years before the
  first actual of a figure keep their simulated values (a walk is not bridged back).

Anything else an outturn records (a programme total, an in-year figure, the capital
tables, a High Needs line nothing draws) is scored by the back-test but not conditioned
on: :attr:`ReforecastResult.ignored` lists it with the reason.  Draws are the
simulation's own (same seed, same streams), so the re-forecast and the original fan
differ only by what the outturns fixed.  Conditioning on outturns equal to the
forecast leaves the deterministic path exactly as it was.

>>> from mtfs_model.forecast.reforecast import reforecast
>>> r = reforecast("baseline", n=20_000, seed=1, edition=ed)       # doctest: +SKIP
>>> r.net_budget, r.conditions, r.original.net_budget
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mtfs_model.base import rows
from mtfs_model.base.report import tables_text
from mtfs_model.edition.folder import Edition
from mtfs_model.engine.run import run
from mtfs_model.forecast.conditioning import (
    Conditioning,
    condition,
    conditioned_factors,
    conditioning,
    merge_overrides,
    rolled,
)
from mtfs_model.forecast.outturns import Outturn, check_kinds, latest, read_outturns
from mtfs_model.risk.draws import Array, RiskSpec, correlation_groups, shocks
from mtfs_model.risk.percentiles import percentile_tables
from mtfs_model.risk.plan import Plan, evaluate_factors, plan
from mtfs_model.risk.simulate import DEFAULT_CHUNK_SIZE, MTFS_ROW, SCENARIO_HN_ROW, SCENARIO_ROW, RiskResult, simulate
from mtfs_model.risk.spec import risk_spec
from mtfs_model.scenarios.compose import scenario_on
from mtfs_model.scenarios.load import Scenario, scenario_from_dict

__all__ = [
    "REFORECAST_HN_ROW",
    "REFORECAST_ROW",
    "Conditioning",
    "ReforecastResult",
    "condition",
    "conditioning",
    "reforecast",
    "report_text",
]

REFORECAST_ROW = "Re-forecast net budget (deterministic, on the outturns)"
REFORECAST_HN_ROW = "Re-forecast High Needs cumulative deficit (deterministic, on the outturns)"
CONDITION_COLUMNS = ("figure", "label", "year", "value", "how")
IGNORED_COLUMNS = ("figure", "label", "year", "value", "why")


# --- What the outturns fix --------------------------------------------------------------------


@dataclass(frozen=True)
class _Chunk:
    net: Array
    hn: Array
    gap: Array
    line_delta: Array
    factors: Array


def _apply(p: Plan, factors: Sequence[Array], m: int, c: Conditioning, det_gap: Array) -> _Chunk:
    """One chunk of trajectories (or the deterministic path, m = 1) with the outturns fixed."""
    out = evaluate_factors(p, factors, m, keep=True)
    assert out.paths is not None
    line_delta = out.paths.line_delta
    net = out.net
    for code, actual in c.lines.items():
        i = p.line_codes.index(code)
        values, shift = rolled(p.det_lines[code] + line_delta[:, i], actual)
        line_delta[:, i] = values - p.det_lines[code]
        net = net + shift
    if c.net:
        net, _ = rolled(net, c.net)
    gap = det_gap + out.paths.gap_delta
    hn = out.hn.copy()
    if c.hn_gap or c.hn_cumulative:
        step = np.zeros(m)
        for t in range(hn.shape[1]):
            if t in c.hn_gap:
                step = step + (c.hn_gap[t] - gap[:, t])
                gap[:, t] = c.hn_gap[t]
            if t in c.hn_cumulative:
                step = c.hn_cumulative[t] - out.hn[:, t]
                hn[:, t] = c.hn_cumulative[t]
            else:
                hn[:, t] = out.hn[:, t] + step
    return _Chunk(net, hn, gap, line_delta, out.paths.factors)


# --- The result -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReforecastSamples:
    """Per-trajectory re-forecast (GBP000): ``net`` and ``hn_deficit`` (n, years); ``gap``
    the High Needs annual gap (n, years); ``line_delta`` (n, lines, years) each line less
    the scenario's; ``factors`` (n, inputs, years) each input's multiplier (names:
    ``inputs``)."""

    net: Array
    hn_deficit: Array
    gap: Array
    line_delta: Array
    factors: Array
    lines: tuple[str, ...]
    inputs: tuple[str, ...]


@dataclass(frozen=True)
class ReforecastResult:
    """What :func:`reforecast` returns (GBP000; years as columns), shaped as a
    :class:`~mtfs_model.risk.RiskResult` where it can be.

    ``net_budget``, ``gap``, ``hn_deficit``: P5-P95 by year of the conditioned
    simulation (the gap to the published MTFS).  ``reference``: the published MTFS, the
    re-forecast's deterministic net budget and deficit, and the original scenario's.
    ``conditions`` / ``ignored``: the outturns used (and how) or not (and why).
    ``original``: the same simulation without the outturns (same seed), for the fan
    beside it.  ``actual_years``: the years up to ``through``.
    """

    scenario: Scenario = field(repr=False)
    base: Scenario = field(repr=False)
    n: int
    seed: int
    through: str | None
    spec: RiskSpec = field(repr=False)
    net_budget: pd.DataFrame = field(repr=False)
    gap: pd.DataFrame = field(repr=False)
    hn_deficit: pd.DataFrame = field(repr=False)
    reference: pd.DataFrame = field(repr=False)
    p_exceeds_mtfs: float
    conditions: pd.DataFrame = field(repr=False)
    ignored: pd.DataFrame = field(repr=False)
    samples: ReforecastSamples = field(repr=False)
    original: RiskResult | None = field(repr=False, default=None)

    @property
    def edition(self) -> Edition:
        """The edition re-forecast."""
        return self.scenario.edition

    @property
    def years(self) -> tuple[str, ...]:
        """The edition's fiscal years."""
        return tuple(self.edition.years)

    @property
    def actual_years(self) -> tuple[str, ...]:
        """The years whose outturns the re-forecast is conditioned on."""
        if self.through is None:
            return ()
        return self.years[: self.years.index(self.through) + 1]

    def probabilities(self) -> pd.DataFrame:
        """The chance the final-year net budget is above the MTFS, re-forecast and original (percent)."""
        final = self.years[-1]
        rows_ = {f"Net budget {final} above the published MTFS (re-forecast)": self.p_exceeds_mtfs}
        if self.original is not None:
            rows_[f"Net budget {final} above the published MTFS (original forecast)"] = self.original.p_exceeds_mtfs
        return pd.DataFrame({"probability_pct": rows_}).rename_axis("event")

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the re-forecast by name, in reading order (GBP000 unless stated)."""
        return {
            "conditions": self.conditions,
            "ignored": self.ignored,
            "net_budget": self.net_budget,
            "gap": self.gap,
            "hn_deficit": self.hn_deficit,
            "reference": self.reference,
            "probabilities": self.probabilities(),
        }


def _percentiles(values: Array, years: Sequence[str]) -> pd.DataFrame:
    """P5-P95 by year of ``values`` (n, years): the simulation's own exact percentiles."""
    return percentile_tables(np.ascontiguousarray(values.T), years)[0]


def _listing(pairs: Sequence[tuple[Outturn, str]], last: str) -> pd.DataFrame:
    columns = CONDITION_COLUMNS if last == "how" else IGNORED_COLUMNS
    data = [{"record": o.record, "figure": o.figure, "label": o.label, "year": o.year, "value": o.value, last: why}
            for o, why in pairs]  # fmt: skip
    return pd.DataFrame(data, columns=["record", *columns]).set_index("record")


def _with_levers(scenario: Scenario, levers: Mapping[str, Any]) -> Scenario:
    if not levers:
        return scenario
    raw = copy.deepcopy(dict(scenario.overrides))
    merge_overrides(raw, levers)
    raw.setdefault("scenario", {"description": scenario.description})
    return scenario_from_dict(raw, path=scenario.path, name=scenario.name, edition=scenario.edition)


def reforecast(
    scenario: Scenario | str | None = "baseline",
    n: int = 100_000,
    seed: int = 1,
    edition: Edition | str | Path | None = None,
    *,
    through: str | None = None,
    kinds: Sequence[str] = ("outturn",),
    chunk_size: int | None = None,
    original: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> ReforecastResult:
    """Simulate ``scenario`` conditioned on the edition's outturns up to ``through``.

    ``kinds``: the records to condition on (default outturns; add ``"reforecast"`` to
    use re-forecasts where a year has no outturn -- an outturn of the same date wins).
    ``original``: also simulate the scenario without them (same ``n`` and ``seed``) for
    the fan beside it.  An edition without outturns gives the original forecast again
    (``conditions`` empty).  The same seed gives the same result bit for bit whatever
    ``chunk_size``.  Raises :class:`~mtfs_model.base.errors.InputError` for bad input.
    """
    from mtfs_model.risk.simulate import check_paths_memory, check_simulation_arguments

    base = scenario_on(scenario, edition)
    ed = base.edition
    if through is not None:
        ed.year(through)  # an InputError naming the horizon if it is not a year of it
    check_simulation_arguments(n, seed, chunk_size)
    records = latest(read_outturns(ed), check_kinds(kinds))
    c = conditioning(base, records, through)
    scen = _with_levers(base, c.levers)
    spec = risk_spec(scen)
    if c.extra:
        k = len(spec.distributions) + len(c.extra)
        corr = np.eye(k)
        corr[: len(spec.distributions), : len(spec.distributions)] = spec.correlation
        spec = replace(spec, distributions=(*spec.distributions, *c.extra), correlation=corr,
                       groups=correlation_groups(corr))  # fmt: skip
    p = plan(scen, spec)
    n, seed = int(n), int(seed)
    chunk = int(chunk_size or DEFAULT_CHUNK_SIZE)
    check_paths_memory(p, n, chunk)
    engine = run(scen)
    years = p.years
    t_count = len(years)
    det_gap = engine.high_needs.loc[rows.HN_ANNUAL_GAP, list(years)].to_numpy(dtype=np.float64)
    det = _apply(p, conditioned_factors(spec, None, 1, c, t_count), 1, c, det_gap)
    k_count = len(spec.distributions)
    net, hn, gap = np.empty((n, t_count)), np.empty((n, t_count)), np.empty((n, t_count))
    line_delta = np.empty((n, len(p.line_codes), t_count))
    factors = np.empty((n, k_count, t_count))
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        z = shocks(spec, seed, start, stop, t_count)
        got = _apply(p, conditioned_factors(spec, z, stop - start, c, t_count), stop - start, c, det_gap)
        net[start:stop], hn[start:stop], gap[start:stop] = got.net, got.hn, got.gap
        line_delta[start:stop], factors[start:stop] = got.line_delta, got.factors
        del z, got
        if progress is not None:
            progress(stop, n)
    before = run(base)
    reference = pd.DataFrame(
        [
            p.mtfs_net, det.net[0], det.hn[0],
            before.revenue.loc[rows.NET_BUDGET, list(years)].to_numpy(dtype=np.float64),
            before.high_needs.loc[rows.HN_CUMULATIVE, list(years)].to_numpy(dtype=np.float64),
        ],
        index=pd.Index([MTFS_ROW, REFORECAST_ROW, REFORECAST_HN_ROW, SCENARIO_ROW, SCENARIO_HN_ROW], name="figure"),
        columns=list(years),
    )  # fmt: skip
    return ReforecastResult(
        scenario=scen, base=base, n=n, seed=seed, through=c.through, spec=spec,
        net_budget=_percentiles(net, years), gap=_percentiles(net - p.mtfs_net, years),
        hn_deficit=_percentiles(hn, years), reference=reference,
        p_exceeds_mtfs=float(np.count_nonzero(net[:, -1] > p.mtfs_net[-1])) / n,
        conditions=_listing(c.used, "how"), ignored=_listing(c.ignored, "why"),
        samples=ReforecastSamples(net, hn, gap, line_delta, factors, p.line_codes, tuple(spec.names())),
        original=simulate(base, n=n, seed=seed, chunk_size=chunk) if original else None,
    )  # fmt: skip


# --- Reporting --------------------------------------------------------------------------------


def titles(result: ReforecastResult) -> dict[str, str]:
    """The title of each table of ``result``, by table name."""
    through = f"up to {result.through}" if result.through else "(none recorded)"
    return {
        "conditions": f"Outturns conditioned on, {through}",
        "ignored": "Outturns not conditioned on (scored by mtfs backtest)",
        "net_budget": "Net budget re-forecast from the outturns: percentiles by year (£000)",
        "gap": "Gap to the published MTFS, re-forecast (£000)",
        "hn_deficit": "High Needs cumulative deficit re-forecast from the outturns (£000)",
        "reference": "Reference figures (£000)",
        "probabilities": "Probabilities",
    }


def report_text(result: ReforecastResult, fmt: str = "table") -> str:
    """The re-forecast's tables as ``table``, ``csv``, ``json`` or ``markdown``."""
    frames = result.tables()
    if fmt == "table":
        frames["conditions"] = frames["conditions"].drop(columns=["label"])
        frames["ignored"] = frames["ignored"].drop(columns=["label"])
    if frames["ignored"].empty:
        del frames["ignored"]
    lead = ""
    if frames["conditions"].empty and fmt in ("table", "markdown"):  # say so in a sentence, no empty table
        del frames["conditions"]
        lead = (
            "The edition records no outturns, so nothing is conditioned on: the re-forecast below is the "
            "simulation as the MTFS stands (outturns.toml in the edition's folder holds them)."
        )
    named = titles(result)
    head = (
        f"Scenario {result.base.name!r} re-forecast from {len(result.conditions)} outturn"
        f"{'s' * (len(result.conditions) != 1)}: {result.n:,} trajectories, seed {result.seed}"
    )
    meta = {"scenario": result.base.name, "n": result.n, "seed": result.seed, "through": result.through}
    return tables_text(head, frames, named, fmt, meta, lead=lead)
