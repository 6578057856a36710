"""Budget risk: the declared distributions, the random streams and the Gaussian copula.

Every uncertain input is a :class:`Distribution` of a MULTIPLIER of the scenario's own
figure, given by its P10, P50 and P90 (a two-piece normal or lognormal through them), or,
for a reference-class input, by the predictive Student-t of its log error year by year
(``shape = "student_t"``, ``evolution = "horizon"``: one draw a trajectory, the error
``loc[t] + scale[t] * T_df`` of a forecast ``t + 1`` years ahead, so the fan widens with the
horizon and every year's multiplier rises with the same draw).

A ``walk``'s year-``t`` multiplier is the one-year distribution evaluated at the running sum
of its annual shocks (``z_1 + ... + z_t``, spread ``sqrt(t)`` times the one year's): for a
lognormal symmetric in logs that is the product of the annual multipliers exactly, and for
a skewed one it keeps the declared P50 the median of every year (compounding skewed
annual draws would move the median, which no judgement here intends).

Only the normals the model needs are drawn: one a trajectory for a ``level`` input (one
value for the whole MTFS), one a trajectory and year for a ``walk`` or ``independent``
input -- its *slots*.  Draws never depend on how the trajectories are chunked: slot ``s``
of trajectory ``i`` of input ``k`` is element ``s * BLOCK_SIZE + i % BLOCK_SIZE`` of the
stream of block ``i // BLOCK_SIZE`` of that input, ``SeedSequence(seed, spawn_key=(block,
*stream_key))`` (SFC64; the key is a hash of the input's name, so an input keeps its
draws when another is added).  The normals are held year-major, ``(slots, trajectories)``,
so every year of every input is one contiguous row.  Correlation mixes the slots of a
connected group of inputs by a square root of their covariance (a ``level`` input's one
normal stands for its annual shocks' mean times sqrt(years), so its covariance with an
annual shock is rho / sqrt(years)), row by row in a fixed order.  Nothing here knows an
edition: shapes follow the number of years the caller gives.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special  # type: ignore[import-untyped]

Array = npt.NDArray[np.float64]

BLOCK_SIZE = 16_384
"""Trajectories per random-stream block: fixed, so draws never depend on the chunk size."""
Z90 = NormalDist().inv_cdf(0.9)
"""The standard normal's 90th percentile, 1.2816: P10/P90 sit this many z from the median."""
MULTIPLIER_CAP = 1e6
"""The largest multiplier ever applied, whatever ``max`` says, compounded or not: a guard
that keeps every output finite whatever the (bounded, :mod:`.risk_schema`) inputs; no
declared distribution comes near it."""


T_TAIL = 0.999
"""A Student-t input's draws stop at its 1-in-1,000 quantiles either side (a JUDGEMENT): a log
Student-t has no mean, and beyond that the few dozen pairs behind a predictive say nothing,
so an unbounded tail would put a few futures at hundreds of times the forecast and make
every mean and variance (the variance ranking, the guarantee's average cover) meaningless.
Every percentile from P0.1 to P99.9 is the predictive's own."""
T_TAIL_Z = NormalDist().inv_cdf(T_TAIL)
T_GRID_Z = 8.0
"""The Student-t map is tabulated for standard normal draws within +/- this many z (beyond
it, about once in 10^15 draws, it is computed exactly)."""
T_GRID_POINTS = 8193
"""Points of the tabulated normal-to-Student-t map (spacing 0.002 z: the linear
interpolation's error is about 2e-6 of the quantile at most, and it stays monotone)."""


@lru_cache(maxsize=64)
def _t_table(df: float) -> tuple[Array, Array]:
    """The map's values on the uniform grid and each interval's slope (per grid step)."""
    z = np.linspace(-T_GRID_Z, T_GRID_Z, T_GRID_POINTS)
    values = student_t_of_normal(z, df, exact=True)
    return values, np.diff(values)


