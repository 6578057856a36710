"""Budget risk: a vectorised Monte Carlo and sensitivity analysis over the whole MTFS.

:func:`simulate` draws every uncertain input at once for ``n`` trajectories -- each
growth line's drivers or scale, each savings line's or programme's delivery, and the
High Needs lines -- from the distributions in the edition's ``risk.toml`` (every default
with a ``source`` or a ``reason``), overridden by a scenario's ``[risk]`` table.  Each
input is a MULTIPLIER of what the scenario assumes, so at zero spread the simulation is
:func:`~mtfs_model.run` exactly.  Nothing here knows an edition: years, lines,
programmes, the guarantee and the inputs all come from the edition's data, so an
edition of any horizon runs unchanged.

The parts:

* :mod:`.schema` -- the ``[risk]`` table's declarative schema and its checker;
* :mod:`.draws` -- the distributions, the random streams and the Gaussian copula;
* :mod:`.plan` -- the vectorised model (the engine runs once; each chunk of trajectories
  is a few numpy operations on year-major ``(years, chunk)`` buffers reused chunk after
  chunk);
* :mod:`.sensitivity` -- the tornado and the variance ranking;
* :mod:`.paths` -- any figure per trajectory, from the paths ``simulate(...,
  keep_paths=True)`` keeps (the back-test and the re-forecast read them);
* :mod:`.evidence` -- the two views: evidence-adjusted (the default: the reference
  class's multipliers) and "as the paper assumes" (``[risk] view = "paper"``);
* :mod:`.guarantee` -- the partner's guarantee applied to each trajectory (unless
  ``[guarantee] honoured = false``).

How it stays exact, fast and reproducible: only the normals the model needs are drawn
(one a trajectory for a ``level`` input, one a year otherwise), from a stream per input
and per fixed block of :data:`BLOCK_SIZE` trajectories (``SeedSequence(seed,
spawn_key=(block, *hash of the input's name))``, SFC64), and chunks hold whole blocks,
so the same seed gives the same result bit for bit whatever ``chunk_size`` (memory
only), and two scenarios share their draws input by input.  Percentiles are numpy's
exactly, from one partition of each year's column (the gap's from the net budget's:
subtracting the MTFS keeps the order); the variance ranking is accumulated block by
block (one matrix product each), so each line's change is not kept (it is drawn again,
bit for bit, if :attr:`Samples.line_change` is read).  A default whose median is not 1
(a programme centred on its own estimate) is re-based to a median of 1, its spread kept
in proportion, for a scenario that sets that figure itself.

Money is GBP000 as the papers print it; savings negative; years as the edition labels
them (``2021/22``).

>>> from mtfs_model.risk import simulate
>>> r = simulate("baseline", n=10_000, seed=1)
>>> r.net_budget        # P5, P10, P50, P90, P95 of the net budget by year (GBP000)
>>> r.p_exceeds_mtfs    # P(final-year net budget > the published MTFS)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mtfs_model.base.args import check_whole
from mtfs_model.base.cells import cell
from mtfs_model.base.rounding import number
from mtfs_model.edition.folder import Edition, load_edition
from mtfs_model.risk.draws import (
    BLOCK_SIZE,
    Z90,
    Array,
    Distribution,
    RiskSpec,
    Sampler,
    factors_in_place,
    multipliers,
)
from mtfs_model.risk.percentiles import percentile_tables
from mtfs_model.risk.plan import Kernel, Paths, Plan, guarantee_floor, plan
from mtfs_model.risk.schema import variable_drivers
from mtfs_model.risk.sensitivity import Moments, tornado, variance_table
from mtfs_model.risk.spec import risk_spec
from mtfs_model.scenarios.load import Scenario, load_scenario

__all__ = [
    "BASE_HN_ROW",
    "BASE_ROW",
    "BLOCK_SIZE",
    "DEFAULT_CHUNK_SIZE",
    "MTFS_ROW",
    "SCENARIO_HN_ROW",
    "SCENARIO_ROW",
    "Z90",
    "Distribution",
    "Paths",
    "RiskResult",
    "RiskSpec",
    "Samples",
    "guarantee_floor",
    "simulate",
    "variable_drivers",
]

DEFAULT_CHUNK_SIZE = 131_072
"""Trajectories evaluated at once (8 blocks): about 70 MB of reused buffers and temporaries."""

MTFS_ROW = "Published MTFS net budget"
SCENARIO_ROW = "Scenario net budget (deterministic)"
SCENARIO_HN_ROW = "Scenario High Needs cumulative deficit (deterministic)"
BASE_ROW = "Net budget, every input at its P50"
BASE_HN_ROW = "High Needs cumulative deficit, every input at its P50"


# --- The result -------------------------------------------------------------------------


@dataclass(frozen=True)
class Samples:
    """Per-trajectory outputs (GBP000): kept so that percentiles are exact over all n.

    ``net`` and ``hn_deficit`` are (n, years) (views of year-major arrays: each year's
    column is contiguous); ``guarantee_benefit`` (n,) the guarantee programme's recurring
    benefit in the final year (positive; None if the edition has no guarantee);
    ``line_change`` (n, lines) each line's cumulative final-year value less the
    scenario's (columns ``lines``): not kept by :func:`simulate` (the variance ranking is
    accumulated as it goes) but drawn again from the same seed, bit for bit, the first
    time it is read.  ``paths``: every line's, drawn High Needs line's and input's path
    by year (:class:`~mtfs_model.risk.plan.Paths`), kept only when :func:`simulate` is
    asked for them (``keep_paths=True``).
    """

    net: Array
    hn_deficit: Array
    guarantee_benefit: Array | None
    line_changes: Array | Callable[[], Array] = field(repr=False)
    lines: tuple[str, ...]
    paths: Paths | None = None

    @property
    def line_change(self) -> Array:
        """Each line's final-year change per trajectory, (n, lines)."""
        value = self.line_changes
        if callable(value):
            value = value()
            object.__setattr__(self, "line_changes", value)
        return value


