"""Limits on what a run may ask for: trajectories, and the memory a simulation needs.

:func:`mtfs_model.risk.simulate` keeps every trajectory's outputs so that its percentiles
are exact, so its memory grows with ``n``; a mistyped ``n`` (``10**12``) would otherwise
end in a ``MemoryError`` or the machine swapping.  :func:`check_simulation_memory` is
called first thing in ``simulate`` and refuses, with one :class:`InputError` line, a
run whose estimated peak is above the limit: :data:`DEFAULT_MEMORY_LIMIT_MB` (4,096 MiB)
unless the environment variable ``MTFS_MEMORY_LIMIT_MB`` sets another (a whole number of
MiB >= 1).

What ``simulate`` holds (float64, 8 bytes; ``T`` years, ``L`` lines, ``S`` normals a
trajectory -- one per level input, one per year of every other input):

* kept for the whole run, ``n`` rows each: the net budget and the High Needs deficit
  ``(T, n)`` twice and the guarantee programme's benefit ``(n,)`` -- ``8 n (2T + 1)``
  bytes, 72 bytes a trajectory for the bundled MTFS (T 4); each line's change is not
  kept (the variance ranking is accumulated chunk by chunk);
* while a chunk of ``c`` trajectories is evaluated (``chunk_size`` rounded down to whole
  random-stream blocks of :data:`BLOCK_SIZE`, at least one): the normals ``(S, c)``, the
  model's buffers (net budget, deficit and gap by year, the lines' final-year changes)
  and the temporaries of the multipliers and driver models, about ``8 c (S + 7T + L + 2)``
  bytes, plus the variance ranking's block ``8 (L + 1) min(c, BLOCK_SIZE)``;
* at the end, instead of a chunk: a copy of one year's column for its percentiles, ``8 n``.

The peak is the kept arrays plus the larger of the last two (plus about 1 MiB of tables):
for a million trajectories at the default chunk of 131,072 the estimate is 140 MiB with
the evidence view's 16 inputs (138 MiB with 14, where ``tracemalloc`` measured 137 MiB;
``benchmarks/bench_simulate.py``; 5 million: about 0.5 GiB).  The sizes default to the
bundled MTFS (:data:`BASELINE_YEARS`,
:data:`BASELINE_LINES`, :data:`BASELINE_INPUTS`, :data:`BASELINE_NORMALS`;
``tests/test_cli_ops.py`` keeps them equal to what ``simulate`` holds), since the guard
runs before the scenario is read.
"""

from __future__ import annotations

import os
from numbers import Integral

from mtfs_model.base.errors import InputError

MAX_TRAJECTORIES = 20_000_000
"""The most trajectories the command line accepts for ``--n`` and ``--chunk-size``."""
DEFAULT_MEMORY_LIMIT_MB = 4096
"""Default memory limit of one simulation, MiB (``MTFS_MEMORY_LIMIT_MB`` overrides it)."""
MEMORY_ENV = "MTFS_MEMORY_LIMIT_MB"
BASELINE_YEARS = 4
"""Years of the bundled MTFS (2021/22 to 2024/25)."""
BASELINE_LINES = 11
"""Growth and savings lines of the bundled MTFS (G1-G6, CF1-CF5); a scenario adds none."""
BASELINE_INPUTS = 17
"""Uncertain inputs of ``risk.toml`` (15, the guarantee's effectiveness among them) and the
reference-class multipliers the default evidence view adds (2); a scenario's ``[risk]``
may override them, not add more."""
BASELINE_HORIZON_INPUTS = 2
"""Reference-class multipliers of the bundled evidence view (one draw a trajectory, a value a year)."""
BASELINE_NORMALS = 29
"""Normals a trajectory draws for the bundled ``risk.toml``: 13 drawn once a trajectory (2
of them the reference class's), 4 drawn each year."""
BLOCK_SIZE = 16_384
"""The same as :data:`mtfs_model.risk.BLOCK_SIZE` (a test keeps them equal)."""
DEFAULT_CHUNK_SIZE = 131_072
"""The same as :data:`mtfs_model.risk.DEFAULT_CHUNK_SIZE` (a test keeps them equal)."""
OVERHEAD_BYTES = 1 << 20
MIB = 1 << 20