def student_t_of_normal(z: Array, df: float, exact: bool = False) -> Array:
    """The Student-t (``df`` degrees of freedom) quantile at the standard normal draws'
    probabilities, ``F_t^-1(Phi(z))``: continuous and increasing in ``z`` (common random
    numbers keep their order).  Tabulated (:data:`T_GRID_POINTS`) unless ``exact``: the
    exact map (scipy's ``stdtrit``) costs ~30 ms a 100,000 draws, the table ~1 ms."""
    if exact:
        tail = special.stdtrit(df, special.ndtr(-np.abs(z)))  # the lower tail of |z|: no loss near 1
        exact_values: Array = np.where(z > 0, -tail, tail)
        return exact_values
    values, slopes = _t_table(float(df))
    # linear interpolation on the uniform grid by index arithmetic (np.interp's binary
    # search is ten times slower): position, whole step, fraction of the step
    position = np.subtract(z, -T_GRID_Z)
    position *= (T_GRID_POINTS - 1) / (2 * T_GRID_Z)
    np.clip(position, 0.0, T_GRID_POINTS - 1.000001, out=position)
    step = position.astype(np.intp)
    position -= step
    out: Array = slopes.take(step)
    out *= position
    out += values.take(step)
    far = np.abs(z) > T_GRID_Z
    if np.any(far):
        out[far] = student_t_of_normal(z[far], df, exact=True)
    return out


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
    df: float | None = None
    """Student-t degrees of freedom (``shape = "student_t"`` only)."""
    loc: tuple[float, ...] = ()
    """Student-t: the centre of the log error by year (a forecast ``t + 1`` years ahead)."""
    scale: tuple[float, ...] = ()
    """Student-t: the scale of the log error by year."""

    def sides(self, spread_scale: float = 1.0) -> tuple[float, float]:
        """Spread per unit z below and above the median (multiplier units for a normal,
        log units for a lognormal), times ``spread_scale``."""
        if self.shape == "lognormal":
            lo, hi = math.log(self.p50 / self.p10), math.log(self.p90 / self.p50)
        else:
            lo, hi = self.p50 - self.p10, self.p90 - self.p50
        return lo / Z90 * spread_scale, hi / Z90 * spread_scale

    def multiplier(
        self, z: Array, spread_scale: float = 1.0, out: Array | None = None, scratch: Array | None = None
    ) -> Array:
        """The multiplier for standard normal draws ``z`` (any shape): the two-piece
        normal or lognormal through P10/P50/P90, clipped to [min, max] (a lognormal also
        to :data:`MULTIPLIER_CAP`, which its exponential could otherwise pass).  ``out``
        (``z`` itself is allowed) receives the result in place of a new array; ``scratch``
        (``z``'s shape) is a work array to reuse.  A Student-t input gives its final
        year's multiplier here (:meth:`by_year` gives every year's)."""
        if self.shape == "student_t":
            return self._t_multiplier(z, len(self.loc) - 1, spread_scale, out)
        lo, hi = self.sides(spread_scale)
        if lo == hi:
            f = np.multiply(z, hi, out=out)
        else:  # z * lo below the median, z * hi above, exactly: one of the two terms is a zero
            below = np.minimum(z, 0.0, out=scratch)
            f = np.maximum(z, 0.0, out=out)
            f *= hi
            below *= lo
            f += below
        if self.shape == "normal":
            f += self.p50  # bounded: the schema bounds the quantiles and the spread
        else:
            with np.errstate(over="ignore"):  # exp may overflow to inf: clipped to the cap below
                np.exp(f, out=f)
            if self.p50 != 1.0:
                f *= self.p50
        if self.shape == "normal" or self.minimum > 0.0:  # exp is never below 0
            np.maximum(f, self.minimum, out=f)
        if self.shape == "lognormal" or math.isfinite(self.maximum):
            np.minimum(f, min(self.maximum, MULTIPLIER_CAP), out=f)
        return f

    def _t_multiplier(self, z: Array, t: int, spread_scale: float, out: Array | None = None) -> Array:
        """A Student-t input's multiplier in year ``t`` (0 = the first MTFS year) for draws ``z``."""
        assert self.df is not None
        tq = student_t_of_normal(np.clip(z, -T_TAIL_Z, T_TAIL_Z), self.df)
        f = np.multiply(tq, self.scale[t] * spread_scale, out=out)
        f += self.loc[t]
        with np.errstate(over="ignore"):
            np.exp(f, out=f)
        np.clip(f, self.minimum, min(self.maximum, MULTIPLIER_CAP), out=f)
        return f

    def by_year(self, z: Array, n_years: int, spread_scale: float = 1.0) -> Array:
        """A ``horizon`` input's multipliers ``(years, m)`` from its one draw a trajectory
        ``z`` ``(m,)``: year ``t``'s is ``exp(loc[t] + scale[t] * T)``, ``T`` the Student-t
        quantile of ``z`` (computed once for every year)."""
        assert self.df is not None
        tq = student_t_of_normal(np.clip(z, -T_TAIL_Z, T_TAIL_Z), self.df)  # the tail stops at T_TAIL
        out = np.empty((n_years, tq.shape[0]))
        for t in range(n_years):
            np.multiply(tq, self.scale[t] * spread_scale, out=out[t])
            out[t] += self.loc[t]
        with np.errstate(over="ignore"):
            np.exp(out, out=out)
        np.clip(out, self.minimum, min(self.maximum, MULTIPLIER_CAP), out=out)
        return out

    def slots(self, n_years: int) -> int:
        """Normals a trajectory needs: one for a ``level`` or ``horizon`` input, one a year otherwise."""
        return 1 if self.evolution in ONE_DRAW else n_years

    def stream_key(self) -> tuple[int, ...]:
        """The name hashed to four 32-bit words (BLAKE2b): with the block index, the spawn
        key of this input's draws (short, so a stream is cheap to start)."""
        digest = hashlib.blake2b(self.name.encode(), digest_size=16).digest()
        return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


