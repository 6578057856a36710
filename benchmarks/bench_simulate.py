"""Benchmark (not a test): ``simulate()`` for a million trajectories against looping ``run()``.

    python benchmarks/bench_simulate.py                 # n = 1,000,000, 5 repeats, 200 run() calls
    python benchmarks/bench_simulate.py --n 200000 --repeats 3 --runs 50
    python benchmarks/bench_simulate.py --edition path/to/editions/other   # any edition

Prints the median wall-clock seconds of ``simulate(n)`` over the repeats, the mean
seconds of one deterministic ``run()`` (the engine a trajectory would otherwise cost),
the per-trajectory speed-up, and peak memory two ways: the tracemalloc peak of one
``simulate()`` (numpy's buffers included) and the process's maximum resident set size
(interpreter, numpy and pandas included).  Targets (issue 4): under 3 s for 1M, at
least 1,000x faster per trajectory, under 1 GiB.  It measures and reports; it does not
assert, and it leaves the environment (threads, OPENBLAS_CORETYPE) as it finds it.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc

import numpy as np

import mtfs_model
from mtfs_model.risk.simulate import DEFAULT_CHUNK_SIZE, simulate

GIB = 1024**3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="baseline")
    parser.add_argument("--n", type=int, default=1_000_000, help="trajectories (default 1,000,000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed simulate() calls (default 5)")
    parser.add_argument("--runs", type=int, default=200, help="timed run() calls (default 200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE)
    parser.add_argument("--edition", default=None, help="an edition folder (default: the bundled one)")
    args = parser.parse_args(argv)

    edition = mtfs_model.load_edition(args.edition)
    scenario = mtfs_model.load_scenario(args.scenario, edition=edition)
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}"
    )
    simulate(scenario, n=1_000, seed=args.seed)  # warm-up: imports, caches, first-touch

    times = []
    first = None
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        result = simulate(scenario, n=args.n, seed=args.seed, chunk_size=args.chunk_size)
        times.append(time.perf_counter() - t0)
        if first is None:
            first = result.net_budget
        elif not first.equals(result.net_budget):
            print("ERROR: the same seed gave a different result", file=sys.stderr)
            return 1
        del result
    sim = statistics.median(times)

    mtfs_model.run(scenario)
    t0 = time.perf_counter()
    for _ in range(args.runs):
        mtfs_model.run(scenario)
    per_run = (time.perf_counter() - t0) / args.runs

    tracemalloc.start()
    result = simulate(scenario, n=args.n, seed=args.seed, chunk_size=args.chunk_size)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux

    per_trajectory = sim / args.n
    ratio = per_run / per_trajectory
    print(f"simulate({args.scenario!r}, n={args.n:,}, chunk_size={args.chunk_size:,}), {args.repeats} repeats:")
    print(f"  seconds: median {sim:.3f}  (min {min(times):.3f}, max {max(times):.3f})")
    print(f"  per trajectory: {per_trajectory * 1e6:.2f} us")
    print(f"run() x {args.runs}: {per_run * 1e3:.2f} ms a call")
    print(f"speed-up per trajectory: {ratio:,.0f}x")
    print(
        f"peak memory: tracemalloc {traced_peak / 2**20:,.0f} MiB in simulate(); "
        f"process max RSS {maxrss / 2**20:,.0f} MiB"
    )
    final = result.years[-1]
    binds = "n/a (no guarantee)" if result.p_guarantee_binds is None else f"{result.p_guarantee_binds:.4f}"
    print(f"P({final} net > MTFS) = {result.p_exceeds_mtfs:.4f}; P(guarantee floor binds) = {binds}")
    if args.n == 1_000_000:
        checks = {
            "1M under 3 s": sim < 3.0,
            ">= 1,000x per trajectory": ratio >= 1_000,
            "under 1 GiB (max RSS)": maxrss < GIB,
        }
        print("targets: " + ", ".join(f"{k}: {'met' if ok else 'MISSED'}" for k, ok in checks.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
