"""Budget risk: the declared distributions, the random streams and the Gaussian copula.

Every uncertain input is a :class:`Distribution` of a MULTIPLIER of the scenario's own
figure, given by its P10, P50 and P90 (a two-piece normal or lognormal through them).
Draws never depend on how the trajectories are chunked: trajectory ``i`` of input ``k``
is row ``i % BLOCK_SIZE`` of block ``i // BLOCK_SIZE`` of that input's own stream,
``SeedSequence(seed, spawn_key=(block, *name))`` (SFC64), and correlation mixes the
standard normal shocks of a connected group of inputs by a square root of the group's
correlation matrix, element by element in a fixed order.  Nothing here knows an edition:
shapes are ``(trajectories, years)`` with as many years as the caller has.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt
import pandas as pd

Array = npt.NDArray[np.float64]

BLOCK_SIZE = 16_384
"""Trajectories per random-stream block: fixed, so draws never depend on the chunk size."""
Z90 = NormalDist().inv_cdf(0.9)
"""The standard normal's 90th percentile, 1.2816: P10/P90 sit this many z from the median."""
MULTIPLIER_CAP = 1e6
"""The largest multiplier ever applied, whatever ``max`` says, compounded or not: a guard
that keeps every output finite whatever the (bounded, :mod:`.risk_schema`) inputs; no
declared distribution comes near it."""


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
        normal or lognormal through P10/P50/P90, clipped to [min, max] (a lognormal also
        to :data:`MULTIPLIER_CAP`, which its exponential could otherwise pass)."""
        lo, hi = self.sides(spread_scale)
        step = z * lo if lo == hi else z * np.where(z < 0.0, lo, hi)
        if self.shape == "normal":
            f = self.p50 + step  # bounded: the schema bounds the quantiles and the spread
        else:
            with np.errstate(over="ignore"):  # exp may overflow to inf: clipped to the cap below
                f = self.p50 * np.exp(step)
        f = np.maximum(f, self.minimum)
        if self.shape == "lognormal" or math.isfinite(self.maximum):
            f = np.minimum(f, min(self.maximum, MULTIPLIER_CAP))
        return np.asarray(f, dtype=np.float64)

    def stream_key(self) -> tuple[int, ...]:
        """The name as integers: with the block index, the spawn key of this input's draws."""
        return tuple(self.name.encode())


Group = tuple[tuple[int, ...], Array]


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
    groups: tuple[Group, ...]

    def names(self) -> list[str]:
        return [d.name for d in self.distributions]

    def table(self) -> pd.DataFrame:
        """The distributions as a table (multipliers; source or reason as text)."""
        columns = ["label", "shape", "evolution", "p10_pct", "p50_pct", "p90_pct", "from", "source or reason"]
        rows = {
            d.name: [d.label, d.shape, d.evolution, d.p10, d.p50, d.p90, d.origin, d.note] for d in self.distributions
        }
        return pd.DataFrame.from_dict(rows, orient="index", columns=columns).rename_axis("input")


def correlation_groups(corr: Array) -> tuple[Group, ...]:
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


def draw(spec: RiskSpec, seed: int, start: int, stop: int, n_years: int) -> Array:
    """Standard normal shocks (inputs, stop - start, years) for trajectories [start, stop).

    Trajectory ``i`` of input ``k`` is row ``i % BLOCK_SIZE`` of block ``i // BLOCK_SIZE``
    of that input's own stream, whatever the chunk: a chunk starting inside a block
    draws the block from its start and keeps the rows it needs.
    """
    m = stop - start
    out = np.empty((len(spec.distributions), m, n_years))
    for k, d in enumerate(spec.distributions):
        key = d.stream_key()
        for b in range(start // BLOCK_SIZE, (stop - 1) // BLOCK_SIZE + 1):
            lo, hi = max(start, b * BLOCK_SIZE), min(stop, (b + 1) * BLOCK_SIZE)
            gen = np.random.Generator(np.random.SFC64(np.random.SeedSequence(seed, spawn_key=(b, *key))))
            skip = lo - b * BLOCK_SIZE
            if skip == 0:
                gen.standard_normal(out=out[k, lo - start : hi - start])
            else:
                out[k, lo - start : hi - start] = gen.standard_normal((hi - b * BLOCK_SIZE, n_years))[skip:]
    return out


def mix(spec: RiskSpec, raw: Array) -> list[Array]:
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


def factor(d: Distribution, z: Array, spread: float) -> Array:
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
        np.minimum(f, MULTIPLIER_CAP, out=f)  # a compounded multiplier stays below the cap too
    return f
