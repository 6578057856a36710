"""Goal seek and data tables: which value of one input meets a target, and a grid of two.

A **lever** is an override path as in a scenario file (``programmes.<id>.delivery``,
``lines.<code>.drivers.<driver>``, ``high_needs.savings_delivery.<line>``,
``properties.<code>.occupancy`` ...), or a list of paths moved together.  Moving it sets
that leaf in a copy of the scenario's overrides, rebuilds the scenario and runs it.

A **target** is ``NAME`` or ``NAME:YEAR`` (``YEAR`` a column label or ``final``):

``net_budget``
    the net budget in a year (GBP000; default the final year).  Without a ``value``,
    the MTFS's own net budget that year.
``net_vs_mtfs``
    the net budget in a year less the MTFS's that year (GBP000; a contingency used).
``gap``
    the net budget above the MTFS summed over every year (GBP000).
``hn_deficit``
    the High Needs cumulative deficit at the end of a year (GBP000; default final).
``p_exceeds_mtfs``
    the simulated share (0-1) of trajectories whose final-year net budget is above the
    MTFS's (``n`` trajectories, fixed ``seed``: common random numbers, so it moves in
    steps of 1/n, monotone-ish; bracketed first, then solved on the fixed draws).

>>> solve("SCENARIO", lever="programmes.<id>.delivery", target="net_budget", bound="at_most")  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy.optimize import brentq  # type: ignore[import-untyped]

from mtfs_model.base import rows
from mtfs_model.base.display import grid_heatmap
from mtfs_model.base.errors import InputError
from mtfs_model.base.rounding import number, pct
from mtfs_model.edition.folder import Edition
from mtfs_model.engine.labels import paths_label
from mtfs_model.engine.run import Result, run
from mtfs_model.risk.simulate import CommonDraws
from mtfs_model.scenarios.compose import as_scenario, rebuild
from mtfs_model.scenarios.load import Scenario
from mtfs_model.whatif.targets import BOUNDS, TARGETS

__all__ = ["Lever", "Solution", "Target", "grid", "grid_heatmap", "make_lever", "measure", "parse_target", "solve"]

FACTOR_RANGE = (0.0, 2.0)
"""Natural range of a delivery or scale factor (share of the published profile)."""
DRIVER_MULTIPLE = 10.0
"""A driver or other positive figure ranges over 0 .. this x its baseline value."""
ARGS = "(arguments)"


def _row(frame: pd.DataFrame, row_id: str) -> pd.Series:
    """A table row by its stable id (:mod:`mtfs_model.base.rows`)."""
    return cast(pd.Series, frame.loc[row_id])


def net_budget(result: Result) -> pd.Series:
    """The net budget by year (GBP000)."""
    return _row(result.revenue, rows.NET_BUDGET).astype(float)


def hn_cumulative(result: Result) -> pd.Series:
    """The High Needs cumulative deficit by year (GBP000)."""
    return _row(result.high_needs, rows.HN_CUMULATIVE).astype(float)


_MTFS: dict[Any, Result] = {}


def mtfs_result(like: Scenario | None = None) -> Result:
    """The MTFS as published (no overrides) on the edition of ``like``, run once."""
    edition = getattr(like, "edition", None) if like is not None else None
    key = getattr(edition, "id", None)
    if key not in _MTFS:
        _MTFS[key] = run(rebuild({"scenario": {"description": "The MTFS as published"}}, like, "mtfs"))
    return _MTFS[key]


# --- levers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lever:
    """One or more override paths set to the same value, with the range they move over."""

    paths: tuple[str, ...]
    lo: float
    hi: float
    words: str = ""
    """The reader's name from the edition's own names (:func:`mtfs_model.engine.labels.paths_label`)."""

    @property
    def label(self) -> str:
        """A reader's name: :attr:`words` (``DCFSF (CF1-3) delivery``, ``G1 unit cost
        current``), else from the path (``programmes.<id>.delivery`` -> ``<id> delivery``)."""
        if self.words:
            return self.words
        parents = {p.rsplit(".", 1)[0] for p in self.paths}
        if len(self.paths) > 1 and len(parents) == 1 and self.paths[0].startswith("high_needs."):
            kind = _path_label(self.paths[0]).rsplit(" ", 1)[-1]
            tails = " + ".join(p.rsplit(".", 1)[-1].replace("_", " ") for p in self.paths)
            return f"High Needs {tails} {kind}"
        return " + ".join(_path_label(p) for p in self.paths)

    @property
    def factor(self) -> bool:
        """True when the lever is a share or factor (shown to three decimals)."""
        return self.hi - self.lo <= 10

    def fmt(self, x: float) -> str:
        """The lever's value as text."""
        return number(x, 3) if self.factor else number(x)

    def apply(self, overrides: Mapping[str, Any], x: float, file: str = ARGS) -> dict[str, Any]:
        """A deep copy of ``overrides`` with every path set to ``x``."""
        out = copy.deepcopy(dict(overrides))
        for path in self.paths:
            node = out
            parts = path.split(".")
            for i, part in enumerate(parts[:-1]):
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise InputError(file, ".".join(parts[: i + 1]), f"a table to hold {path}", child)
                node = child
            node[parts[-1]] = float(x)
        return out


