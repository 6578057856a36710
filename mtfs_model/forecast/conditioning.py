"""Conditioning a simulation on outturns: which draws an actual fixes, and how a
year-by-year evolution continues from a realised value (the machinery behind
:func:`mtfs_model.forecast.reforecast.reforecast`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mtfs_model.base import rows
from mtfs_model.forecast.outturns import Outturn
from mtfs_model.forecast.outturns_schema import LEVERS
from mtfs_model.risk.draws import MULTIPLIER_CAP, Array, Distribution, RiskSpec, factor
from mtfs_model.risk.evidence import base_name, is_evidence
from mtfs_model.risk.spec import risk_spec
from mtfs_model.scenarios.load import Scenario


@dataclass(frozen=True)
class Conditioning:
    """What a set of outturns fixes (years as positions in the horizon).

    ``levers`` the scenario overrides of decided levers; ``inputs`` realised multipliers
    by input name and year; ``extra`` drivers with no distribution that need a
    (zero-spread) one to carry their realised multiplier; ``lines`` actual cumulative
    figures by line code; ``net``, ``hn_cumulative``, ``hn_gap`` the actual net budget,
    High Needs cumulative deficit and annual gap; ``used`` and ``ignored`` the outturns
    with how they were used or why not.
    """

    through: str | None
    levers: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, dict[int, float]] = field(default_factory=dict)
    extra: tuple[Distribution, ...] = ()
    lines: dict[str, dict[int, float]] = field(default_factory=dict)
    net: dict[int, float] = field(default_factory=dict)
    hn_cumulative: dict[int, float] = field(default_factory=dict)
    hn_gap: dict[int, float] = field(default_factory=dict)
    used: tuple[tuple[Outturn, str], ...] = ()
    ignored: tuple[tuple[Outturn, str], ...] = ()


def merge_overrides(into: dict[str, Any], other: Mapping[str, Any]) -> None:
    """Merge scenario overrides ``other`` into ``into`` in place, table by table (``other`` wins)."""
    for k, v in other.items():
        if isinstance(v, Mapping) and isinstance(into.get(k), dict):
            merge_overrides(into[k], v)
        else:
            into[k] = copy.deepcopy(v)


def _zero_spread(name: str, code: str, key: str) -> Distribution:
    return Distribution(
        name=name, kind="driver", target=code, driver=key, label=f"{code}: {key}", shape="normal",
        evolution="walk", p10=1.0, p50=1.0, p90=1.0, minimum=0.0, maximum=float("inf"),
        origin="outturns", note="No distribution: carries the actual's multiplier only (zero spread).",
    )  # fmt: skip


def conditioning(
    scenario: Scenario,
    records: Sequence[Outturn],
    through: str | None = None,
    *,
    spec: RiskSpec | None = None,
) -> Conditioning:
    """What ``records`` (the latest of each figure and year) fix for ``scenario``, up to
    and including the year ``through`` (default: the latest year any record has)."""
    years = list(scenario.edition.years)
    kept = [o for o in records if through is None or years.index(o.year) <= years.index(through)]
    if through is None and kept:
        through = max((o.year for o in kept), key=years.index)
    spec = spec or risk_spec(scenario)
    drawn = {d.name for d in spec.distributions}
    hn_values = {**scenario.inputs.hn_funding, **scenario.inputs.hn_expenditure, **scenario.inputs.hn_savings}
    c: dict[str, Any] = {"levers": {}, "inputs": {}, "lines": {}, "net": {}, "hn_cumulative": {}, "hn_gap": {}}
    extra: dict[str, Distribution] = {}
    used: list[tuple[Outturn, str]] = []
    ignored: list[tuple[Outturn, str]] = []
    for o in kept:
        t = years.index(o.year)
        if o.what == "lever":
            merge_overrides(c["levers"], LEVERS[o.figure].override(bool(o.value)))
            used.append((o, "lever fixed as decided (the scenario re-run with it)"))
            continue
        if o.what == "driver":
            assert o.line is not None and o.driver is not None
            base = float((scenario.inputs.lines[o.line].drivers or {})[o.driver])
            if base == 0:
                ignored.append((o, "the scenario's value is 0: no multiplier of it reaches the actual"))
                continue
            if o.figure not in drawn:
                extra.setdefault(o.figure, _zero_spread(o.figure, o.line, o.driver))
            c["inputs"].setdefault(o.figure, {})[t] = o.value / base
            used.append((o, "driver fixed at the actual; a walk continues from it"))
            continue
        if o.table == "revenue" and o.row == rows.NET_BUDGET:
            c["net"][t] = o.value
            used.append((o, "net budget fixed at the actual; later years roll forward from it"))
        elif o.table == "high_needs" and o.row == rows.HN_CUMULATIVE:
            c["hn_cumulative"][t] = o.value
            used.append((o, "deficit fixed at the actual; later years add the simulated annual gaps"))
        elif o.table == "high_needs" and o.row == rows.HN_ANNUAL_GAP:
            c["hn_gap"][t] = o.value
            used.append((o, "annual gap fixed at the actual; the deficit moves with it from that year"))
        elif o.table == "high_needs" and f"high_needs.{o.row}" in drawn:
            base = float(hn_values[str(o.row)][o.year])
            if base == 0:
                ignored.append((o, "the scenario's value is 0: no multiplier of it reaches the actual"))
                continue
            c["inputs"].setdefault(f"high_needs.{o.row}", {})[t] = o.value / base
            used.append((o, "High Needs line fixed at the actual; a walk continues from it"))
        elif o.table == "cumulative" and o.row in scenario.inputs.lines:
            c["lines"].setdefault(str(o.row), {})[t] = o.value
            used.append((o, "line fixed at the actual; later years roll forward from it (and the net budget)"))
        else:
            ignored.append((o, "scored by the back-test; the re-forecast conditions on net budget, High Needs "
                            "deficit and gap, lines, drivers, drawn High Needs lines and levers"))  # fmt: skip
    return Conditioning(through=through, extra=tuple(extra.values()), used=tuple(used), ignored=tuple(ignored), **c)


def condition(evolution: str, annual: Array, fixed: Mapping[int, float]) -> Array:
    """An input's multipliers by year (m, years) with the years in ``fixed`` set to their
    realised multiplier.  ``annual`` is, for a ``walk`` or ``independent`` input, each
    year's own multiplier (before compounding), for a ``level`` its one multiplier
    (broadcast).  A walk continues from a fixed year by its later annual changes; a
    level takes the latest fixed value in every year not fixed itself."""
    out = np.array(annual, dtype=np.float64, copy=True)
    if not fixed:
        if evolution == "walk":
            np.cumprod(out, axis=1, out=out)
            np.minimum(out, MULTIPLIER_CAP, out=out)
        return out
    if evolution == "level":
        last = fixed[max(fixed)]
        for t in range(out.shape[1]):
            out[:, t] = fixed.get(t, last)
    elif evolution == "independent":
        for t, r in fixed.items():
            out[:, t] = r
    else:
        running = np.ones(out.shape[0])
        for t in range(out.shape[1]):
            running = np.full(out.shape[0], fixed[t]) if t in fixed else running * annual[:, t]
            out[:, t] = running
        np.minimum(out, MULTIPLIER_CAP, out=out)
    return out


def conditioned_factors(
    spec: RiskSpec, z: Sequence[Array] | None, m: int, c: Conditioning, t_count: int
) -> list[Array]:
    """Every input's multipliers: drawn from ``z`` (None: the scenario's own figures,
    every multiplier 1), the conditioned inputs fixed where the outturns say.  The
    reference-class multiplier of a conditioned input is 1: the realised multiplier holds
    all of its error, and later years continue from it."""
    out = []
    for k, d in enumerate(spec.distributions):
        fixed = c.inputs.get(d.name)
        if is_evidence(d) and base_name(d) in c.inputs:
            out.append(np.ones((m, t_count)))
        elif z is None:
            out.append(condition(d.evolution, np.ones((m, t_count)), fixed or {}))
        elif not fixed:
            out.append(factor(d, z[k], spec.spread_scale))
        elif d.evolution == "level":
            out.append(condition("level", factor(d, z[k], spec.spread_scale), fixed))
        elif d.evolution == "walk":  # continue by the walk's own year-on-year changes (draws.multipliers)
            path = factor(d, z[k], spec.spread_scale)
            steps = path.copy()
            steps[:, 1:] = path[:, 1:] / np.maximum(path[:, :-1], 1e-300)
            out.append(condition("walk", steps, fixed))
        else:
            out.append(condition(d.evolution, d.multiplier(z[k], spec.spread_scale), fixed))
    return out


def rolled(sim: Array, actual: Mapping[int, float]) -> tuple[Array, Array]:
    """``sim`` (m, years) with the years in ``actual`` set to it and the later years moved
    by the same amount (a stock rolled forward from the actual); and the shift added."""
    out = sim.copy()
    shift = np.zeros_like(sim)
    step: Array | None = None
    for t in range(sim.shape[1]):
        if t in actual:
            step = actual[t] - sim[:, t]
            out[:, t] = actual[t]
        elif step is not None:
            out[:, t] = sim[:, t] + step
        if step is not None:
            shift[:, t] = step
    return out, shift