ONE_DRAW = ("level", "horizon")
"""Evolutions drawn once a trajectory (a ``horizon`` input's one draw sets every year)."""

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
        """The names of the uncertain inputs, in drawing order."""
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


def _slot_root(spec: RiskSpec, idx: Sequence[int], n_years: int) -> tuple[list[tuple[int, int | None]], Array]:
    """The slots of a correlated group, ``(input, year or None for a level)``, and a square
    root of their covariance: ``rho`` between two inputs' shocks in the same year (0 across
    years), ``rho / sqrt(years)`` between a level and an annual shock, ``rho`` between levels."""
    slots: list[tuple[int, int | None]] = [
        (k, None) if spec.distributions[k].evolution in ONE_DRAW else (k, t)
        for k in idx
        for t in range(spec.distributions[k].slots(n_years))
    ]
    size = len(slots)
    cov = np.zeros((size, size))
    root_t = math.sqrt(n_years)
    for a, (i, s) in enumerate(slots):
        for b, (j, u) in enumerate(slots):
            rho = float(spec.correlation[i, j])
            if s is None and u is None:
                cov[a, b] = rho
            elif s is None or u is None:
                cov[a, b] = rho / root_t
            elif s == u:
                cov[a, b] = rho
    try:
        root = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:  # semi-definite (e.g. rho = 1): symmetric square root
        w, v = np.linalg.eigh(cov)
        root = v * np.sqrt(np.clip(w, 0.0, None))
    return slots, np.asarray(root, dtype=np.float64)