def _path_label(path: str) -> str:
    parts = path.split(".")
    if parts[0] == "high_needs" and len(parts) == 3:
        kind = {"savings_delivery": "delivery", "expenditure_scale": "scale"}.get(parts[1], parts[1])
        return f"High Needs {parts[2].replace('_', ' ')} {kind}"
    rest = [p for p in parts[1:] if p != "drivers"] or parts
    return " ".join(rest)


def current_value(scenario: Scenario, path: str) -> float | None:
    """The figure an override path holds in the scenario (its override, or for a driver or
    property figure the published input); None where neither gives a number (a factor
    not overridden is 1)."""
    parts = path.split(".")
    node: Any = scenario.overrides
    for part in parts:
        node = node.get(part) if isinstance(node, Mapping) else None
    if isinstance(node, int | float) and not isinstance(node, bool):
        return float(node)
    try:
        if parts[0] == "lines" and len(parts) == 4 and parts[2] == "drivers":
            base = scenario.inputs.lines[parts[1]].drivers_base or {}
            return float(base[parts[3]])
        if parts[0] == "properties" and len(parts) in (3, 4):
            value = getattr(scenario.inputs.properties[parts[1]], parts[2])
            return float(value[parts[3]] if len(parts) == 4 else value)
    except (KeyError, AttributeError, TypeError, ValueError, IndexError):
        return None
    return None


def _natural_range(scenario: Scenario, path: str) -> tuple[float, float]:
    parts = path.split(".")
    if len(parts) < 2 or not all(parts):
        raise InputError(ARGS, "lever", "an override path such as programmes.<id>.delivery", path)
    leaf = parts[-1]
    if leaf in ("occupancy", "discount_rate"):
        return 0.0, 1.0
    if leaf in ("delivery", "scale") or parts[:2] in (
        ["high_needs", "savings_delivery"],
        ["high_needs", "expenditure_scale"],
    ):
        return FACTOR_RANGE
    value = current_value(scenario, path)
    if value is None or value <= 0:
        raise InputError(ARGS, "lever", f"lo and hi for {path} (no positive baseline value to range over)", value)
    return 0.0, DRIVER_MULTIPLE * value


def make_lever(
    scenario: Scenario, paths: str | Sequence[str], lo: float | None = None, hi: float | None = None
) -> Lever:
    """A :class:`Lever` over ``paths`` with its natural range, or ``lo``/``hi`` if given."""
    ps = (paths,) if isinstance(paths, str) else tuple(paths)
    if not ps or not all(isinstance(p, str) for p in ps):
        raise InputError(ARGS, "lever", "an override path or a list of them", paths)
    ranges = [_natural_range(scenario, p) for p in ps] if lo is None or hi is None else []
    low = float(lo) if lo is not None else max(r[0] for r in ranges)
    high = float(hi) if hi is not None else min(r[1] for r in ranges)
    if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        raise InputError(ARGS, "lo/hi", "finite numbers with lo < hi", (low, high))
    return Lever(ps, low, high, paths_label(scenario.edition, ps)[0])


