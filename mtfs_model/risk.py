"""Budget risk: a vectorised Monte Carlo and sensitivity analysis over the whole MTFS.

:func:`simulate` draws every uncertain input at once for ``n`` trajectories -- each
growth line's drivers (G1 unit costs, G4 step, G6 cases and cost a case) or scale, each
savings line's or programme's delivery, and the High Needs lines -- from the
distributions declared in ``data/risk.toml`` (every default with a ``source`` or a
``reason``), overridden by a scenario's ``[risk]`` table.  Each input is a MULTIPLIER of
what the scenario assumes, so at zero spread the simulation is :func:`~mtfs_model.run`
exactly.

How it stays fast and exact:

* The model is linear in the lines: a trajectory's net budget is the scenario's
  deterministic net plus the sum of every line's change, and its High Needs deficit the
  deterministic deficit plus the running sum of the lines' changes.  So the engine runs
  once, and each trajectory costs a few numpy operations on arrays shaped
  ``(n, years)`` -- no Python loop over trajectories, no pandas in the hot path.
* Memory is bounded by ``chunk_size`` trajectories at a time; the per-trajectory outputs
  kept for exact percentiles are a few float64 arrays (about 160 MB for a million).
* Draws never depend on chunking.  Trajectories fall in fixed blocks of
  :data:`BLOCK_SIZE`; input *k*'s normals for block *b* come from their own stream,
  ``SeedSequence(seed, spawn_key=(b, *name_k))`` (an SFC64 generator), and a chunk
  takes the rows it needs.  Keying the stream by the input's name also means two
  scenarios with the same seed share their draws input by input (common random
  numbers), so their difference is not sampling noise.
* Correlation is a Gaussian copula: the standard normal shocks of correlated inputs are
  mixed by the Cholesky factor of the declared correlation matrix (validated positive
  semi-definite), one connected group of inputs at a time, with explicit element-wise
  arithmetic so that every trajectory's result is bit-for-bit independent of the chunk.

A simulated line is ``(scenario line + driver change) x line multiplier x programme
multiplier``: a multiplier scales the line as its drivers leave it.  (A scenario's
``[lines] scale`` scales the profile before its driver change; the two agree unless one
line has both.)  High Needs lines are multiplied likewise and feed the annual gap and the
cumulative deficit; they do not touch the net budget (the DSG is ring-fenced).  A default
whose median is not 1 (DCFSF delivery, centred on the programme's own GBP9.3m estimate) is
re-based to a median of 1, its spread kept in proportion, for a scenario that sets that
figure itself, so that the view is not applied twice.

Money is GBP000 as the papers print it; savings negative; years ``2021/22`` ...
``2024/25``.

>>> from mtfs_model.risk import simulate
>>> r = simulate("baseline", n=10_000, seed=1)
>>> r.net_budget        # P5, P10, P50, P90, P95 of the net budget by year (GBP000)
>>> r.p_exceeds_mtfs    # P(2024/25 net budget > the published MTFS)
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from . import high_needs, revenue
from .data import DATA_DIR, Baseline, cell, check_keys, load_baseline, number, read_toml
from .engine import run
from .errors import InputError
from .report import to_text
from .scenarios import (
    DRIVER_META,
    PROGRAMMES,
    LineInput,
    ModelInputs,
    Scenario,
    baseline_inputs,
    load_scenario,
    scenario_from_dict,
)
from .years import YEARS

Array = npt.NDArray[np.float64]

RISK_FILE = DATA_DIR / "risk.toml"
NEWTON_FILE = DATA_DIR / "newton.toml"
PERCENTILES: tuple[float, ...] = (5.0, 10.0, 50.0, 90.0, 95.0)
PERCENTILE_LABELS: tuple[str, ...] = ("P5", "P10", "P50", "P90", "P95")
BLOCK_SIZE = 16_384
"""Trajectories per random-stream block: fixed, so draws never depend on the chunk size."""
DEFAULT_CHUNK_SIZE = 131_072
"""Trajectories evaluated at once (8 blocks): about 60 MB of temporaries."""
Z90 = NormalDist().inv_cdf(0.9)
"""The standard normal's 90th percentile, 1.2816: P10/P90 sit this many z from the median."""
SHAPES = ("normal", "lognormal")
EVOLUTIONS = ("level", "walk", "independent")
DIST_KEYS = {"shape", "evolution", "p10", "p50", "p90", "min", "max", "source", "reason"}
TOP_KEYS = {"spread_scale", "lines", "programmes", "high_needs", "correlation"}
CORRELATION_KEYS = {"between", "rho", "source", "reason"}
NET = "Proposed/provisional net budget"
T = len(YEARS)