class Sampler:
    """Draws the mixed standard normal shocks of every input for a range of trajectories,
    year-major: one row a slot (:meth:`Distribution.slots`), one column a trajectory.

    ``offsets[k]`` is input ``k``'s first row; :meth:`split` gives each input's shocks as
    ``(m,)`` (a level) or ``(years, m)``.  Built once a simulation; ``draw`` reuses ``out``.
    """

    def __init__(self, spec: RiskSpec, n_years: int) -> None:
        self.spec = spec
        self.n_years = n_years
        counts = [d.slots(n_years) for d in spec.distributions]
        self.offsets = [int(x) for x in np.cumsum([0, *counts])[:-1]]
        self.counts = counts
        self.rows = int(sum(counts))
        self.keys = [d.stream_key() for d in spec.distributions]
        # each correlated group's mixing: for each of its rows, the (coefficient, row) terms
        self.mixing: list[tuple[list[int], list[list[tuple[float, int]]]]] = []
        for idx, _ in spec.groups:
            slots, root = _slot_root(spec, idx, n_years)
            rows = [self.offsets[k] + (0 if t is None else t) for k, t in slots]
            terms = [
                [(float(root[a, b]), rows[b]) for b in range(len(rows)) if root[a, b] != 0.0] for a in range(len(rows))
            ]
            self.mixing.append((rows, terms))

    def draw(self, seed: int, start: int, stop: int, out: Array | None = None) -> Array:
        """The mixed shocks of trajectories ``[start, stop)``: ``(rows, stop - start)``."""
        m = stop - start
        z = np.empty((self.rows, m)) if out is None else out[:, :m]
        for k, key in enumerate(self.keys):
            o, c = self.offsets[k], self.counts[k]
            for b in range(start // BLOCK_SIZE, (stop - 1) // BLOCK_SIZE + 1):
                lo, hi = max(start, b * BLOCK_SIZE), min(stop, (b + 1) * BLOCK_SIZE)
                gen = np.random.Generator(np.random.SFC64(np.random.SeedSequence(seed, spawn_key=(b, *key))))
                first, last = lo - b * BLOCK_SIZE, hi - b * BLOCK_SIZE
                if first == 0 and last == BLOCK_SIZE:
                    for s in range(c):  # the block's stream, slot after slot, straight into place
                        gen.standard_normal(out=z[o + s, lo - start : hi - start])
                else:  # part of a block: the stream up to the last value needed
                    stream = gen.standard_normal((c - 1) * BLOCK_SIZE + last)
                    for s in range(c):
                        z[o + s, lo - start : hi - start] = stream[s * BLOCK_SIZE + first : s * BLOCK_SIZE + last]
        for rows, terms in self.mixing:
            mixed = np.empty((len(rows), m))
            for a, row_terms in enumerate(terms):
                (c0, r0), *rest = row_terms
                np.multiply(z[r0], c0, out=mixed[a])
                for coef, r in rest:
                    mixed[a] += coef * z[r]
            z[rows] = mixed
        return z

    def split(self, z: Array) -> list[Array]:
        """Each input's rows of ``z``: ``(m,)`` for a level, ``(years, m)`` otherwise (views)."""
        return [
            z[o] if d.evolution in ONE_DRAW else z[o : o + self.n_years]
            for o, d in zip(self.offsets, self.spec.distributions, strict=True)
        ]


def shocks(spec: RiskSpec, seed: int, start: int, stop: int, n_years: int) -> list[Array]:
    """Every input's mixed shocks for trajectories ``[start, stop)``, trajectory-major
    ``(m, years)`` as :func:`factor` reads them (a level's one normal in every year): the
    same draws :func:`~mtfs_model.risk.simulate` makes, for a caller that conditions them."""
    sampler = Sampler(spec, n_years)
    z = sampler.draw(seed, start, stop)
    m = stop - start
    return [np.broadcast_to(x[:, None], (m, n_years)) if x.ndim == 1 else x.T for x in sampler.split(z)]


def factor(d: Distribution, z: Array, spread: float) -> Array:
    """Multipliers by year, shape (m, years), from an input's (mixed) shocks ``z`` (m, years).

    ``level``: the one draw (``z[:, 0]``; :func:`shocks` puts it in every year), the same
    multiplier every year; ``horizon``: the one draw, each year's own Student-t
    multiplier; ``independent``: one a year; ``walk``: the one-year distribution at the
    running sum of the annual shocks (module docstring).
    """
    if d.evolution == "level":
        return np.broadcast_to(d.multiplier(np.array(z[:, 0]), spread)[:, None], z.shape)
    if d.evolution == "horizon":
        return d.by_year(np.array(z[:, 0]), z.shape[1], spread).T
    if d.evolution == "walk":
        return multipliers(d, np.array(z, dtype=np.float64).T, spread).T
    return d.multiplier(np.array(z, dtype=np.float64), spread)


def factors_in_place(spec: RiskSpec, shocks_by_input: Sequence[Array], work: Array | None = None) -> list[Array]:
    """Turn each input's year-major shocks (:meth:`Sampler.split`) into its multipliers in
    place: ``(m,)`` for a level, ``(years, m)`` for a walk or independent input; a
    ``horizon`` input's one row becomes a new ``(years, m)`` array.  ``work`` (at least
    ``(years, m)``) is a scratch array to reuse chunk after chunk."""
    width = max((z.shape[-1] for z in shocks_by_input), default=0)
    rows = max((z.shape[0] for z in shocks_by_input if z.ndim == 2), default=1)
    if work is None or work.shape[0] < rows or work.shape[1] < width:
        work = np.empty((rows, width))
    work = work[:rows, :width]
    return [
        multipliers(d, z, spec.spread_scale, z, work, rows)
        for d, z in zip(spec.distributions, shocks_by_input, strict=True)
    ]


def multipliers(
    d: Distribution,
    z: Array,
    spread: float,
    out: Array | None = None,
    work: Array | None = None,
    n_years: int | None = None,
) -> Array:
    """One input's multipliers from its year-major shocks ``z`` (:meth:`Sampler.split`):
    ``(m,)`` for a level, ``(years, m)`` for a walk or independent input, into ``out``
    (``z`` itself is allowed) and using ``work`` (at least ``z``'s shape) if given; a
    ``horizon`` input's ``(m,)`` draws give a new ``(n_years, m)`` array (``n_years``
    default: as many as its ``loc``).  A walk's row ``t`` is the one-year distribution at
    the running sum of rows ``0..t`` (``z`` itself is left alone unless it is ``out``)."""
    if d.evolution == "horizon":
        return d.by_year(z, n_years or len(d.loc), spread)
    scratch = None if work is None else (work[0, : z.shape[-1]] if z.ndim == 1 else work[: z.shape[0], : z.shape[1]])
    if d.evolution == "walk":
        if out is None:
            running = z.copy()
        else:
            running = out
            if out is not z:
                np.copyto(running, z)
        for t in range(1, running.shape[0]):  # row by row: faster than cumsum along the short axis
            running[t] += running[t - 1]
        f = d.multiplier(running, spread, out=running, scratch=scratch)
        if d.shape == "lognormal" and d.p50 != 1.0:  # the median compounds: p50 ** (t + 1) in year t
            for t in range(1, f.shape[0]):
                f[t] *= d.p50**t
            np.minimum(f, MULTIPLIER_CAP, out=f)
        return f
    return d.multiplier(z, spread, out=out, scratch=scratch)