# --- targets -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What to measure in a run: a name of :data:`TARGETS` and the year (a column label)."""

    name: str
    year: str
    n: int = 2000
    seed: int = 1
    horizon: int = 0
    """How many years the MTFS covers (for the ``gap`` phrase)."""

    @property
    def money(self) -> bool:
        """True for GBP000 targets, False for the probability."""
        return self.name != "p_exceeds_mtfs"

    def fmt(self, x: float) -> str:
        """A figure of this target as text (GBP000 with separators, or a percentage)."""
        return f"{number(x)}" if self.money else f"{pct(x)}"

    @property
    def phrase(self) -> str:
        """What the target is, in words."""
        return {
            "net_budget": f"the {self.year} net budget",
            "net_vs_mtfs": f"the {self.year} net budget above the MTFS",
            "gap": f"the net budget above the MTFS over {self.horizon} years",
            "hn_deficit": f"the High Needs cumulative deficit by the end of {self.year}",
            "p_exceeds_mtfs": (
                f"the chance the {self.year} net budget exceeds the MTFS (n={self.n:,}, seed {self.seed})"
            ),
        }[self.name]

    def default_value(self, like: Scenario | None = None) -> float:
        """The value aimed at when none is given (the MTFS for money targets)."""
        if self.name == "net_budget":
            return float(net_budget(mtfs_result(like))[self.year])
        if self.name in ("net_vs_mtfs", "gap"):
            return 0.0
        raise InputError(ARGS, "value", f"a value for target {self.name}", show_got=False)


def parse_target(spec: str | Target, like: Scenario | None = None, *, n: int = 2000, seed: int = 1) -> Target:
    """Parse ``NAME`` or ``NAME:YEAR`` (``YEAR`` a year label of ``like``'s edition, or
    ``final``)."""
    if isinstance(spec, Target):
        return spec
    if not isinstance(spec, str):
        raise InputError(ARGS, "target", "NAME or NAME:YEAR, NAME one of " + ", ".join(TARGETS), spec)
    name, _, year = spec.partition(":")
    years = [str(c) for c in mtfs_result(like).revenue.columns]
    if name not in TARGETS:
        raise InputError(ARGS, "target", "one of " + ", ".join(TARGETS), name)
    year = year.strip() or "final"
    if year == "final":
        year = years[-1]
    if year not in years or (name in ("gap", "p_exceeds_mtfs") and year != years[-1]):
        allowed = ["final"] if name in ("gap", "p_exceeds_mtfs") else [*years, "final"]
        raise InputError(ARGS, "target", f"a year of {name}: one of " + ", ".join(allowed), year)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError(ARGS, "n", "a whole number >= 1", n)
    return Target(name, year, n, seed, len(years))


def measure(scenario: Scenario, t: Target, draws: CommonDraws | None = None) -> float:
    """The target's figure for one scenario (GBP000, or a share for the probability:
    ``simulate(scenario, t.n, t.seed).p_exceeds_mtfs``, evaluated on ``draws`` -- the
    common random numbers a goal seek or data table draws once -- when given)."""
    if t.name == "p_exceeds_mtfs":
        return (draws or CommonDraws(t.n, t.seed)).p_exceeds_mtfs(scenario)
    result = run(scenario)
    if t.name == "hn_deficit":
        return float(hn_cumulative(result)[t.year])
    net, mtfs = net_budget(result), net_budget(mtfs_result(scenario))
    if t.name == "net_budget":
        return float(net[t.year])
    if t.name == "net_vs_mtfs":
        return float(net[t.year] - mtfs[t.year])
    return float((net - mtfs).sum())


