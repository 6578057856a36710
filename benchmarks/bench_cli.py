"""Benchmark (not a test): how long the ``mtfs`` command takes to start and answer.

    python benchmarks/bench_cli.py               # 5 process runs of each, interleaved
    python benchmarks/bench_cli.py --repeats 9

Times whole processes, as a person at a terminal waits for them:

* ``mtfs run baseline`` (the CLI: parse, import, run, render the tables),
* ``python -c "import mtfs_model as m; m.run('baseline')"`` (the library alone: the floor
  the CLI is measured against, measured in the same run so machine load affects both),
* ``mtfs --help`` (the standard library only).

Prints the median wall-clock seconds of each, the ratio of the first to the second, and
the load average, because the machine is shared and a loaded machine slows every figure.
The runs are interleaved (one of each, then again) so a change of load falls on all
three alike.  It measures and reports; it asserts nothing (the targets, for the reader:
``mtfs run baseline`` at most 0.8 s and at most 1.6 times the library's time;
``mtfs --help`` under 0.2 s).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _mtfs() -> list[str]:
    """The installed ``mtfs`` script beside this Python, else ``python -m mtfs_model``."""
    script = Path(sys.executable).with_name("mtfs")
    return [str(script)] if script.exists() else [sys.executable, "-m", "mtfs_model"]


COMMANDS = {
    "mtfs run baseline": [*_mtfs(), "run", "baseline"],
    "python -c 'm.run(\"baseline\")'": [sys.executable, "-c", "import mtfs_model as m; m.run('baseline')"],
    "mtfs --help": [*_mtfs(), "--help"],
}


def _cpu() -> float:
    """CPU seconds (user + system) used so far by this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _seconds(argv: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one process run (its output discarded; a failure
    stops the benchmark).  CPU time moves less with the machine's load than wall-clock."""
    cpu, start = _cpu(), time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, _cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="process runs of each command (default 5)")
    args = parser.parse_args()
    for argv in COMMANDS.values():  # warm the file cache and bytecode once, untimed
        _seconds(argv)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    cpus: dict[str, list[float]] = {name: [] for name in COMMANDS}
    load_before = os.getloadavg()[0]
    for _ in range(args.repeats):
        for name, argv in COMMANDS.items():
            wall, cpu = _seconds(argv)
            times[name].append(wall)
            cpus[name].append(cpu)
    load_after = os.getloadavg()[0]
    medians = {name: statistics.median(t) for name, t in times.items()}
    cpu_medians = {name: statistics.median(t) for name, t in cpus.items()}
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load_before:.2f} -> {load_after:.2f}")
    print(f"median of {args.repeats} process runs (seconds): wall-clock, CPU, and each run's wall-clock")
    for name, m in medians.items():
        spread = ", ".join(f"{t:.3f}" for t in times[name])
        print(f"  {name:32s} {m:6.3f}  {cpu_medians[name]:6.3f}   ({spread})")
    library = "python -c 'm.run(\"baseline\")'"
    ratio = medians["mtfs run baseline"] / medians[library]
    cpu_ratio = cpu_medians["mtfs run baseline"] / cpu_medians[library]
    print(f"  ratio mtfs run / library        {ratio:6.2f}  {cpu_ratio:6.2f}")


if __name__ == "__main__":
    main()
