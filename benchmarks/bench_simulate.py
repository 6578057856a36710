"""Benchmark (not a test): ``simulate()`` for a million trajectories against the floor.

    python benchmarks/bench_simulate.py                 # n = 1,000,000, 7 repeats, memory at 5,000,000
    python benchmarks/bench_simulate.py --n 200000 --repeats 5 --memory-n 0
    python benchmarks/bench_simulate.py --edition path/to/editions/other   # any edition
    python benchmarks/bench_simulate.py --against /path/to/another/checkout --repeats 6

The **floor** is the time numpy's SFC64 generator takes to draw the standard normals the
model needs -- ``n`` x the normals a trajectory needs (one per level input, one per year
of every other input: 26 for the bundled MTFS) -- in one call into a buffer allocated
beforehand.  Each repeat times the floor and then ``simulate(n)`` back to back, so the
two see the same machine; the script prints the medians, their ratio and the median of
the per-repeat ratios (the figure to read on a loaded machine).  It also prints the mean
seconds of one deterministic ``run()`` (the per-trajectory speed-up), checks that the same
seed gives the same tables at another chunk size, and measures peak memory at
``--memory-n`` trajectories in a fresh child process (tracemalloc peak of ``simulate()``
and the child's maximum resident set size).  Targets (issue 18): 1M under 1 s and within
4x the floor; under 1 GiB at 5M.  ``--against DIR`` instead times this checkout and
another (an older commit's source tree) alternately, each repeat a fresh child process
per checkout timing the floor and one ``simulate()`` back to back, and prints both.  It
measures and reports; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc

import numpy as np

import mtfs_model
from mtfs_model.risk.draws import Sampler
from mtfs_model.risk.simulate import DEFAULT_CHUNK_SIZE, simulate
from mtfs_model.risk.spec import risk_spec

GIB = 1024**3


def normals_per_trajectory(scenario: mtfs_model.Scenario) -> int:
    """The normals one trajectory draws (the sampler's rows)."""
    return Sampler(risk_spec(scenario), len(scenario.edition.years)).rows


def floor_seconds(buffer: np.ndarray, seed: int) -> float:
    gen = np.random.Generator(np.random.SFC64(seed))
    start = time.perf_counter()
    gen.standard_normal(out=buffer)
    return time.perf_counter() - start


PAIR = """
import json, time, numpy as np, mtfs_model
from mtfs_model.risk.simulate import simulate
s = mtfs_model.load_scenario({scenario!r}); simulate(s, n=1000)
buf = np.empty({count}); buf.fill(0.0)
g = np.random.Generator(np.random.SFC64({seed})); t = time.perf_counter(); g.standard_normal(out=buf)
floor = time.perf_counter() - t; del buf
t = time.perf_counter(); simulate(s, n={n}, seed={seed}); print(json.dumps([floor, time.perf_counter() - t]))
"""


def against(args: argparse.Namespace, count: int) -> int:
    """This checkout and ``args.against`` alternately, in fresh child processes run from
    a neutral folder (so each imports its own ``mtfs_model``)."""
    import json
    import tempfile
    from pathlib import Path

    here = str(Path(mtfs_model.__file__).resolve().parents[1])
    code = PAIR.format(scenario=args.scenario, count=count, seed=args.seed, n=args.n)
    got: dict[str, list[tuple[float, float]]] = {"this checkout": [], args.against: []}
    with tempfile.TemporaryDirectory() as neutral:
        for _ in range(args.repeats):
            for name, root in (("this checkout", here), (args.against, args.against)):
                env = dict(os.environ, PYTHONPATH=root, PYTHONDONTWRITEBYTECODE="1")
                out = subprocess.run([sys.executable, "-c", code], env=env, cwd=neutral, check=True,
                                     capture_output=True, text=True).stdout  # fmt: skip
                floor, sim = json.loads(out.split("\n")[-2])
                got[name].append((floor, sim))
    for name, pairs in got.items():
        sims = [b for _, b in pairs]
        runs = ", ".join(f"{t:.2f}" for t in sims)
        ratio = statistics.median([b / a for a, b in pairs])
        floor = statistics.median([a for a, _ in pairs])
        print(f"{name}: simulate median {statistics.median(sims):.3f} s, floor median {floor:.3f} s, "
              f"median per-run ratio {ratio:.2f}x (runs: {runs})")  # fmt: skip
    return 0


def memory_child(args: argparse.Namespace) -> int:
    """Run in a fresh process: one simulate() at ``--memory-n`` under tracemalloc."""
    edition = mtfs_model.load_edition(args.edition)
    scenario = mtfs_model.load_scenario(args.scenario, edition=edition)
    simulate(scenario, n=1_000, seed=args.seed)
    tracemalloc.start()
    simulate(scenario, n=args.memory_n, seed=args.seed, chunk_size=args.chunk_size)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(peak)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="baseline")
    parser.add_argument("--n", type=int, default=1_000_000, help="trajectories (default 1,000,000)")
    parser.add_argument("--repeats", type=int, default=7, help="timed floor + simulate() pairs (default 7)")
    parser.add_argument("--runs", type=int, default=50, help="timed run() calls (default 50)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE)
    parser.add_argument("--memory-n", type=int, default=5_000_000, help="trajectories for the memory peak (0: skip)")
    parser.add_argument("--edition", default=None, help="an edition folder (default: the bundled one)")
    parser.add_argument("--against", default=None, help="another checkout's folder, timed alternately with this one")
    parser.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        return memory_child(args)

    edition = mtfs_model.load_edition(args.edition)
    scenario = mtfs_model.load_scenario(args.scenario, edition=edition)
    per = normals_per_trajectory(scenario)
    if args.against:
        return against(args, args.n * per)
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
        f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    simulate(scenario, n=1_000, seed=args.seed)  # warm-up: imports, caches
    buffer = np.empty(args.n * per)
    buffer.fill(0.0)  # first touch outside the timing
    floors, sims = [], []
    first = None
    for _ in range(args.repeats):
        floors.append(floor_seconds(buffer, args.seed))
        t0 = time.perf_counter()
        result = simulate(scenario, n=args.n, seed=args.seed, chunk_size=args.chunk_size)
        sims.append(time.perf_counter() - t0)
        if first is None:
            first = result
        del result
    del buffer
    assert first is not None
    other = simulate(scenario, n=args.n, seed=args.seed, chunk_size=max(1, args.chunk_size // 2 + 1))
    same = all(first.tables()[k].equals(other.tables()[k]) for k in first.tables())
    del other

    mtfs_model.run(scenario)
    t0 = time.perf_counter()
    for _ in range(args.runs):
        mtfs_model.run(scenario)
    per_run = (time.perf_counter() - t0) / args.runs

    sim, floor = statistics.median(sims), statistics.median(floors)
    ratios = [s / f for s, f in zip(sims, floors, strict=True)]
    print(f"simulate({args.scenario!r}, n={args.n:,}, chunk_size={args.chunk_size:,}), {args.repeats} repeats:")
    print(f"  simulate: median {sim:.3f} s  (runs: {', '.join(f'{t:.3f}' for t in sims)})")
    print(f"  floor ({args.n:,} x {per} = {args.n * per:,} SFC64 normals): median {floor:.3f} s")
    print(f"  ratio of medians {sim / floor:.2f}x; median of per-repeat ratios {statistics.median(ratios):.2f}x")
    print(f"  per trajectory {sim / args.n * 1e6:.2f} us; run() {per_run * 1e3:.1f} ms a call: "
          f"{per_run / (sim / args.n):,.0f}x faster per trajectory")  # fmt: skip
    print(f"  same tables at chunk size {max(1, args.chunk_size // 2 + 1):,}: {'yes' if same else 'NO'}")
    final = first.years[-1]
    binds = "n/a (no guarantee)" if first.p_guarantee_binds is None else f"{first.p_guarantee_binds:.4f}"
    print(f"  P({final} net > MTFS) = {first.p_exceeds_mtfs:.4f}; P(guarantee floor binds) = {binds}")
    checks = {"under 1 s": sim < 1.0, "within 4x the floor": statistics.median(ratios) <= 4.0}
    if args.memory_n:
        child = [sys.executable, __file__, args.scenario, "--memory-child", "--memory-n", str(args.memory_n),
                 "--seed", str(args.seed), "--chunk-size", str(args.chunk_size)]  # fmt: skip
        if args.edition:
            child += ["--edition", args.edition]
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        out = subprocess.run(child, check=True, capture_output=True, text=True).stdout
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
        traced = int(out.split()[-1])
        note = "" if rss > before * 1024 else " (an earlier child's peak)"
        print(f"memory at n={args.memory_n:,}: tracemalloc peak {traced / 2**20:,.0f} MiB in simulate(); "
              f"child max RSS {rss / 2**20:,.0f} MiB{note}")  # fmt: skip
        checks[f"under 1 GiB at {args.memory_n:,}"] = max(traced, rss) < GIB
    print("targets: " + ", ".join(f"{k}: {'met' if ok else 'MISSED'}" for k, ok in checks.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
