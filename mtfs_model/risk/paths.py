"""Budget risk: any figure the model produces, per trajectory, from a simulation's paths.

:func:`~mtfs_model.risk.simulate` keeps, when asked (``keep_paths=True``), each line's,
each drawn High Needs line's and each input's path by year
(:class:`~mtfs_model.risk.plan.Paths`).  Since the model is linear in the lines, every
cell of the tables the engine derives is the scenario's deterministic figure plus a sum
of those paths' changes, and :class:`Trajectories` gives it as an ``(n, years)`` array:

* ``revenue``: the net budget as simulated; the prior-year budget and the sub-total
  roll forward from the previous year's simulated net budget; growth and savings are
  the in-year change of the growth and savings lines; transfers do not vary;
* ``cumulative`` / ``in_year``: a line, a programme total, total savings, net growth;
* ``high_needs``: a line (varying only if it is drawn), the totals of its group, the
  annual gap, the cumulative deficit as simulated; the rows nothing draws (a transfer
  refused, deficits brought forward) do not vary;
* a driver (``lines.<code>.drivers.<key>``): the scenario's value times its multiplier;
* an input's multiplier by its name in the ``[risk]`` table.

Any other table (capital, CIP) is not simulated: its figures are the deterministic ones,
every trajectory alike.  At zero spread every figure is the engine's exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mtfs_model.base import rows
from mtfs_model.base.errors import InputError
from mtfs_model.engine.run import Result, run
from mtfs_model.risk.draws import Array
from mtfs_model.risk.plan import Paths
from mtfs_model.risk.simulate import RiskResult

SIMULATED_TABLES = ("revenue", "cumulative", "in_year", "high_needs")
"""The engine tables whose figures vary from trajectory to trajectory."""


def in_year(cumulative: Array) -> Array:
    """The year-on-year change of an ``(..., years)`` array (the first year as it is)."""
    out = cumulative.copy()
    out[..., 1:] = cumulative[..., 1:] - cumulative[..., :-1]
    return out


@dataclass(frozen=True)
class Trajectories:
    """Per-trajectory figures from a :class:`~mtfs_model.risk.RiskResult` whose samples
    kept their paths (``simulate(..., keep_paths=True)``); ``engine`` is the scenario's
    deterministic :class:`~mtfs_model.engine.Result` (:meth:`of` runs it)."""

    result: RiskResult
    engine: Result

    def __post_init__(self) -> None:
        if self.result.samples.paths is None:
            raise ValueError("a RiskResult simulated with keep_paths=True")

    @classmethod
    def of(cls, result: RiskResult, engine: Result | None = None) -> Trajectories:
        """The trajectories of ``result``, running the engine once for its scenario."""
        return cls(result, engine if engine is not None else run(result.scenario))

    # --- what the simulation holds ------------------------------------------------------

    @property
    def paths(self) -> Paths:
        """The simulated paths kept for the back-test (net budget and High Needs deficit by year, GBP000)."""
        paths = self.result.samples.paths
        assert paths is not None
        return paths

    @property
    def years(self) -> tuple[str, ...]:
        """The edition's fiscal years."""
        return self.result.years

    @property
    def n(self) -> int:
        """The number of trajectories."""
        return self.result.n

    def input_index(self, name: str) -> int | None:
        """The position of input ``name`` (``lines.G1.drivers.x``) in the spec, or None."""
        names = self.result.spec.names()
        return names.index(name) if name in names else None

    def hn_drawn(self) -> list[str]:
        """The High Needs lines a distribution draws, in the order of ``paths.hn_delta`` (a
        line two inputs multiply, the judgement's and the reference class's, once)."""
        return list(dict.fromkeys(d.target for d in self.result.spec.distributions if d.kind == "high_needs"))

    def _line_delta(self, codes: Sequence[str]) -> Array:
        index = [self.result.samples.lines.index(c) for c in codes]
        if not index:
            return np.zeros((self.n, len(self.years)))
        if len(index) == 1:
            return self.paths.line_delta[:, index[0], :]
        return self.paths.line_delta[:, index, :].sum(axis=1)

    def _hn_delta(self, keys: Sequence[str]) -> Array:
        drawn = self.hn_drawn()
        index = [drawn.index(k) for k in keys if k in drawn]
        if not index:
            return np.zeros((self.n, len(self.years)))
        if len(index) == 1:
            return self.paths.hn_delta[:, index[0], :]
        return self.paths.hn_delta[:, index, :].sum(axis=1)

    # --- figures -------------------------------------------------------------------------

    def deterministic(self, table: str, row: str) -> Array:
        """The scenario's deterministic figure by year (the engine's row), shape (years,)."""
        frame = getattr(self.engine, table)
        if row not in frame.index:
            raise InputError("(arguments)", f"{table}.row", f"a row of table {table}", row)
        return np.asarray(frame.loc[row, list(self.years)], dtype=np.float64)

    def simulated(self, table: str) -> bool:
        """True if figures of ``table`` vary between trajectories."""
        return table in SIMULATED_TABLES

    def figure(self, table: str, row: str) -> Array:
        """Row ``row`` of engine table ``table`` per trajectory, shape (n, years)."""
        det = self.deterministic(table, row)
        if table == "revenue":
            return self._revenue(row, det)
        if table in ("cumulative", "in_year"):
            delta = self._lines_row(row)
            return det + (in_year(delta) if table == "in_year" else delta)
        if table == "high_needs":
            return self._high_needs(row, det)
        return np.broadcast_to(det, (self.n, len(self.years)))

    def _codes(self, row: str) -> list[str]:
        lines = self.result.scenario.inputs.lines
        ed = self.result.edition
        if row in lines:
            return [row]
        if row.startswith("total:"):
            return [c for c, ln in lines.items() if ln.programme == row.removeprefix("total:")]
        if row == rows.TOTAL_SAVINGS:
            return [c for c, ln in lines.items() if ed.programme(ln.programme).kind != "growth"]
        if row == rows.NET_GROWTH:
            return list(lines)
        return []

    def _lines_row(self, row: str) -> Array:
        return self._line_delta(self._codes(row))

    def _kind_codes(self, growth: bool) -> list[str]:
        ed = self.result.edition
        lines = self.result.scenario.inputs.lines
        return [c for c, ln in lines.items() if (ed.programme(ln.programme).kind == "growth") == growth]

    def _revenue(self, row: str, det: Array) -> Array:
        net = self.result.samples.net
        if row == rows.NET_BUDGET:
            return net
        if row in (rows.PRIOR_YEAR_BUDGET, rows.SUB_TOTAL):
            out = np.empty_like(net)
            out[:, 0] = det[0]
            if row == rows.PRIOR_YEAR_BUDGET:
                out[:, 1:] = net[:, :-1]
            else:  # prior-year budget + transfers, as the roll-forward adds them
                transfers = self.deterministic("revenue", rows.TRANSFERS)
                out[:, 1:] = net[:, :-1] + transfers[1:]
            return out
        if row == rows.GROWTH:
            return det + in_year(self._line_delta(self._kind_codes(True)))
        if row == rows.SAVINGS:
            return det + in_year(self._line_delta(self._kind_codes(False)))
        return np.broadcast_to(det, net.shape)

    def _high_needs(self, row: str, det: Array) -> Array:
        inputs = self.result.scenario.inputs
        if row == rows.HN_CUMULATIVE:
            return self.result.samples.hn_deficit
        if row == rows.HN_ANNUAL_GAP:
            return det + self.paths.gap_delta
        groups = {
            rows.HN_TOTAL_EXPENDITURE: list(inputs.hn_expenditure),
            rows.HN_GAP_PRE_SAVINGS: [*inputs.hn_funding, *inputs.hn_expenditure],
            rows.HN_TOTAL_SAVINGS: list(inputs.hn_savings),
        }
        keys = groups.get(row, [row])
        return det + self._hn_delta(keys)

    def driver(self, code: str, key: str) -> Array:
        """A driver's value per trajectory (the scenario's times its multipliers: the
        input's and, in the evidence view, its reference-class multiplier), (n, years)."""
        drivers = self.result.scenario.inputs.lines[code].drivers or {}
        base = float(drivers[key])
        name = f"lines.{code}.drivers.{key}"
        ks = [k for k in (self.input_index(name), self.input_index("evidence:" + name)) if k is not None]
        if not ks:
            return np.full((self.n, len(self.years)), base)
        out = base * self.paths.factors[:, ks[0], :]
        for k in ks[1:]:
            out = out * self.paths.factors[:, k, :]
        return out

    def multiplier(self, name: str) -> Array:
        """Input ``name``'s multiplier per trajectory, (n, years)."""
        k = self.input_index(name)
        if k is None:
            raise InputError("(arguments)", "input", "an input the simulation draws", name)
        return self.paths.factors[:, k, :]