# --- Declared distributions -----------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    """One uncertain input: a multiplier of the scenario's figure, by its P10/P50/P90.

    ``name`` is its path in a ``[risk]`` table (``lines.G1.drivers.unit_cost_current_gbp_week``,
    ``lines.CF5.delivery``, ``programmes.DCFSF.delivery``, ``high_needs.placement_costs``);
    ``kind`` is ``driver``, ``line``, ``programme`` or ``high_needs`` and ``target`` the
    line code, programme or High Needs line it multiplies (``driver`` the driver's key).
    """

    name: str
    kind: str
    target: str
    driver: str | None
    label: str
    shape: str
    evolution: str
    p10: float
    p50: float
    p90: float
    minimum: float
    maximum: float
    origin: str
    note: str

    def sides(self, spread_scale: float = 1.0) -> tuple[float, float]:
        """Spread per unit z below and above the median (multiplier units for a normal,
        log units for a lognormal), times ``spread_scale``."""
        if self.shape == "lognormal":
            lo, hi = math.log(self.p50 / self.p10), math.log(self.p90 / self.p50)
        else:
            lo, hi = self.p50 - self.p10, self.p90 - self.p50
        return lo / Z90 * spread_scale, hi / Z90 * spread_scale

    def multiplier(self, z: Array, spread_scale: float = 1.0) -> Array:
        """The multiplier for standard normal draws ``z`` (any shape): the two-piece
        normal or lognormal through P10/P50/P90, clipped to [min, max]."""
        lo, hi = self.sides(spread_scale)
        step = z * lo if lo == hi else z * np.where(z < 0.0, lo, hi)
        f = self.p50 + step if self.shape == "normal" else self.p50 * np.exp(step)
        f = np.maximum(f, self.minimum)
        if math.isfinite(self.maximum):
            f = np.minimum(f, self.maximum)
        return np.asarray(f, dtype=np.float64)

    def stream_key(self) -> tuple[int, ...]:
        """The name as integers: with the block index, the spawn key of this input's draws."""
        return tuple(self.name.encode())


@dataclass(frozen=True)
class RiskSpec:
    """Every distribution a simulation draws from, with their correlation.

    ``groups`` lists each connected group of correlated inputs (indices into
    ``distributions``) with a square matrix ``A`` such that ``A @ A.T`` is the group's
    correlation matrix (its Cholesky factor, or a symmetric square root when the matrix
    is only semi-definite).
    """

    distributions: tuple[Distribution, ...]
    correlation: Array
    spread_scale: float
    groups: tuple[tuple[tuple[int, ...], Array], ...]

    def names(self) -> list[str]:
        return [d.name for d in self.distributions]

    def table(self) -> pd.DataFrame:
        """The distributions as a table (multipliers; source or reason as text)."""
        rows = {
            d.name: {
                "label": d.label,
                "shape": d.shape,
                "evolution": d.evolution,
                "p10_pct": d.p10,
                "p50_pct": d.p50,
                "p90_pct": d.p90,
                "from": d.origin,
                "source or reason": d.note,
            }
            for d in self.distributions
        }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("input")


def _where(prefix: str, rest: str) -> str:
    return f"{prefix}.{rest}" if prefix else rest


def _note(table: Mapping[str, Any]) -> str:
    parts = []
    src = table.get("source")
    if isinstance(src, Mapping):
        parts.append(f'{src.get("doc", "")}, {src.get("ref", "")}: "{src.get("grep", "")}"')
    elif isinstance(src, str):
        parts.append(src)
    if table.get("reason"):
        parts.append(str(table["reason"]))
    return " -- ".join(parts)


def _check_note(table: Mapping[str, Any], file: Path, where: str, require: bool) -> None:
    if "source" in table:
        src = table["source"]
        ok = isinstance(src, str) and bool(src.strip())
        if isinstance(src, Mapping):
            ok = all(isinstance(src.get(k), str) for k in ("doc", "ref", "grep"))
        if not ok:
            raise InputError(file, f"{where}.source", "a table { doc, ref, grep } or a string", src)
    if "reason" in table and not (isinstance(table["reason"], str) and table["reason"].strip()):
        raise InputError(file, f"{where}.reason", "a non-empty string", table["reason"])
    if require and "source" not in table and "reason" not in table:
        raise InputError(file, f"{where}.reason", "a source or a reason for every default", show_got=False)


def _dist_table(raw: Any, file: Path, where: str, require_note: bool) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise InputError(file, where, "a table of shape, evolution, p10, p50, p90 (multipliers)", raw)
    check_keys(raw, DIST_KEYS, file, where)
    out = dict(raw)
    if "shape" in raw and raw["shape"] not in SHAPES:
        raise InputError(file, f"{where}.shape", "one of " + ", ".join(SHAPES), raw["shape"])
    if "evolution" in raw and raw["evolution"] not in EVOLUTIONS:
        raise InputError(file, f"{where}.evolution", "one of " + ", ".join(EVOLUTIONS), raw["evolution"])
    for k in ("p10", "p50", "p90", "min", "max"):
        if k in raw:
            out[k] = number(raw[k], file, f"{where}.{k}", minimum=0.0)
    _check_note(raw, file, where, require_note)
    return out


def variable_drivers(line: LineInput) -> list[str]:
    """The drivers of a line that a distribution may vary: numeric, not metadata, and
    ones the line's driver model can evaluate on arrays (not the budgeted unit cost it
    branches on, which is a definition, not a forecast)."""
    drivers = line.drivers or line.drivers_base
    if not drivers:
        return []
    out = []
    for key, value in drivers.items():
        if key in DRIVER_META or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        trial = dict(drivers)
        trial[key] = np.array([float(value), float(value) * 1.5 + 1.0])
        try:
            implied = revenue.driver_implied(trial)
        except (ValueError, TypeError):
            continue
        if implied is not None:
            out.append(key)
    return out


@dataclass
class _Partial:
    """A validated but not yet merged risk table: distributions by name, correlations."""

    file: Path
    prefix: str
    dists: dict[str, dict[str, Any]] = field(default_factory=dict)
    correlation: list[tuple[str, str, float, str]] = field(default_factory=list)
    spread_scale: float | None = None


def _parse(raw: Any, inputs: ModelInputs, file: Path, prefix: str, require_note: bool) -> _Partial:
    """Check a ``[risk]`` table's keys and types (a scenario's, or the defaults file)."""
    if not isinstance(raw, Mapping):
        raise InputError(file, prefix or "(file)", "a [risk] table", raw)
    check_keys(raw, TOP_KEYS, file, prefix)
    part = _Partial(file, prefix)
    if "spread_scale" in raw:
        part.spread_scale = number(raw["spread_scale"], file, _where(prefix, "spread_scale"))
        if part.spread_scale < 0:
            raise InputError(
                file, _where(prefix, "spread_scale"), "a spread >= 0 (0 = no uncertainty)", raw["spread_scale"]
            )

    def table(value: Any, where: str, what: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise InputError(file, where, what, value)
        return value

    for code, spec in table(raw.get("lines", {}), _where(prefix, "lines"), "a table of line codes").items():
        where = _where(prefix, f"lines.{code}")
        if code not in inputs.lines:
            raise InputError(file, where, "a line code, one of " + ", ".join(inputs.lines), show_got=False)
        line = inputs.lines[code]
        factor = "scale" if line.kind == "growth" else "delivery"
        spec = table(spec, where, f"a table with {factor}" + (" or drivers" if line.drivers_base else ""))
        check_keys(spec, {factor, "drivers"} if line.drivers_base else {factor}, file, where)
        if factor in spec:
            part.dists[f"lines.{code}.{factor}"] = _dist_table(spec[factor], file, f"{where}.{factor}", require_note)
        if "drivers" in spec:
            drivers = table(spec["drivers"], f"{where}.drivers", "a table of drivers")
            check_keys(drivers, set(variable_drivers(line)), file, f"{where}.drivers")
            for key, dist in drivers.items():
                name = f"lines.{code}.drivers.{key}"
                part.dists[name] = _dist_table(dist, file, _where(prefix, name), require_note)

    for prog, spec in table(raw.get("programmes", {}), _where(prefix, "programmes"), "a table").items():
        where = _where(prefix, f"programmes.{prog}")
        if prog not in PROGRAMMES:
            raise InputError(file, where, "a programme, one of " + ", ".join(PROGRAMMES), show_got=False)
        factor = "scale" if prog == "growth" else "delivery"
        spec = table(spec, where, f"a table with {factor}")
        check_keys(spec, {factor}, file, where)
        if factor in spec:
            part.dists[f"programmes.{prog}.{factor}"] = _dist_table(
                spec[factor], file, f"{where}.{factor}", require_note
            )

    hn_lines = [*inputs.hn_funding, *inputs.hn_expenditure, *inputs.hn_savings]
    for key, dist in table(raw.get("high_needs", {}), _where(prefix, "high_needs"), "a table").items():
        where = _where(prefix, f"high_needs.{key}")
        if key not in hn_lines:
            raise InputError(file, where, "a High Needs line, one of " + ", ".join(hn_lines), show_got=False)
        part.dists[f"high_needs.{key}"] = _dist_table(dist, file, where, require_note)

    entries = raw.get("correlation", [])
    if not isinstance(entries, list):
        raise InputError(file, _where(prefix, "correlation"), "a list of [[correlation]] tables", entries)
    seen: set[frozenset[str]] = set()
    for i, entry in enumerate(entries):
        where = _where(prefix, f"correlation[{i}]")
        entry = table(entry, where, "a table with between = [a, b] and rho")
        check_keys(entry, CORRELATION_KEYS, file, where)
        pair = entry.get("between")
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            raise InputError(file, f"{where}.between", "a list of two input names", pair)
        if pair[0] == pair[1]:
            raise InputError(file, f"{where}.between", "two different inputs", pair)
        if frozenset(pair) in seen:
            raise InputError(file, f"{where}.between", "each pair of inputs once", pair)
        seen.add(frozenset(pair))
        if "rho" not in entry:
            raise InputError(file, f"{where}.rho", "a correlation from -1 to 1", show_got=False)
        rho = number(entry["rho"], file, f"{where}.rho", minimum=-1.0, maximum=1.0)
        _check_note(entry, file, where, require_note)
        part.correlation.append((pair[0], pair[1], rho, where))
    return part


@lru_cache(maxsize=4)
def _defaults_raw(path: str) -> dict[str, Any]:
    return read_toml(Path(path))


def _label(name: str, inputs: ModelInputs, hn_labels: Mapping[str, str]) -> tuple[str, str, str | None, str]:
    parts = name.split(".")
    if parts[0] == "lines":
        line = inputs.lines[parts[1]]
        if parts[2] == "drivers":
            return "driver", parts[1], parts[3], f"{parts[1]} {line.title}: {parts[3]}"
        return "line", parts[1], None, f"{parts[1]} {line.title} ({parts[2]})"
    if parts[0] == "programmes":
        return "programme", parts[1], None, f"{parts[1]} programme ({parts[2]})"
    return "high_needs", parts[1], None, f"High Needs: {hn_labels.get(parts[1], parts[1])}"


def _scenario_sets(kind: str, target: str, driver: str | None, inputs: ModelInputs) -> bool:
    """Whether the scenario changed, from the published MTFS, the figure an input multiplies."""

    def changed(line: LineInput) -> bool:
        return line.profile != line.published or line.drivers != line.drivers_base

    if kind == "driver":
        line = inputs.lines[target]
        return (line.drivers or {}).get(str(driver)) != (line.drivers_base or {}).get(str(driver))
    if kind == "line":
        return changed(inputs.lines[target])
    if kind == "programme":
        return any(changed(ln) for ln in inputs.lines.values() if ln.programme == target)
    published = baseline_inputs()
    now = {**inputs.hn_funding, **inputs.hn_expenditure, **inputs.hn_savings}
    before = {**published.hn_funding, **published.hn_expenditure, **published.hn_savings}
    return now.get(target) != before.get(target)


def _build(
    defaults: _Partial, override: _Partial | None, inputs: ModelInputs, hn_labels: Mapping[str, str]
) -> RiskSpec:
    """Merge a scenario's [risk] over the defaults (key by key) and check the whole."""
    over = override or _Partial(defaults.file, "risk")
    names = list(defaults.dists) + [n for n in over.dists if n not in defaults.dists]
    dists = []
    for name in names:
        base, mine = defaults.dists.get(name, {}), over.dists.get(name, {})
        merged = {**base, **mine}

        def blame(*keys: str, name: str = name, mine: Mapping[str, Any] = mine) -> tuple[Path, str]:
            """The file and key to name: the scenario's if it set one of ``keys`` (or
            declared the input itself), else the defaults file's."""
            for k in keys:
                if k in mine:
                    return over.file, _where(over.prefix, f"{name}.{k}")
            if name not in defaults.dists:
                return over.file, _where(over.prefix, f"{name}.{keys[0]}")
            return defaults.file, _where(defaults.prefix, f"{name}.{keys[0]}")

        for k in ("p10", "p90"):
            if k not in merged:
                file, where = blame(k)
                raise InputError(file, where, "p10 and p90 (multipliers of the scenario's figure)", show_got=False)
        p10, p50, p90 = merged["p10"], merged.get("p50", 1.0), merged["p90"]
        if not p10 <= p50 <= p90:
            keys = ("p90", "p10", "p50") if p10 > p90 else ("p50", "p10", "p90")
            file, where = blame(*keys)
            raise InputError(
                file, where, f"p10 <= p50 <= p90 (here p10 {p10:g}, p50 {p50:g}, p90 {p90:g})", show_got=False
            )
        shape = merged.get("shape", "normal")
        if shape == "lognormal" and p10 <= 0:
            file, where = blame("p10", "shape")
            raise InputError(file, where, "a number > 0 for a lognormal (a log of 0)", p10)
        lo, hi = merged.get("min", 0.0), merged.get("max", math.inf)
        if lo > p10:
            file, where = blame("min", "p10")
            raise InputError(file, where, f"min <= p10 (here min {lo:g}, p10 {p10:g})", show_got=False)
        if hi < p90:
            file, where = blame("max", "p90")
            raise InputError(file, where, f"max >= p90 (here max {hi:g}, p90 {p90:g})", show_got=False)
        kind, target, driver, label = _label(name, inputs, hn_labels)
        note, origin = _note(merged), over.file.name if mine else defaults.file.name
        if not mine and p50 not in (0.0, 1.0) and _scenario_sets(kind, target, driver, inputs):
            # a default's median away from 1 is a view of the central figure (DCFSF: the
            # programme's own estimate); a scenario that sets that figure itself replaces
            # the view, keeping the spread in proportion, so the view is not applied twice
            p10, p90, lo, hi, p50 = p10 / p50, p90 / p50, lo / p50, hi / p50, 1.0
            note = "Re-based to the scenario's own figure (P50 = 1, spread in proportion). " + note
            origin += " (re-based)"
        dists.append(
            Distribution(
                name=name,
                kind=kind,
                target=target,
                driver=driver,
                label=label,
                shape=shape,
                evolution=merged.get("evolution", "level"),
                p10=p10,
                p50=p50,
                p90=p90,
                minimum=lo,
                maximum=hi,
                origin=origin,
                note=note,
            )
        )

    index = {d.name: i for i, d in enumerate(dists)}
    pairs: dict[frozenset[str], tuple[str, str, float, str, Path]] = {}
    for part in (defaults, over):
        for a, b, rho, where in part.correlation:
            for n in (a, b):
                if n not in index:
                    raise InputError(part.file, f"{where}.between", "inputs declared, one of " + ", ".join(index), n)
            pairs[frozenset((a, b))] = (a, b, rho, where, part.file)
    size = len(dists)
    corr = np.eye(size)
    for a, b, rho, _, _ in pairs.values():
        corr[index[a], index[b]] = corr[index[b], index[a]] = rho
    if size:
        smallest = float(np.linalg.eigvalsh(corr).min())
        if smallest < -1e-10:
            file = over.file if over.correlation else defaults.file
            prefix = over.prefix if over.correlation else defaults.prefix
            raise InputError(
                file,
                _where(prefix, "correlation"),
                "correlations that make a positive semi-definite matrix "
                f"(these give an eigenvalue of {smallest:.3g}; lower some of them)",
                show_got=False,
            )
    spread = over.spread_scale if over.spread_scale is not None else defaults.spread_scale
    return RiskSpec(tuple(dists), corr, 1.0 if spread is None else spread, _groups(corr))


def _groups(corr: Array) -> tuple[tuple[tuple[int, ...], Array], ...]:
    """Connected groups of correlated inputs, each with a square root of its matrix."""
    k = corr.shape[0]
    parent = list(range(k))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(k):
        for j in range(i + 1, k):
            if corr[i, j] != 0.0:
                parent[find(j)] = find(i)
    members: dict[int, list[int]] = {}
    for i in range(k):
        members.setdefault(find(i), []).append(i)
    out = []
    for idx in members.values():
        if len(idx) == 1:
            continue
        sub = corr[np.ix_(idx, idx)]
        try:
            root = np.linalg.cholesky(sub)
        except np.linalg.LinAlgError:  # semi-definite (e.g. rho = 1): symmetric square root
            w, v = np.linalg.eigh(sub)
            root = v * np.sqrt(np.clip(w, 0.0, None))
        out.append((tuple(idx), np.asarray(root, dtype=np.float64)))
    return tuple(out)


def _scenario_file(scenario: Scenario) -> Path:
    return scenario.path or Path(f"<{scenario.name}>")


def check_risk(raw: Any, inputs: ModelInputs, file: Path) -> RiskSpec:
    """Validate a scenario's ``[risk]`` table against the defaults and return the spec.

    Raises :class:`InputError` naming the file and key: an unknown key or input, a
    negative spread or multiplier, P10 > P50 or P50 > P90, a min above the P10, a
    correlation outside [-1, 1], or correlations that are not positive semi-definite.
    """
    b = load_baseline()
    defaults = _parse(_defaults_raw(str(RISK_FILE)), inputs, RISK_FILE, "", True)
    override = _parse(raw, inputs, file, "risk", False) if raw is not None else None
    return _build(defaults, override, inputs, b.high_needs["forecast"]["labels"])


def risk_spec(scenario: Scenario) -> RiskSpec:
    """The distributions a scenario simulates: ``data/risk.toml`` with its ``[risk]`` over them."""
    return check_risk(scenario.overrides.get("risk"), scenario.inputs, _scenario_file(scenario))


# --- The vectorised model ---------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """Everything the hot path needs, computed once from one deterministic run."""

    spec: RiskSpec
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
    dcfsf: tuple[int, ...]
    floor: float


def guarantee_floor() -> float:
    """The Newton Europe guaranteed annual benefit, GBP000 (``data/newton.toml``)."""
    raw = read_toml(NEWTON_FILE)
    return number(raw.get("guarantee", {}).get("floor"), NEWTON_FILE, "guarantee.floor", minimum=0.0)


def _plan(scenario: Scenario, spec: RiskSpec, baseline: Baseline) -> _Plan:
    result = run(scenario, baseline=baseline)
    published = run(scenario_from_dict({"scenario": {"description": "the published MTFS"}}, name="mtfs"), baseline)
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
            hn_factors.append((k, np.array([hn_groups[d.target][y] for y in YEARS], dtype=np.float64)))
    drivers = {c: dict(inputs.lines[c].drivers or {}) for c in driver_factors}
    implied_base = {c: revenue.driver_implied(drivers[c]) or {} for c in driver_factors}
    return _Plan(
        spec=spec,
        line_codes=codes,
        det_lines={c: result.cumulative.loc[c, list(YEARS)].to_numpy(dtype=np.float64) for c in codes},
        det_net=result.revenue.loc[NET, list(YEARS)].to_numpy(dtype=np.float64),
        mtfs_net=published.revenue.loc[NET, list(YEARS)].to_numpy(dtype=np.float64),
        det_hn=result.high_needs.loc[high_needs.CUMULATIVE, list(YEARS)].to_numpy(dtype=np.float64),
        line_mults=line_mults,
        driver_factors=driver_factors,
        drivers=drivers,
        implied_base=implied_base,
        hn_factors=hn_factors,
        dcfsf=tuple(i for i, c in enumerate(codes) if inputs.lines[c].programme == "DCFSF"),
        floor=guarantee_floor(),
    )


def _factor(d: Distribution, z: Array, spread: float) -> Array:
    """Multipliers by year, shape (m, years), from an input's (mixed) shocks ``z`` (m, years).

    ``level``: one draw, ``z`` summed over the years / sqrt(years) (a standard normal
    that keeps its correlation with other inputs' annual shocks); ``independent``: one a
    year; ``walk``: one a year, compounded.
    """
    if d.evolution == "level":
        s = z[:, 0].copy()
        for t in range(1, z.shape[1]):
            s += z[:, t]
        s *= 1.0 / math.sqrt(z.shape[1])
        return np.broadcast_to(d.multiplier(s, spread)[:, None], z.shape)
    f = d.multiplier(z, spread)
    if d.evolution == "walk":
        np.cumprod(f, axis=1, out=f)
    return f


@dataclass(frozen=True)
class _Outputs:
    net: Array  # (m, years) net budget
    hn: Array  # (m, years) High Needs cumulative deficit
    dcfsf: Array  # (m,) DCFSF CF1-CF3 benefit in 2024/25, positive
    lines: Array  # (m, lines) each line's change from the scenario in 2024/25
    factors: list[Array]


def _evaluate(plan: _Plan, z: Sequence[Array], m: int) -> _Outputs:
    """Every output for ``m`` trajectories from their mixed shocks (one (m, years) per input)."""
    spread = plan.spec.spread_scale
    factors = [_factor(d, z[k], spread) for k, d in enumerate(plan.spec.distributions)]
    net_delta = np.zeros((m, T))
    line_last = np.zeros((m, len(plan.line_codes)))
    for i, code in enumerate(plan.line_codes):
        det = plan.det_lines[code]
        sim: Array | None = None
        if code in plan.driver_factors:
            drivers: dict[str, Any] = dict(plan.drivers[code])
            for k, key in plan.driver_factors[code]:
                drivers[key] = drivers[key] * factors[k]
            implied = revenue.driver_implied(drivers) or {}
            base = plan.implied_base[code]
            sim = np.empty((m, T))
            for t, y in enumerate(YEARS):
                # the driver delta, exactly 0.0 where the drivers are unchanged (as the engine)
                sim[:, t] = det[t] + (np.broadcast_to(implied[y], (m, T))[:, t] - base[y])
        for k in plan.line_mults[code]:
            sim = (det if sim is None else sim) * factors[k]
        if sim is None:
            continue
        delta = sim - det
        net_delta += delta
        line_last[:, i] = delta[:, -1]
    gap_delta = np.zeros((m, T))
    for k, values in plan.hn_factors:
        gap_delta += values * (factors[k] - 1.0)
    dcfsf = np.zeros(m)
    for i in plan.dcfsf:
        dcfsf -= plan.det_lines[plan.line_codes[i]][-1] + line_last[:, i]
    return _Outputs(plan.det_net + net_delta, plan.det_hn + np.cumsum(gap_delta, axis=1), dcfsf, line_last, factors)


def _draw(spec: RiskSpec, seed: int, start: int, stop: int) -> Array:
    """Standard normal shocks (inputs, stop - start, years) for trajectories [start, stop).

    Trajectory ``i`` of input ``k`` is row ``i % BLOCK_SIZE`` of block ``i // BLOCK_SIZE``
    of that input's own stream, whatever the chunk: a chunk starting inside a block
    draws the block from its start and keeps the rows it needs.
    """
    m = stop - start
    out = np.empty((len(spec.distributions), m, T))
    for k, d in enumerate(spec.distributions):
        key = d.stream_key()
        for b in range(start // BLOCK_SIZE, (stop - 1) // BLOCK_SIZE + 1):
            lo, hi = max(start, b * BLOCK_SIZE), min(stop, (b + 1) * BLOCK_SIZE)
            gen = np.random.Generator(np.random.SFC64(np.random.SeedSequence(seed, spawn_key=(b, *key))))
            skip = lo - b * BLOCK_SIZE
            if skip == 0:
                gen.standard_normal(out=out[k, lo - start : hi - start])
            else:
                out[k, lo - start : hi - start] = gen.standard_normal((hi - b * BLOCK_SIZE, T))[skip:]
    return out


def _mix(spec: RiskSpec, raw: Array) -> list[Array]:
    """Correlate the shocks: each correlated group's shocks times its matrix root,
    element by element in a fixed order (so no result depends on the chunk)."""
    z = [raw[k] for k in range(raw.shape[0])]
    for idx, root in spec.groups:
        for r, i in enumerate(idx):
            acc = np.zeros_like(raw[i])
            for c, j in enumerate(idx):
                if root[r, c] != 0.0:
                    acc += root[r, c] * raw[j]
            z[i] = acc
    return z


# --- The result -------------------------------------------------------------------------


@dataclass(frozen=True)
class Samples:
    """Per-trajectory outputs (GBP000): kept so that percentiles are exact over all n.

    ``net`` and ``hn_deficit`` are (n, years); ``dcfsf_benefit`` (n,) the CF1-CF3
    recurring benefit in 2024/25 (positive); ``line_change`` (n, lines) each line's
    cumulative 2024/25 value less the scenario's (columns ``lines``).
    """

    net: Array
    hn_deficit: Array
    dcfsf_benefit: Array
    line_change: Array
    lines: tuple[str, ...]


@dataclass(frozen=True)
class RiskResult:
    """What :func:`simulate` returns (GBP000 unless stated).

    ``net_budget``, ``gap``, ``hn_deficit``
        P5/P10/P50/P90/P95 by year of the net budget, of the gap to the MTFS (simulated
        net budget less the PUBLISHED MTFS net budget, para 9: 89,086 / 89,611 / 90,216 /
        89,851, as the engine derives it for the baseline) and of the High Needs
        cumulative deficit.
    ``reference``
        the published MTFS, the scenario's deterministic figures, and the tornado's base
        (every input at its median).
    ``p_exceeds_mtfs``
        share of trajectories whose 2024/25 net budget is above the published MTFS's.
    ``p_guarantee_binds``
        share whose DCFSF (CF1-CF3) benefit in 2024/25 is below the Newton floor.
    ``tornado``, ``variance``
        one-at-a-time P10/P90 sensitivity, and each line's share of the variance of the
        2024/25 gap; see :func:`tornado` and :func:`variance_ranking`.
    """

    scenario: Scenario = field(repr=False)
    n: int
    seed: int
    spec: RiskSpec = field(repr=False)
    net_budget: pd.DataFrame = field(repr=False)
    gap: pd.DataFrame = field(repr=False)
    hn_deficit: pd.DataFrame = field(repr=False)
    reference: pd.DataFrame = field(repr=False)
    p_exceeds_mtfs: float
    p_guarantee_binds: float
    guarantee_floor: float = field(repr=False)
    tornado: pd.DataFrame = field(repr=False)
    variance: pd.DataFrame = field(repr=False)
    samples: Samples = field(repr=False)

    def probabilities(self) -> pd.DataFrame:
        """The two headline probabilities as a table (``probability_pct`` is a share, 0-1)."""
        mtfs = cell(self.reference, MTFS_ROW, YEARS[-1])
        rows = {
            f"Net budget {YEARS[-1]} above the published MTFS ({mtfs:,.0f})": self.p_exceeds_mtfs,
            f"DCFSF (CF1-CF3) benefit {YEARS[-1]} below the Newton floor ({self.guarantee_floor:,.0f})": (
                self.p_guarantee_binds
            ),
        }
        return pd.DataFrame({"probability_pct": rows}).rename_axis("event")

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, in reading order."""
        return {
            "net_budget": self.net_budget,
            "gap": self.gap,
            "hn_deficit": self.hn_deficit,
            "reference": self.reference,
            "probabilities": self.probabilities(),
            "tornado": self.tornado,
            "variance": self.variance,
            "inputs": self.spec.table(),
        }


MTFS_ROW = "Published MTFS net budget"
SCENARIO_ROW = "Scenario net budget (deterministic)"
SCENARIO_HN_ROW = "Scenario High Needs cumulative deficit (deterministic)"
BASE_ROW = "Net budget, every input at its P50"
BASE_HN_ROW = "High Needs cumulative deficit, every input at its P50"


def _percentiles(values: Array) -> pd.DataFrame:
    q = np.percentile(values, PERCENTILES, axis=0)
    return pd.DataFrame(q, index=pd.Index(PERCENTILE_LABELS, name="percentile"), columns=list(YEARS))


def tornado(plan: _Plan) -> tuple[pd.DataFrame, _Outputs]:
    """One input at a time at its P10 and at its P90, every other at its median.

    "At its P10" sets the input's shocks so that its own multiplier is at its P10: for a
    ``level`` or ``independent`` input the declared P10 (every year); for a ``walk`` the
    2024/25 multiplier's P10 (each annual shock at z / sqrt(years)).  Returns the table,
    sorted by the swing of the 2024/25 net budget then of the High Needs deficit, and the
    evaluated rows (row 0 is the all-median base).
    """
    dists = plan.spec.distributions
    k = len(dists)
    rows = 2 * k + 1
    z = [np.zeros((rows, T)) for _ in range(k)]
    for i, d in enumerate(dists):
        step = Z90 if d.evolution == "independent" else Z90 / math.sqrt(T)
        z[i][1 + 2 * i] = -step
        z[i][2 + 2 * i] = step
    out = _evaluate(plan, z, rows)
    last = YEARS[-1]
    mtfs = plan.mtfs_net[-1]
    records = {}
    for i, d in enumerate(dists):
        lo, hi = 1 + 2 * i, 2 + 2 * i
        net_lo, net_hi = out.net[lo, -1], out.net[hi, -1]
        hn_lo, hn_hi = out.hn[lo, -1], out.hn[hi, -1]
        records[d.name] = {
            "label": d.label,
            "factor_p10_pct": float(out.factors[i][lo, -1]),
            "factor_p90_pct": float(out.factors[i][hi, -1]),
            f"net_{last}_at_p10": net_lo,
            f"net_{last}_at_p90": net_hi,
            "gap_at_p10": net_lo - mtfs,
            "gap_at_p90": net_hi - mtfs,
            "net_swing": abs(net_hi - net_lo),
            "hn_deficit_at_p10": hn_lo,
            "hn_deficit_at_p90": hn_hi,
            "hn_swing": abs(hn_hi - hn_lo),
        }
    frame = pd.DataFrame.from_dict(records, orient="index").rename_axis("input")
    if len(frame):
        frame = frame.assign(_n=-frame["net_swing"], _h=-frame["hn_swing"], _i=frame.index)
        frame = frame.sort_values(["_n", "_h", "_i"], kind="stable").drop(columns=["_n", "_h", "_i"])
    return frame, out


def variance_ranking(samples: Samples, mtfs_last: float, titles: Mapping[str, str]) -> pd.DataFrame:
    """Which lines drive the variance of the 2024/25 gap.

    The gap is exactly the sum of the lines' changes (plus a constant), so its variance
    splits exactly into ``variance_share_pct`` = Cov(line, gap) / Var(gap) (summing to
    1; negative for a line that offsets others).  ``standalone_share_pct`` =
    Var(line) / Var(gap) is the squared standardized regression coefficient of the line
    (the regression of the gap on the lines has every coefficient 1).  ``sd`` is the
    line's standard deviation (GBP000).  Zero where nothing varies.  Sorted by share.
    """
    gap = samples.net[:, -1] - mtfs_last
    gc = gap - gap.mean()
    var = float(gc @ gc) / len(gc)
    rows = {}
    for i, code in enumerate(samples.lines):
        x = samples.line_change[:, i]
        xc = x - x.mean()
        v = float(xc @ xc) / len(xc)
        cov = float(xc @ gc) / len(xc)
        rows[code] = {
            "title": titles.get(code, ""),
            "sd": math.sqrt(v),
            "variance_share_pct": cov / var if var > 0 else 0.0,
            "standalone_share_pct": v / var if var > 0 else 0.0,
        }
    frame = pd.DataFrame.from_dict(rows, orient="index").rename_axis("line")
    frame = frame.assign(_s=-frame["variance_share_pct"], _i=frame.index)
    return frame.sort_values(["_s", "_i"], kind="stable").drop(columns=["_s", "_i"])


def simulate(
    scenario: Scenario | str | None = None,
    n: int = 100_000,
    seed: int = 1,
    chunk_size: int | None = None,
    *,
    baseline: Baseline | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RiskResult:
    """Monte Carlo of the whole MTFS: ``n`` trajectories of every uncertain input.

    ``scenario`` is a Scenario, a name or None (baseline); its ``[risk]`` table
    overrides ``data/risk.toml``.  ``seed`` (a whole number >= 0) fixes the draws; the
    same seed gives the same result bit for bit WHATEVER ``chunk_size`` (trajectories
    evaluated at once, default :data:`DEFAULT_CHUNK_SIZE`; it bounds memory only).
    ``progress(done, n)`` is called after each chunk.  Money in GBP000.
    """
    for key, value, least in (("n", n, 1), ("seed", seed, 0), ("chunk_size", chunk_size, 1)):
        if value is None and key == "chunk_size":
            continue
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
            raise InputError("(arguments)", key, f"a whole number >= {least}", value)
    b = baseline or load_baseline()
    if scenario is None:
        scenario = "baseline"
    if isinstance(scenario, str):
        scenario = load_scenario(scenario, baseline=b)
    spec = risk_spec(scenario)
    plan = _plan(scenario, spec, b)
    chunk = int(chunk_size or DEFAULT_CHUNK_SIZE)
    n = int(n)
    net = np.empty((n, T))
    hn = np.empty((n, T))
    dcfsf = np.empty(n)
    lines = np.empty((n, len(plan.line_codes)))
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        z = _mix(spec, _draw(spec, int(seed), start, stop))
        out = _evaluate(plan, z, stop - start)
        net[start:stop], hn[start:stop] = out.net, out.hn
        dcfsf[start:stop], lines[start:stop] = out.dcfsf, out.lines
        del z, out
        if progress is not None:
            progress(stop, n)
    samples = Samples(net, hn, dcfsf, lines, plan.line_codes)
    torn, base = tornado(plan)
    reference = pd.DataFrame(
        [plan.mtfs_net, plan.det_net, plan.det_hn, base.net[0], base.hn[0]],
        index=pd.Index([MTFS_ROW, SCENARIO_ROW, SCENARIO_HN_ROW, BASE_ROW, BASE_HN_ROW], name="figure"),
        columns=list(YEARS),
    )
    titles = {c: ln.title for c, ln in scenario.inputs.lines.items()}
    return RiskResult(
        scenario=scenario,
        n=n,
        seed=int(seed),
        spec=spec,
        net_budget=_percentiles(net),
        gap=_percentiles(net - plan.mtfs_net),
        hn_deficit=_percentiles(hn),
        reference=reference,
        p_exceeds_mtfs=float(np.count_nonzero(net[:, -1] > plan.mtfs_net[-1])) / n,
        p_guarantee_binds=float(np.count_nonzero(dcfsf < plan.floor)) / n,
        guarantee_floor=plan.floor,
        tornado=torn,
        variance=variance_ranking(samples, float(plan.mtfs_net[-1]), titles),
        samples=samples,
    )


# --- Reporting ----------------------------------------------------------------------------

TITLES = {
    "net_budget": "Net budget, simulated: percentiles by year (£000)",
    "gap": "Gap to the published MTFS: simulated net budget less the MTFS (£000)",
    "hn_deficit": "High Needs cumulative deficit, simulated: percentiles by year (£000)",
    "reference": "Reference figures (£000)",
    "probabilities": "Probabilities",
    "tornado": f"Tornado: {YEARS[-1]} net budget and High Needs deficit, one input at a time at P10 / P90 (£000)",
    "variance": f"What drives the variance of the {YEARS[-1]} gap, by line (£000, shares of variance)",
    "inputs": "Distributions simulated (multipliers of the scenario's figures)",
}


def report_text(result: RiskResult, fmt: str = "table") -> str:
    """The simulation's tables as ``table`` (thousands separators), ``csv``, ``json`` or
    ``markdown``, rendered with :func:`mtfs_model.report.to_text`."""
    frames = result.tables()
    if fmt == "table":
        net_at = [f"net_{YEARS[-1]}_at_p10", f"net_{YEARS[-1]}_at_p90"]  # the gap columns say the same
        frames["tornado"] = frames["tornado"].drop(columns=["label", *net_at])
        frames["inputs"] = frames["inputs"].drop(columns=["label", "source or reason"])
    head = f"Scenario {result.scenario.name!r}: {result.n:,} trajectories, seed {result.seed}"
    if fmt == "json":
        import json

        body = {name: json.loads(to_text(df, "json", TITLES[name])) for name, df in frames.items()}
        doc = {"scenario": result.scenario.name, "n": result.n, "seed": result.seed, **body}
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return f"# {head}\n" + "".join(f"# {TITLES[k]}\n" + to_text(df, "csv") + "\n" for k, df in frames.items())
    text = "\n".join(to_text(df, fmt, TITLES[k]) for k, df in frames.items())
    return (f"**{head}**\n\n" if fmt == "markdown" else f"{head}\n\n") + text


def stderr_progress(done: int, total: int) -> None:
    """Print ``done / total trajectories`` to standard error (for the CLI)."""
    print(f"mtfs simulate: {done:,} / {total:,} trajectories", file=sys.stderr, flush=True)


def cli_report(scenario: str, n: int, seed: int, chunk_size: int | None, fmt: str) -> str:
    """Run :func:`simulate` for the command line, progress on stderr if it takes chunks."""
    chunk = chunk_size or DEFAULT_CHUNK_SIZE
    result = simulate(scenario, n=n, seed=seed, chunk_size=chunk, progress=stderr_progress if n > chunk else None)
    return report_text(result, fmt)
