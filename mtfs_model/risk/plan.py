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
programme (``links.guarantee_programme`` in ``edition.toml``), if it has one, as
delivered; when the guarantee is honoured (:mod:`mtfs_model.risk.guarantee`) the
programme is floored at the floor applying each year and the partner's remedy lowers the
net budget.  A High Needs line drawn by two inputs (the judgement's and the reference
class's, :mod:`mtfs_model.risk.evidence`) is multiplied by both.
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
from mtfs_model.risk import guarantee as partner
from mtfs_model.risk.draws import Array, RiskSpec, factor
from mtfs_model.risk.guarantee import Guarantee
from mtfs_model.scenarios.load import Scenario, scenario_from_dict


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
    hn_factors: list[tuple[tuple[int, ...], Array]]
    """Each drawn High Needs line: the inputs multiplying it (the judgement's and, in the
    evidence view, the reference class's) and its values by year."""
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
    hn_drawn: dict[str, list[int]] = {}
    effect: int | None = None
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
        elif d.kind == "guarantee":
            effect = k
        else:
            hn_drawn.setdefault(d.target, []).append(k)
    hn_factors = [
        (tuple(ks), np.array([hn_groups[target][y] for y in years], dtype=np.float64))
        for target, ks in hn_drawn.items()
    ]
    drivers = {c: dict(inputs.lines[c].drivers or {}) for c in driver_factors}
    implied_base = {c: driver_models.implied(drivers[c], years) or {} for c in driver_factors}
    floor = guarantee_floor(ed)
    pid = ed.links.get("guarantee_programme")
    guarantee = None
    cols = list(years)
    if floor is not None and pid:
        members = tuple(i for i, c in enumerate(codes) if inputs.lines[c].programme == pid)
        det = np.array([result.cumulative.loc[codes[i], cols].to_numpy(dtype=np.float64) for i in members])
        guarantee = Guarantee(
            str(pid), members, floor, inputs.guarantee.honoured, partner.floors(inputs, str(pid)),
            partner.weights(det.reshape(len(members), len(cols))), effect,
        )  # fmt: skip
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
    """One chunk of simulated outputs: net budget and High Needs deficit by year (GBP000), the guarantee benefit,
    each line's change."""

    net: Array  # (m, years) net budget
    hn: Array  # (m, years) High Needs cumulative deficit
    benefit: Array | None  # (m,) the guarantee programme's final-year benefit, positive
    lines: Array  # (m, lines) each line's change from the scenario in the final year
    factors: list[Array]
    paths: Paths | None = None


class Kernel:
    """The model for a chunk of trajectories, year-major and in reused buffers.

    Built once for a plan and a largest chunk ``capacity``; :meth:`run` takes each
    input's multipliers as ``(m,)`` (one value every year: a level) or ``(years, m)`` and
    fills ``net`` and ``hn`` ``(years, m)``, ``lines`` ``(lines, m)`` (each line's
    final-year change) and ``benefit`` ``(m,)``: views of the buffers, valid until the
    next call.  Every figure is computed element by element in the same order whatever
    the layout, so :func:`evaluate_factors` (trajectory-major) gives the same bits.
    """

    net_buf: Array
    hn_buf: Array
    gap_buf: Array
    lines_buf: Array
    tmp: Array

    def __init__(self, plan: Plan, capacity: int, reuse: Kernel | None = None) -> None:
        self.plan = plan
        t_count, l_count = len(plan.years), len(plan.line_codes)
        if reuse is not None and reuse.net_buf.shape == (t_count, capacity) and reuse.lines_buf.shape[0] == l_count:
            # another plan of the same shape (a lever moved): its buffers, already in memory
            self.net_buf, self.hn_buf, self.gap_buf = reuse.net_buf, reuse.hn_buf, reuse.gap_buf
            self.lines_buf, self.tmp = reuse.lines_buf, reuse.tmp
            self.lines_buf.fill(0.0)
        else:
            self.net_buf = np.empty((t_count, capacity))
            self.hn_buf = np.empty((t_count, capacity))
            self.gap_buf = np.empty((t_count, capacity))
            self.lines_buf = np.zeros((l_count, capacity))
            self.tmp = np.empty(capacity)
        self.benefit_buf = np.empty(capacity) if plan.guarantee is not None else None
        self.varying = [i for i, c in enumerate(plan.line_codes) if c in plan.driver_factors or plan.line_mults[c]]
        self.varying_set = set(self.varying)
        g = plan.guarantee
        self.floored = g is not None and g.honoured and g.floors is not None and bool(np.any(g.floors > 0))
        # the guaranteed programme's benefit by year (positive) and the partner's remedy
        self.delivered_buf = np.empty((t_count, capacity)) if self.floored else None
        self.remedy_buf = np.empty(capacity) if self.floored else None

    def _driven(self, code: str, factors: Sequence[Array]) -> list[Array | float]:
        """A driver-modelled line's implied figure less the scenario's, by year: the
        driver delta, exactly 0.0 where the drivers are unchanged (as the engine)."""
        plan = self.plan
        drivers: dict[str, Any] = dict(plan.drivers[code])
        mine = [(key, factors[k]) for k, key in plan.driver_factors[code]]
        shape = np.broadcast_shapes(*(f.shape for _, f in mine))
        for key, f in mine:  # every driver the same shape: a model may add them in place
            drivers[key] = drivers[key] * np.broadcast_to(f, shape)
        implied = driver_models.implied(drivers, plan.years) or {}
        base = plan.implied_base[code]
        out: list[Array | float] = []
        for t, y in enumerate(plan.years):
            v: Any = implied[y]
            out.append((v[t] if np.ndim(v) == 2 else v) - base[y])
        return out

    def run(
        self,
        factors: Sequence[Array],
        m: int,
        keep: Paths | None = None,
        net_out: Array | None = None,
        hn_out: Array | None = None,
        final_only: bool = False,
    ) -> tuple[Array, Array]:
        """Evaluate ``m`` trajectories; return the net budget and the High Needs deficit,
        ``(years, m)``, written into ``net_out`` and ``hn_out`` when given (a caller's own
        arrays: no copy) or into the buffers.  ``keep`` (year-major ``Paths`` buffers:
        line_delta (lines, years, m), hn_delta (drawn High Needs lines, years, m)) also
        receives the per-line and per-High-Needs-line deltas.  ``final_only``: only the
        final year's net budget (the same bits), nothing else (what a probability of
        ending above the MTFS reads)."""
        plan = self.plan
        t_count = len(plan.years)
        last = t_count - 1
        years = range(last, t_count) if final_only else range(t_count)
        net = self.net_buf[:, :m] if net_out is None else net_out
        hn = self.hn_buf[:, :m] if hn_out is None else hn_out
        gap = self.gap_buf[:, :m]
        lines = self.lines_buf[:, :m]
        tmp = self.tmp[:m]
        net.fill(0.0)
        g = plan.guarantee
        delivered = None
        if self.floored and self.delivered_buf is not None and g is not None:
            delivered = self.delivered_buf[:, :m]
            for t in years:
                delivered[t] = -sum(plan.det_lines[plan.line_codes[i]][t] for i in g.lines)
        guaranteed = set(g.lines) if delivered is not None and g is not None else set()
        for i in self.varying:
            code = plan.line_codes[i]
            det = plan.det_lines[code]
            mults = [factors[k] for k in plan.line_mults[code]]
            driven = self._driven(code, factors) if code in plan.driver_factors else None
            for t in years:
                delta = lines[i] if t == last else tmp
                if driven is not None:
                    np.add(det[t], driven[t], out=delta)
                    rest = mults
                else:
                    f0 = mults[0]
                    np.multiply(det[t], f0 if f0.ndim == 1 else f0[t], out=delta)
                    rest = mults[1:]
                for f in rest:
                    delta *= f if f.ndim == 1 else f[t]
                delta -= det[t]
                net[t] += delta
                if i in guaranteed and delivered is not None:
                    delivered[t] -= delta
                if keep is not None:
                    keep.line_delta[i, t, :m] = delta
        for t in years:
            net[t] += plan.det_net[t]  # det_net + the lines' changes, as the engine adds them
        if final_only:
            self._remedy(net, lines, keep, years, m, factors)
            return net, hn
        gap.fill(0.0)
        for j, (ks, values) in enumerate(plan.hn_factors):
            for t in range(t_count):  # a line two inputs draw (judgement, reference class) takes both
                f = factors[ks[0]]
                np.copyto(tmp, f if f.ndim == 1 else f[t])
                for k in ks[1:]:
                    f = factors[k]
                    tmp *= f if f.ndim == 1 else f[t]
                tmp -= 1.0
                tmp *= values[t]
                gap[t] += tmp
                if keep is not None:
                    keep.hn_delta[j, t, :m] = tmp
        running = tmp
        running[:] = gap[0]
        np.add(plan.det_hn[0], running, out=hn[0])
        for t in range(1, t_count):
            running += gap[t]
            np.add(plan.det_hn[t], running, out=hn[t])
        if self.benefit_buf is not None and plan.guarantee is not None:
            benefit = self.benefit_buf[:m]
            benefit.fill(0.0)
            for i in plan.guarantee.lines:
                np.add(plan.det_lines[plan.line_codes[i]][-1], lines[i], out=tmp)
                benefit -= tmp
        self._remedy(net, lines, keep, years, m, factors)
        return net, hn

    def _remedy(
        self, net: Array, lines: Array, keep: Paths | None, years: range, m: int, factors: Sequence[Array]
    ) -> None:
        """The honoured guarantee (:mod:`mtfs_model.risk.guarantee`): where the programme's
        benefit falls below the floor applying that year the partner's extra effort
        recovers a share of the shortfall (its effectiveness, drawn per trajectory, or all
        of it if the edition declares none); the net budget is lower by what it recovers,
        attributed to the programme's lines in proportion to their deterministic share
        (their sum stays the net budget).  The benefit (``benefit_buf``) stays as
        delivered: how often the guarantee binds."""
        g, delivered, rem = self.plan.guarantee, self.delivered_buf, self.remedy_buf
        if not self.floored or g is None or delivered is None or rem is None:
            return
        assert g.floors is not None and g.weights is not None
        last = len(self.plan.years) - 1
        r = rem[:m]
        for t in years:
            if g.floors[t] <= 0:
                continue
            r[:] = partner.remedy(g.floors[t], delivered[t, :m])
            if g.effectiveness is not None:
                f = factors[g.effectiveness]
                r *= f if f.ndim == 1 else f[t]
            net[t] -= r
            for j, i in enumerate(g.lines):
                share = r * g.weights[j, t]
                moved = i in self.varying_set  # its rows hold this run's change; else nothing yet
                if t == last:
                    lines[i] = lines[i] - share if moved else -share
                if keep is not None:
                    keep.line_delta[i, t, :m] = keep.line_delta[i, t, :m] - share if moved else -share


def evaluate(plan: Plan, z: Sequence[Array], m: int, keep: bool = False) -> Outputs:
    """Every output for ``m`` trajectories from their mixed shocks (one (m, years) per
    input, as :func:`~mtfs_model.risk.draws.shocks` gives them); ``keep`` also returns
    the per-trajectory :class:`Paths`."""
    spread = plan.spec.spread_scale
    factors = [factor(d, z[k], spread) for k, d in enumerate(plan.spec.distributions)]
    return evaluate_factors(plan, factors, m, keep)


def evaluate_factors(plan: Plan, factors: Sequence[Array], m: int, keep: bool = False) -> Outputs:
    """Every output for ``m`` trajectories from each input's multipliers by year (one
    (m, years) array per input, as :func:`~mtfs_model.risk.draws.factor` gives them, or
    as a re-forecast conditions them): the :class:`Kernel` on their transposes."""
    t_count, l_count, h_count = len(plan.years), len(plan.line_codes), len(plan.hn_factors)
    kernel = Kernel(plan, m)
    ym = [np.asarray(f).T for f in factors]
    buffers = Paths(np.zeros((l_count, t_count, m)), np.empty((h_count, t_count, m)), np.empty(0), np.empty(0))
    kernel.run(ym, m, buffers if keep else None)
    paths = None
    if keep:
        kept = np.empty((m, len(factors), t_count))
        for k, f in enumerate(factors):
            kept[:, k] = f
        paths = Paths(
            buffers.line_delta.transpose(2, 0, 1).copy(),
            buffers.hn_delta.transpose(2, 0, 1).copy(),
            kernel.gap_buf.T.copy(),
            kept,
        )
    benefit = None if kernel.benefit_buf is None else kernel.benefit_buf.copy()
    return Outputs(
        kernel.net_buf.T.copy(), kernel.hn_buf.T.copy(), benefit, kernel.lines_buf.T.copy(), list(factors), paths
    )
