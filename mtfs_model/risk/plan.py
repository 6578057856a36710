"""Budget risk: the vectorised model a trajectory runs through.

The model is linear in the lines: a trajectory's net budget is the scenario's
deterministic net budget plus the sum of every line's change, and its High Needs deficit
the deterministic deficit plus the running sum of the lines' changes.  So the engine
runs once (:func:`plan`), and :func:`evaluate` costs a few numpy operations on arrays
shaped ``(trajectories, years)`` -- no Python loop over trajectories, no pandas.

A simulated line is ``(scenario line + driver change) x line multiplier x programme
multiplier``.  High Needs lines are multiplied likewise and feed the annual gap and the
cumulative deficit; they do not touch the net budget (the DSG is ring-fenced).  The
guarantee benefit is the final-year recurring benefit of the edition's guarantee
programme (``links.guarantee_programme`` in ``edition.toml``), if it has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from mtfs_model.base import rows
from mtfs_model.base.errors import InputError
from mtfs_model.base.schema_types import MAX_GBP000
from mtfs_model.edition import drivers as driver_models
from mtfs_model.edition.folder import Edition
from mtfs_model.engine.run import run
from mtfs_model.risk.draws import Array, RiskSpec, factor
from mtfs_model.scenarios.load import Scenario, scenario_from_dict


@dataclass(frozen=True)
class Guarantee:
    """The edition's guaranteed programme: its lines (indices) and its floor (GBP000)."""

    programme: str
    lines: tuple[int, ...]
    floor: float


@dataclass(frozen=True)
class Plan:
    """Everything the hot path needs, computed once from one deterministic run."""

    spec: RiskSpec
    years: tuple[str, ...]
    line_codes: tuple[str, ...]
    det_lines: dict[str, Array]
    det_net: Array
    mtfs_net: Array
    det_hn: Array
    line_mults: dict[str, list[int]]
    driver_factors: dict[str, list[tuple[int, str]]]
    drivers: dict[str, dict[str, Any]]
    implied_base: dict[str, dict[str, float]]
    hn_factors: list[tuple[int, Array]]
    guarantee: Guarantee | None


def guarantee_floor(edition: Edition) -> float | None:
    """The guaranteed annual benefit, GBP000 (``guarantee.toml`` ``[guarantee] floor``),
    or None if the edition names no guarantee programme or prints no floor."""
    if not edition.links.get("guarantee_programme"):
        return None
    value = edition.guarantee.get("guarantee", {}).get("floor")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_GBP000:
        raise InputError(edition.path / "guarantee.toml", "guarantee.floor", "a finite number of GBP000 >= 0", value)
    return float(value)


@lru_cache(maxsize=16)
def published_net(edition: Edition) -> tuple[float, ...]:
    """The net budget by year of the edition as published (the MTFS), as the engine derives it."""
    mtfs = run(scenario_from_dict({"scenario": {"description": "the published MTFS"}}, name="mtfs", edition=edition))
    values = mtfs.revenue.loc[rows.NET_BUDGET, list(edition.years)].to_numpy(dtype=np.float64)
    return tuple(float(v) for v in values)


def plan(scenario: Scenario, spec: RiskSpec) -> Plan:
    """Run the engine once for the scenario (and, once per edition, for the MTFS as published)."""
    ed = scenario.edition
    years = tuple(ed.years)
    result = run(scenario)
    inputs = scenario.inputs
    codes = tuple(inputs.lines)
    line_mults: dict[str, list[int]] = {c: [] for c in codes}
    driver_factors: dict[str, list[tuple[int, str]]] = {}
    hn_factors: list[tuple[int, Array]] = []
    hn_groups = {**inputs.hn_funding, **inputs.hn_expenditure, **inputs.hn_savings}
    for k, d in enumerate(spec.distributions):
        if d.kind == "line":
            line_mults[d.target].append(k)
        elif d.kind == "programme":
            for c in codes:
                if inputs.lines[c].programme == d.target:
                    line_mults[c].append(k)
        elif d.kind == "driver":
            driver_factors.setdefault(d.target, []).append((k, str(d.driver)))
        else:
            hn_factors.append((k, np.array([hn_groups[d.target][y] for y in years], dtype=np.float64)))
    drivers = {c: dict(inputs.lines[c].drivers or {}) for c in driver_factors}
    implied_base = {c: driver_models.implied(drivers[c], years) or {} for c in driver_factors}
    floor = guarantee_floor(ed)
    pid = ed.links.get("guarantee_programme")
    guarantee = None
    if floor is not None and pid:
        members = tuple(i for i, c in enumerate(codes) if inputs.lines[c].programme == pid)
        guarantee = Guarantee(str(pid), members, floor)
    cols = list(years)
    return Plan(
        spec=spec,
        years=years,
        line_codes=codes,
        det_lines={c: result.cumulative.loc[c, cols].to_numpy(dtype=np.float64) for c in codes},
        det_net=result.revenue.loc[rows.NET_BUDGET, cols].to_numpy(dtype=np.float64),
        mtfs_net=np.array(published_net(ed), dtype=np.float64),
        det_hn=result.high_needs.loc[rows.HN_CUMULATIVE, cols].to_numpy(dtype=np.float64),
        line_mults=line_mults,
        driver_factors=driver_factors,
        drivers=drivers,
        implied_base=implied_base,
        hn_factors=hn_factors,
        guarantee=guarantee,
    )


