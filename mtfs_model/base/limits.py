"""Limits on what a run may ask for: trajectories, and the memory a simulation needs.

:func:`mtfs_model.risk.simulate` keeps every trajectory's outputs so that its percentiles
are exact, so its memory grows with ``n``; a mistyped ``n`` (``10**12``) would otherwise
end in a ``MemoryError`` or the machine swapping.  :func:`check_simulation_memory` is
called first thing in ``simulate`` and refuses, with one :class:`InputError` line, a
run whose estimated peak is above the limit: :data:`DEFAULT_MEMORY_LIMIT_MB` (4,096 MiB)
unless the environment variable ``MTFS_MEMORY_LIMIT_MB`` sets another (a whole number of
MiB >= 1).

What ``simulate`` holds (float64, 8 bytes; ``T`` years, ``L`` lines, ``K`` inputs):

* kept for the whole run, ``n`` rows each: the net budget and the High Needs deficit
  ``(n, T)`` twice, the DCFSF benefit ``(n,)`` and each line's change ``(n, L)`` --
  ``8 n (2T + 1 + L)`` bytes, 160 bytes a trajectory for the bundled MTFS (T 4, L 11);
* while a chunk of ``c`` trajectories is evaluated: every input's normals ``(K, c, T)``,
  each input's mixed shocks or multipliers (at most ``K`` more), about eight working
  ``(c, T)`` arrays (deltas, sums, outputs) and the lines' changes ``(c, L)`` --
  ``8 c (T (2K + 8) + L)`` bytes, about 1,240 a trajectory of the chunk (K 14);
* at the end, instead of a chunk: a copy for the percentiles and the gap array
  ``(n, T)`` and a few ``(n,)`` vectors for the variance ranking -- ``8 n (2T + 1)``.

The peak is the kept arrays plus the larger of the last two (plus about 1 MiB of tables):
for a million trajectories at the default chunk of 131,072 the estimate is 309 MiB where
``tracemalloc`` measures 307 MiB (``benchmarks/bench_simulate.py``).  The sizes default
to the bundled MTFS (:data:`BASELINE_YEARS`, :data:`BASELINE_LINES`,
:data:`BASELINE_INPUTS`; ``tests/test_cli_ops.py`` keeps them equal to what ``simulate``
holds), since the guard runs before the scenario is read.
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
BASELINE_INPUTS = 14
"""Uncertain inputs of ``risk.toml``; a scenario's ``[risk]`` may override them, not add more."""
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
) -> int:
    """Estimated peak bytes :func:`~mtfs_model.risk.simulate` allocates for ``n`` trajectories.

    See the module docstring for the arrays counted; ``chunk_size`` defaults to
    :data:`DEFAULT_CHUNK_SIZE` and only the first ``min(n, chunk_size)`` count for a chunk.
    """
    n = max(int(n), 0)
    chunk = min(n, chunk_size if chunk_size and chunk_size > 0 else DEFAULT_CHUNK_SIZE)
    kept = 8 * n * (2 * n_years + 1 + n_lines)
    per_chunk = 8 * chunk * (n_years * (2 * n_inputs + 8) + n_lines)
    at_end = 8 * n * (2 * n_years + 1)
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
) -> int:
    """The largest ``n`` whose :func:`estimate_simulation_bytes` fits in ``limit_bytes``."""

    def fits(n: int) -> bool:
        return estimate_simulation_bytes(n, n_inputs, n_years, n_lines, chunk_size=chunk_size) <= limit_bytes

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
) -> None:
    """Raise :class:`InputError` (``(arguments)``, ``--n``) if ``n`` trajectories need more
    memory than :func:`memory_limit_mb` allows.

    Anything that is not a whole number >= 1 is left to the caller's own validation (so
    ``simulate`` reports a bad ``n`` or ``chunk_size`` its usual way).
    """
    if isinstance(n, bool) or not isinstance(n, Integral) or int(n) < 1:
        return
    chunk = int(chunk_size) if isinstance(chunk_size, Integral) and not isinstance(chunk_size, bool) else None
    need = estimate_simulation_bytes(int(n), n_inputs, n_years, n_lines, chunk_size=chunk)
    limit_mb = memory_limit_mb()
    if need <= limit_mb * MIB:
        return
    most = max_trajectories(limit_mb * MIB, n_inputs, n_years, n_lines, chunk_size=chunk)
    expected = (
        f"at most {most:,} trajectories under the memory limit of {limit_mb:,} MiB "
        f"(about {-(-need // MIB):,} MiB needed; {MEMORY_ENV} sets the limit)"
    )
    raise InputError("(arguments)", "--n", expected, int(n))