def _moved(scenario: Scenario, levers: Sequence[tuple[Lever, float]]) -> Scenario:
    raw: Mapping[str, Any] = scenario.overrides
    file = f"<{scenario.name}>"
    for lv, x in levers:
        raw = lv.apply(raw, x, file)
    return rebuild(raw, scenario, scenario.name)


# --- solve ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Solution:
    """What :func:`solve` found: the lever's ``value`` and the target it ``achieved``.

    ``goal`` is the figure aimed at and ``bound`` how (``equal``, ``at_most``,
    ``at_least``); ``iterations`` counts the model runs (simulations for a probability);
    ``scenario`` is the scenario with the lever at ``value``.
    """

    lever: str
    value: float
    target: str
    goal: float
    bound: str
    achieved: float
    iterations: int
    lo: float
    hi: float
    sentence: str
    scenario: Scenario = field(repr=False)

    def __repr__(self) -> str:
        return self.sentence

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.sentence)}</p>"


def _bracket(g: Callable[[float], float], lo: float, hi: float, points: int = 9) -> tuple[float, float] | None:
    """Two neighbouring points of an even grid over [lo, hi] where ``g`` changes sign."""
    xs = [float(x) for x in np.linspace(lo, hi, points)]
    ends = [(xs[0], g(xs[0])), (xs[-1], g(xs[-1]))]
    if ends[0][1] == 0 or ends[1][1] == 0 or (ends[0][1] < 0) != (ends[1][1] < 0):
        return lo, hi
    prev = ends[0]
    for x in xs[1:-1]:
        gx = g(x)
        if gx == 0 or (gx < 0) != (prev[1] < 0):
            return prev[0], x
        prev = (x, gx)
    return None


def _unreachable(
    scenario: Scenario, lv: Lever, t: Target, f: Callable[[float], float], goal: float, bound: str
) -> InputError:
    a, b = f(lv.lo), f(lv.hi)
    return InputError(
        f"<{scenario.name}>",
        ",".join(lv.paths),
        f"a value in its range {lv.fmt(lv.lo)}..{lv.fmt(lv.hi)} at which {t.phrase} {BOUNDS[bound]} "
        f"{t.fmt(goal)} (unreachable), got {t.fmt(a)} at {lv.fmt(lv.lo)} and {t.fmt(b)} at {lv.fmt(lv.hi)}",
        show_got=False,
    )


def _to_feasible_side(g: Callable[[float], float], x: float, a: float, b: float, bound: str, tol: float) -> float:
    """Nudge a root ``x`` towards the bracket end where the bound holds (g <= 0 for at_most)."""
    sign = 1.0 if bound == "at_most" else -1.0
    ok = a if sign * g(a) <= 0 else b
    step = tol
    for _ in range(80):
        if sign * g(x) <= 0:
            return x
        x = min(max(x + math.copysign(step, ok - x), min(a, b)), max(a, b))
        step *= 2
    return ok