@dataclass(frozen=True)
class Paths:
    """Per-trajectory paths by year, kept only when asked for (``keep=True``): what a
    back-test or a re-forecast reads to give any figure per trajectory (GBP000, m rows).

    ``line_delta`` (m, lines, years) each line's cumulative value less the scenario's
    (zero for a line nothing varies); ``hn_delta`` (m, drawn High Needs lines, years) each
    drawn High Needs line's value less the scenario's, in the order of ``Plan.hn_factors``;
    ``gap_delta`` (m, years) the High Needs annual gap less the scenario's (the sum of
    ``hn_delta``); ``factors`` (m, inputs, years) every input's multiplier, in the order
    of ``RiskSpec.distributions``.
    """

    line_delta: Array
    hn_delta: Array
    gap_delta: Array
    factors: Array


@dataclass(frozen=True)
class Outputs:
    net: Array  # (m, years) net budget
    hn: Array  # (m, years) High Needs cumulative deficit
    benefit: Array | None  # (m,) the guarantee programme's final-year benefit, positive
    lines: Array  # (m, lines) each line's change from the scenario in the final year
    factors: list[Array]
    paths: Paths | None = None


def _driven(plan: Plan, code: str, factors: Sequence[Array], m: int) -> Array:
    """A driver-modelled line as its drivers' multipliers leave it, (m, years)."""
    t_count = len(plan.years)
    det = plan.det_lines[code]
    drivers: dict[str, Any] = dict(plan.drivers[code])
    for k, key in plan.driver_factors[code]:
        drivers[key] = drivers[key] * factors[k]
    implied = driver_models.implied(drivers, plan.years) or {}
    base = plan.implied_base[code]
    sim = np.empty((m, t_count))
    for t, y in enumerate(plan.years):
        # the driver delta, exactly 0.0 where the drivers are unchanged (as the engine)
        sim[:, t] = det[t] + (np.broadcast_to(implied[y], (m, t_count))[:, t] - base[y])
    return sim


def evaluate(plan: Plan, z: Sequence[Array], m: int, keep: bool = False) -> Outputs:
    """Every output for ``m`` trajectories from their mixed shocks (one (m, years) per
    input); ``keep`` also returns the per-trajectory :class:`Paths`."""
    spread = plan.spec.spread_scale
    factors = [factor(d, z[k], spread) for k, d in enumerate(plan.spec.distributions)]
    return evaluate_factors(plan, factors, m, keep)


def evaluate_factors(plan: Plan, factors: Sequence[Array], m: int, keep: bool = False) -> Outputs:
    """Every output for ``m`` trajectories from each input's multipliers by year (one
    (m, years) array per input, as :func:`~mtfs_model.risk.draws.factor` gives them, or
    as a re-forecast conditions them)."""
    t_count = len(plan.years)
    net_delta = np.zeros((m, t_count))
    line_last = np.zeros((m, len(plan.line_codes)))
    line_delta = np.zeros((m, len(plan.line_codes), t_count)) if keep else None
    for i, code in enumerate(plan.line_codes):
        det = plan.det_lines[code]
        sim: Array | None = _driven(plan, code, factors, m) if code in plan.driver_factors else None
        for k in plan.line_mults[code]:
            sim = (det if sim is None else sim) * factors[k]
        if sim is None:
            continue
        delta = sim - det
        net_delta += delta
        line_last[:, i] = delta[:, -1]
        if line_delta is not None:
            line_delta[:, i] = delta
    gap_delta = np.zeros((m, t_count))
    hn_delta = np.zeros((m, len(plan.hn_factors), t_count)) if keep else None
    for j, (k, values) in enumerate(plan.hn_factors):
        if hn_delta is None:
            gap_delta += values * (factors[k] - 1.0)
        else:
            hn_delta[:, j] = values * (factors[k] - 1.0)
            gap_delta += hn_delta[:, j]
    benefit = None
    if plan.guarantee is not None:
        benefit = np.zeros(m)
        for i in plan.guarantee.lines:
            benefit -= plan.det_lines[plan.line_codes[i]][-1] + line_last[:, i]
    paths = None
    if line_delta is not None and hn_delta is not None:
        kept = np.empty((m, len(factors), t_count))
        for k, f in enumerate(factors):
            kept[:, k] = f
        paths = Paths(line_delta, hn_delta, gap_delta.copy(), kept)
    hn = plan.det_hn + np.cumsum(gap_delta, axis=1)
    return Outputs(plan.det_net + net_delta, hn, benefit, line_last, list(factors), paths)