@dataclass(frozen=True)
class RiskResult:
    """What :func:`simulate` returns (GBP000 unless stated; years as columns).

    ``net_budget``, ``gap``, ``hn_deficit``
        P5/P10/P50/P90/P95 by year of the net budget, of the gap to the MTFS (simulated
        net budget less the PUBLISHED MTFS net budget, as the engine derives it for the
        edition as published) and of the High Needs cumulative deficit.
    ``reference``
        the published MTFS, the scenario's deterministic figures, and the tornado's base
        (every input at its median).
    ``p_exceeds_mtfs``
        share of trajectories whose final-year net budget is above the published MTFS's.
    ``p_guarantee_binds``
        share whose guarantee-programme benefit in the final year is below the
        guaranteed floor; None (and left out of the tables) if the edition has none.
    ``tornado``, ``variance``
        one-at-a-time P10/P90 sensitivity, and each line's share of the variance of the
        final year's gap (:mod:`.risk_sensitivity`).
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
    p_guarantee_binds: float | None
    guarantee_floor: float | None = field(repr=False)
    tornado: pd.DataFrame = field(repr=False)
    variance: pd.DataFrame = field(repr=False)
    samples: Samples = field(repr=False)

    @property
    def edition(self) -> Edition:
        """The edition simulated."""
        return self.scenario.edition

    @property
    def years(self) -> tuple[str, ...]:
        """The edition's fiscal years, the tables' year columns."""
        return tuple(self.scenario.edition.years)

    def probabilities(self) -> pd.DataFrame:
        """The headline probabilities as a table (``probability_pct`` is a share, 0-1)."""
        final = self.years[-1]
        mtfs = cell(self.reference, MTFS_ROW, final)
        rows = {f"Net budget {final} above the published MTFS ({number(mtfs)})": self.p_exceeds_mtfs}
        if self.p_guarantee_binds is not None and self.guarantee_floor is not None:
            ed = self.edition
            pid = str(ed.links["guarantee_programme"])
            partner = ed.links.get("guarantee_partner")
            what = ed.programme(pid).short or pid
            floor = f"the {partner} floor" if partner else "the guaranteed floor"
            rows[f"{what} benefit {final} below {floor} ({number(self.guarantee_floor)})"] = self.p_guarantee_binds
        return pd.DataFrame({"probability_pct": rows}).rename_axis("event")

    def _repr_html_(self) -> str:
        """Headline probabilities and the percentiles as formatted tables in Jupyter (£m)."""
        from mtfs_model.base.display import risk_html

        return risk_html(self)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, in reading order."""
        return {
            "net_budget": self.net_budget,
            "gap": self.gap,
            "hn_deficit": self.hn_deficit,
            "reference": self.reference,
            "probabilities": self.probabilities(),
            "reserve": self.reserve(),
            "worst": self.worst_futures(),
            "tornado": self.tornado,
            "variance": self.variance,
            "inputs": self.spec.table(),
        }

    def reserve(self) -> pd.DataFrame:
        """What each contingency figure is: the overspend against the MTFS in each year and
        over the MTFS years, and the final year's structural gap, at P50/P80/P90
        (:func:`mtfs_model.risk.tail.reserve_table`; GBP000)."""
        from mtfs_model.risk.tail import reserve_table

        return reserve_table(self)

    def worst_futures(self, share: float = 0.10) -> pd.DataFrame:
        """What went wrong in the worst ``share`` of futures: each input's median
        percentile there (:func:`mtfs_model.risk.tail.worst_futures`; drawn again from the
        seed the first time, then kept)."""
        from mtfs_model.risk.tail import worst_futures

        cache = self.__dict__.setdefault("_worst", {})
        if share not in cache:
            cache[share] = worst_futures(self, share)
        frame: pd.DataFrame = cache[share]
        return frame