def estimate_simulation_bytes(
    n: int,
    n_inputs: int = BASELINE_INPUTS,
    n_years: int = BASELINE_YEARS,
    n_lines: int = BASELINE_LINES,
    *,
    chunk_size: int | None = None,
    n_normals: int | None = None,
    extra_kept: int = 0,
) -> int:
    """Estimated peak bytes :func:`~mtfs_model.risk.simulate` allocates for ``n`` trajectories.

    See the module docstring for the arrays counted; ``chunk_size`` defaults to
    :data:`DEFAULT_CHUNK_SIZE`; ``n_normals`` (normals a trajectory) to
    :data:`BASELINE_NORMALS` for the bundled inputs, else every input drawn each year;
    ``extra_kept`` counts more floats kept a trajectory (the paths ``keep_paths`` holds).
    """
    n = max(int(n), 0)
    chunk = chunk_size if chunk_size and chunk_size > 0 else DEFAULT_CHUNK_SIZE
    chunk = min(n, max(BLOCK_SIZE, chunk - chunk % BLOCK_SIZE))
    if n_normals is None:
        n_normals = BASELINE_NORMALS if n_inputs == BASELINE_INPUTS else n_inputs * n_years
    kept = 8 * n * (2 * n_years + 1 + extra_kept)
    # a reference-class (horizon) input's multipliers by year are a new (years, chunk) array
    # each, with the normal-to-Student-t map's work rows
    horizon = BASELINE_HORIZON_INPUTS * (n_years + 6)
    per_chunk = 8 * chunk * (n_normals + 7 * n_years + n_lines + 2 + horizon + extra_kept) + 8 * (n_lines + 1) * min(
        chunk, BLOCK_SIZE
    )
    at_end = 8 * n
    return kept + max(per_chunk, at_end) + OVERHEAD_BYTES


def memory_limit_mb() -> int:
    """The limit in MiB: ``$MTFS_MEMORY_LIMIT_MB`` if set, else :data:`DEFAULT_MEMORY_LIMIT_MB`."""
    raw = os.environ.get(MEMORY_ENV, "").strip()
    if not raw:
        return DEFAULT_MEMORY_LIMIT_MB
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise InputError("(environment)", MEMORY_ENV, "a whole number of MiB >= 1", raw)
    return value


def max_trajectories(
    limit_bytes: int,
    n_inputs: int = BASELINE_INPUTS,
    n_years: int = BASELINE_YEARS,
    n_lines: int = BASELINE_LINES,
    *,
    chunk_size: int | None = None,
    extra_kept: int = 0,
) -> int:
    """The largest ``n`` whose :func:`estimate_simulation_bytes` fits in ``limit_bytes``."""

    def fits(n: int) -> bool:
        need = estimate_simulation_bytes(n, n_inputs, n_years, n_lines, chunk_size=chunk_size, extra_kept=extra_kept)
        return need <= limit_bytes

    lo, hi = 0, 1
    while fits(hi):
        lo, hi = hi, hi * 2
    while hi - lo > 1:  # lo fits, hi does not
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    return lo


def check_simulation_memory(
    n: object,
    n_inputs: int = BASELINE_INPUTS,
    n_years: int = BASELINE_YEARS,
    n_lines: int = BASELINE_LINES,
    *,
    chunk_size: object = None,
    extra_kept: int = 0,
) -> None:
    """Raise :class:`InputError` (``(arguments)``, ``--n``) if ``n`` trajectories need more
    memory than :func:`memory_limit_mb` allows.

    Anything that is not a whole number >= 1 is left to the caller's own validation (so
    ``simulate`` reports a bad ``n`` or ``chunk_size`` its usual way).
    """
    if isinstance(n, bool) or not isinstance(n, Integral) or int(n) < 1:
        return
    chunk = int(chunk_size) if isinstance(chunk_size, Integral) and not isinstance(chunk_size, bool) else None
    need = estimate_simulation_bytes(int(n), n_inputs, n_years, n_lines, chunk_size=chunk, extra_kept=extra_kept)
    limit_mb = memory_limit_mb()
    if need <= limit_mb * MIB:
        return
    most = max_trajectories(limit_mb * MIB, n_inputs, n_years, n_lines, chunk_size=chunk, extra_kept=extra_kept)
    expected = (
        f"at most {most:,} trajectories under the memory limit of {limit_mb:,} MiB "
        f"(about {-(-need // MIB):,} MiB needed; {MEMORY_ENV} sets the limit)"
    )
    raise InputError("(arguments)", "--n", expected, int(n))