def solve(
    scenario: Any = "baseline",
    *,
    lever: str | Sequence[str],
    target: str | Target = "net_budget",
    value: float | None = None,
    bound: str = "equal",
    lo: float | None = None,
    hi: float | None = None,
    n: int = 2000,
    seed: int = 1,
    edition: Edition | None = None,
) -> Solution:
    """The lever value at which the target reaches ``value`` (Excel's Goal Seek).

    ``bound="at_most"``/``"at_least"`` returns the edge of the region where the target is
    at most/at least ``value`` (e.g. the smallest delivery that keeps the net budget
    within the MTFS).  The lever moves over its natural range (factors 0-2, occupancy
    0-1, drivers 0-10x baseline) or ``lo``..``hi``; brentq finds the crossing on a
    bracket (the range, or a sub-interval of a 9-point scan).  ``n``/``seed`` fix the
    simulation of ``p_exceeds_mtfs``.  Raises :class:`InputError` if the target does not
    change side within the range, naming the lever, the range and the target at both ends.
    ``edition``: the edition a scenario name or dict is read against (default: bundled).
    """
    base = as_scenario(scenario, edition=edition)
    t = parse_target(target, base, n=n, seed=seed)
    if bound not in BOUNDS:
        raise InputError(ARGS, "bound", "one of " + ", ".join(BOUNDS), bound)
    lv = make_lever(base, lever, lo, hi)
    goal = t.default_value(base) if value is None else float(value)
    cache: dict[float, float] = {}
    draws = CommonDraws(t.n, t.seed) if t.name == "p_exceeds_mtfs" else None

    def f(x: float) -> float:
        if x not in cache:
            cache[x] = measure(_moved(base, [(lv, x)]), t, draws)
        return cache[x]

    def g(x: float) -> float:
        return f(float(x)) - goal

    bracket = _bracket(g, lv.lo, lv.hi)
    if bracket is None:
        raise _unreachable(base, lv, t, f, goal, bound)
    a, b = bracket
    tol = (lv.hi - lv.lo) * (1e-6 if t.name == "p_exceeds_mtfs" else 1e-12)
    x = a if g(a) == 0 else b if g(b) == 0 else float(brentq(g, a, b, xtol=tol))
    if bound != "equal":
        x = _to_feasible_side(g, x, a, b, bound, tol)
    achieved = f(x)
    verb = "brings" if bound == "equal" else "keeps"
    sentence = (
        f"{lv.label} {lv.fmt(x)} {verb} {t.phrase} {'to' if bound == 'equal' else 'at'} {t.fmt(achieved)} "
        f"(target {BOUNDS[bound]} {t.fmt(goal)})"
    )
    return Solution(
        lever=lv.label,
        value=x,
        target=f"{t.name}:{t.year}",
        goal=goal,
        bound=bound,
        achieved=achieved,
        iterations=len(cache),
        lo=lv.lo,
        hi=lv.hi,
        sentence=sentence,
        scenario=_moved(base, [(lv, x)]),
    )


# --- data tables -----------------------------------------------------------------------------


def grid(
    scenario: Any,
    levers: Mapping[str | tuple[str, ...], Sequence[float]],
    target: str | Target = "net_budget",
    *,
    n: int = 2000,
    seed: int = 1,
    edition: Edition | None = None,
) -> pd.DataFrame:
    """A one- or two-way data table (Excel's What-If Data Table) of the target.

    ``levers`` maps one or two lever paths (a tuple of paths moves them together) to the
    values to try.  Rows are the first lever's values; columns the second's, or one
    column named after the target.  Figures in GBP000 (a share for ``p_exceeds_mtfs``);
    ``frame.attrs`` holds the target, its phrase and unit, and the lever labels.
    """
    base = as_scenario(scenario, edition=edition)
    t = parse_target(target, base, n=n, seed=seed)
    if not 1 <= len(levers) <= 2:
        raise InputError(ARGS, "levers", "one or two levers", len(levers))
    specs = []
    for paths, values in levers.items():
        vals = [float(v) for v in values]
        if not vals:
            raise InputError(ARGS, f"levers.{paths}", "at least one value", show_got=False)
        specs.append((make_lever(base, paths, min(vals) - 1.0, max(vals) + 1.0), vals))
    (first, row_values), *rest = specs
    cols = rest[0][1] if rest else [math.nan]
    table = np.empty((len(row_values), len(cols)))
    draws = CommonDraws(t.n, t.seed) if t.name == "p_exceeds_mtfs" else None
    for i, x in enumerate(row_values):
        for j, y in enumerate(cols):
            moves = [(first, x)] + ([(rest[0][0], y)] if rest else [])
            table[i, j] = measure(_moved(base, moves), t, draws)
    columns = pd.Index(cols, name=rest[0][0].label) if rest else pd.Index([t.phrase])
    frame = pd.DataFrame(table, index=pd.Index(row_values, name=first.label), columns=columns)
    frame.attrs = {
        "target": f"{t.name}:{t.year}",
        "phrase": t.phrase,
        "unit": "GBP000" if t.money else "share",
        "levers": [" + ".join(lv.paths) for lv, _ in specs],
        "scenario": base.name,
    }
    return frame