def check_simulation_arguments(n: object, seed: object, chunk_size: object) -> None:
    """Check ``n`` (at least 1), ``seed`` (at least 0) and ``chunk_size`` (None or at least 1) are whole numbers:
    one-line InputError otherwise."""
    for key, value, least in (("n", n, 1), ("seed", seed, 0), ("chunk_size", chunk_size, 1)):
        if value is None and key == "chunk_size":
            continue
        check_whole(key, value, least)


def _empty_paths(p: Plan, n: int) -> Paths:
    t_count, k_count = len(p.years), len(p.spec.distributions)
    return Paths(
        np.empty((n, len(p.line_codes), t_count)),
        np.empty((n, len(p.hn_factors), t_count)),
        np.empty((n, t_count)),
        np.empty((n, k_count, t_count)),
    )


def chunk_rows(n: int, chunk_size: int | None) -> int:
    """Trajectories evaluated at once: ``chunk_size`` (default :data:`DEFAULT_CHUNK_SIZE`)
    rounded down to whole random-stream blocks, at least one block, at most ``n``."""
    chunk = int(chunk_size or DEFAULT_CHUNK_SIZE)
    return min(n, max(BLOCK_SIZE, chunk - chunk % BLOCK_SIZE))


@dataclass
class _Run:
    """What one pass over the trajectories collects (year-major where by year)."""

    net: Array
    hn: Array
    benefit: Array | None
    moments: Moments | None = None
    lines: Array | None = None
    paths: Paths | None = None


def _run_chunks(
    p: Plan,
    seed: int,
    n: int,
    chunk: int,
    progress: Callable[[int, int], None] | None = None,
    *,
    keep: bool = False,
    lines: bool = False,
    moments: bool = True,
) -> _Run:
    """One pass: draw each chunk's normals into a reused buffer, turn them into
    multipliers in place, evaluate the :class:`~mtfs_model.risk.plan.Kernel`, keep the
    outputs (and, as asked, the variance moments, the lines' final-year changes or the
    paths).  Chunks hold whole blocks, so nothing depends on ``chunk``."""
    spec, t_count = p.spec, len(p.years)
    sampler = Sampler(spec, t_count)
    kernel = Kernel(p, chunk)
    zbuf = np.empty((sampler.rows, chunk))
    work = np.empty((t_count, chunk))
    out = _Run(
        net=np.empty((t_count, n)),
        hn=np.empty((t_count, n)),
        benefit=np.empty(n) if p.guarantee is not None else None,
        moments=Moments(len(p.line_codes) + 1) if moments else None,
        lines=np.empty((n, len(p.line_codes))) if lines else None,
        paths=_empty_paths(p, n) if keep else None,
    )
    l_count, h_count = len(p.line_codes), len(p.hn_factors)
    kept = None
    if keep:
        kept = Paths(np.zeros((l_count, t_count, chunk)), np.empty((h_count, t_count, chunk)), np.empty(0), np.empty(0))
    mtfs_last = float(p.mtfs_net[-1])
    block = np.empty((l_count + 1, min(chunk, BLOCK_SIZE)))
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        m = stop - start
        z = sampler.draw(seed, start, stop, zbuf)
        factors = factors_in_place(spec, sampler.split(z), work)
        net, _ = kernel.run(factors, m, kept, out.net[:, start:stop], out.hn[:, start:stop])
        if out.benefit is not None and kernel.benefit_buf is not None:
            out.benefit[start:stop] = kernel.benefit_buf[:m]
        if out.moments is not None:
            for b0 in range(0, m, BLOCK_SIZE):
                b1 = min(m, b0 + BLOCK_SIZE)
                x = block[:, : b1 - b0]
                x[:l_count] = kernel.lines_buf[:, b0:b1]
                np.subtract(net[-1, b0:b1], mtfs_last, out=x[l_count])
                out.moments.add(x)
        if out.lines is not None:
            out.lines[start:stop] = kernel.lines_buf[:, :m].T
        if out.paths is not None and kept is not None:
            out.paths.line_delta[start:stop] = kept.line_delta[:, :, :m].transpose(2, 0, 1)
            out.paths.hn_delta[start:stop] = kept.hn_delta[:, :, :m].transpose(2, 0, 1)
            out.paths.gap_delta[start:stop] = kernel.gap_buf[:, :m].T
            for k, f in enumerate(factors):
                out.paths.factors[start:stop, k] = (f[:, None] if f.ndim == 1 else f.T)[:m]
        if progress is not None:
            progress(stop, n)
    return out


class CommonDraws:
    """Common random numbers: the normals of ``n`` trajectories drawn once for ``seed``
    and re-used for every scenario simulated through them (goal seek and data tables on
    a probability).  Each scenario runs the engine once (its plan) and re-evaluates the
    model on the same draws, so :meth:`p_exceeds_mtfs` is exactly ``simulate(scenario, n,
    seed).p_exceeds_mtfs`` and moves with a lever only as the model does (no noise
    between lever values).  The draws are kept per set of inputs (their names,
    correlation and the years): ``8 x normals x n`` bytes, 26 normals a trajectory for
    the bundled MTFS.  Each input's multipliers are kept too, per distribution, so a lever
    value re-computes only those its scenario changes (a re-based programme)."""

    def __init__(
        self, n: int, seed: int = 1, chunk_size: int | None = None, reference_files: Sequence[Path] = ()
    ) -> None:
        from mtfs_model.base.limits import BASELINE_NORMALS, check_simulation_memory

        check_simulation_memory(n, chunk_size=chunk_size, extra_kept=BASELINE_NORMALS)  # the draws, kept
        check_simulation_arguments(n, seed, chunk_size)
        self.n, self.seed = int(n), int(seed)
        self.reference_files = tuple(reference_files)
        self.chunk = chunk_rows(self.n, chunk_size)
        self._draws: dict[tuple[object, ...], tuple[Sampler, Array]] = {}
        self._kernel: Kernel | None = None
        self._factors: dict[tuple[object, ...], Array] = {}

    def _key(self, spec: RiskSpec, t_count: int) -> tuple[object, ...]:
        return (
            tuple(spec.names()),
            tuple(d.evolution for d in spec.distributions),
            spec.correlation.tobytes(),
            t_count,
        )

    def _shocks(self, spec: RiskSpec, t_count: int) -> tuple[Sampler, Array]:
        key = self._key(spec, t_count)
        if key not in self._draws:
            sampler = Sampler(spec, t_count)
            z = np.empty((sampler.rows, self.n))
            for start in range(0, self.n, self.chunk):
                stop = min(self.n, start + self.chunk)
                sampler.draw(self.seed, start, stop, z[:, start:stop])
            self._draws[key] = (sampler, z)
        return self._draws[key]

    def p_exceeds_mtfs(self, scenario: Scenario) -> float:
        """The share of the trajectories whose final-year net budget is above the MTFS's."""
        spec = risk_spec(scenario, self.reference_files)
        p = plan(scenario, spec)
        t_count = len(p.years)
        sampler, z = self._shocks(spec, t_count)
        draws = self._key(spec, t_count)
        factors = []
        for k, (d, shocks) in enumerate(zip(spec.distributions, sampler.split(z), strict=True)):
            key = (draws, k, d, spec.spread_scale)
            if key not in self._factors:
                if len(self._factors) >= 4 * len(spec.distributions):  # keep the memory bounded
                    del self._factors[next(iter(self._factors))]
                self._factors[key] = multipliers(d, shocks, spec.spread_scale, np.empty_like(shocks), None, t_count)
            factors.append(self._factors[key])
        kernel = self._kernel = Kernel(p, self.chunk, self._kernel)
        above = 0
        for start in range(0, self.n, self.chunk):
            stop = min(self.n, start + self.chunk)
            mine = [f[..., start:stop] for f in factors]
            net, _ = kernel.run(mine, stop - start, final_only=True)
            above += int(np.count_nonzero(net[-1] > p.mtfs_net[-1]))
        return above / self.n


def check_paths_memory(p: Plan, n: int, chunk_size: int | None) -> None:
    """The memory guard of :func:`~mtfs_model.base.limits.check_simulation_memory`, counting
    the per-trajectory paths ``keep_paths`` holds (years x (lines + drawn High Needs
    lines + inputs + 1) more floats a trajectory)."""
    from mtfs_model.base.limits import check_simulation_memory

    t_count, k_count = len(p.years), len(p.spec.distributions)
    extra = t_count * (len(p.line_codes) + len(p.hn_factors) + k_count + 1)
    check_simulation_memory(n, k_count, t_count, len(p.line_codes), chunk_size=chunk_size, extra_kept=extra)


def simulate(
    scenario: Scenario | str | None = None,
    n: int = 100_000,
    seed: int = 1,
    chunk_size: int | None = None,
    *,
    edition: Edition | None = None,
    progress: Callable[[int, int], None] | None = None,
    keep_paths: bool = False,
    reference_files: Sequence[Path] = (),
    evidence_as_of: str | None = None,
) -> RiskResult:
    """Monte Carlo of the whole MTFS: ``n`` trajectories of every uncertain input.

    ``scenario`` is a Scenario (run on its own edition), a name or None (the edition as
    published) on ``edition`` (default the bundled one);
    its ``[risk]`` table overrides the edition's ``risk.toml``.  ``seed`` (a whole number
    >= 0) fixes the draws; the same seed gives the same result bit for bit WHATEVER
    ``chunk_size`` (trajectories evaluated at once, default :data:`DEFAULT_CHUNK_SIZE`,
    rounded down to whole blocks of :data:`BLOCK_SIZE`, at least one; it bounds memory
    only).  ``progress(done, n)`` is called after each chunk.
    ``keep_paths`` also keeps every line's, High Needs line's and input's path per
    trajectory (``result.samples.paths``; :mod:`.paths` reads any figure from
    them), at about ``8 x years x (lines + inputs + ...)`` bytes a trajectory.
    ``reference_files``: reference-class files read with the bundled one (the same
    out-of-sample rule applies to them).  ``evidence_as_of`` (``YYYY-MM-DD``): read the
    reference class as it stood that day, whatever ``[risk] evidence_as_of`` says (the
    back-test passes its edition's papers' date).  GBP000.
    """
    from mtfs_model.base.limits import check_simulation_memory  # an n that cannot fit: one InputError, not MemoryError

    check_simulation_memory(n, chunk_size=chunk_size)
    check_simulation_arguments(n, seed, chunk_size)
    if not isinstance(scenario, Scenario):
        ed = edition or load_edition()
        scenario = load_scenario(scenario or "baseline", edition=ed)
    spec = risk_spec(scenario, reference_files, evidence_as_of=evidence_as_of)
    p = plan(scenario, spec)
    n = int(n)
    if keep_paths:
        check_paths_memory(p, n, chunk_size)
    seed, chunk = int(seed), chunk_rows(n, chunk_size)
    got = _run_chunks(p, seed, n, chunk, progress, keep=keep_paths)

    def line_changes() -> Array:
        again = _run_chunks(p, seed, n, chunk, lines=True, moments=False)
        assert again.lines is not None
        return again.lines

    samples = Samples(got.net.T, got.hn.T, got.benefit, line_changes, p.line_codes, got.paths)
    torn, base = tornado(p)
    years = p.years
    reference = pd.DataFrame(
        [p.mtfs_net, p.det_net, p.det_hn, base.net[0], base.hn[0]],
        index=pd.Index([MTFS_ROW, SCENARIO_ROW, SCENARIO_HN_ROW, BASE_ROW, BASE_HN_ROW], name="figure"),
        columns=list(years),
    )
    titles = {c: ln.title for c, ln in scenario.inputs.lines.items()}
    g = p.guarantee
    binds = None
    if g is not None and got.benefit is not None:
        binds = float(np.count_nonzero(got.benefit < g.floor)) / n
    net_budget, gap = percentile_tables(got.net, years, p.mtfs_net)
    assert got.moments is not None
    return RiskResult(
        scenario=scenario,
        n=n,
        seed=seed,
        spec=spec,
        net_budget=net_budget,
        gap=gap,
        hn_deficit=percentile_tables(got.hn, years)[0],
        reference=reference,
        p_exceeds_mtfs=float(np.count_nonzero(got.net[-1] > p.mtfs_net[-1])) / n,
        p_guarantee_binds=binds,
        guarantee_floor=None if g is None else g.floor,
        tornado=torn,
        variance=variance_table(got.moments, p.line_codes, titles),
        samples=samples,
    )
