"""Benchmark (not a test): the three-scenario Newton brief, HTML alone and HTML + workbook.

    python benchmarks/bench_brief.py                       # n = 100,000 a scenario, 5 repeats
    python benchmarks/bench_brief.py --n 20000 --repeats 5
    python benchmarks/bench_brief.py newton_guarantee hn_transfer_refused

Prints the median wall-clock seconds of ``write_brief`` (papermill runs the notebook in a
fresh kernel, nbconvert exports it) for the HTML alone and for the HTML and the ``--xlsx``
workbook together.  The workbook is written by the notebook from its own runs and
simulations, so the second figure should be the first plus the workbook's own writing
(well under a second), not a second Monte Carlo.  It measures and reports; it asserts
nothing.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import mtfs_model
from mtfs_model.brief.build import write_brief

NEWTON = ["newton_guarantee", "newton_estimate", "newton_stretch"]


def _time(scenarios: list[str], n: int, xlsx: bool, folder: Path) -> float:
    start = time.perf_counter()
    write_brief(
        scenarios,
        folder / "brief.html",
        xlsx=folder / "brief.xlsx" if xlsx else None,
        run_date="2021-03-09",
        progress=False,
        risk_n=n,
    )
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=NEWTON, help="scenarios (default: the three Newton ones)")
    parser.add_argument("--n", type=int, default=100_000, help="trajectories a scenario (default 100,000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed briefs of each kind (default 5)")
    args = parser.parse_args(argv)
    print(
        f"mtfs_model {mtfs_model.__version__}, Python {platform.python_version()}, {platform.machine()}; "
        f"scenarios {', '.join(args.scenarios)}; n = {args.n:,}; {args.repeats} repeats",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-brief-") as tmp:
        folder = Path(tmp)
        _time(args.scenarios, min(args.n, 1000), False, folder)  # warm the caches (imports, kernelspec)
        for label, xlsx in (("HTML", False), ("HTML + xlsx", True)):
            times = [_time(args.scenarios, args.n, xlsx, folder) for _ in range(args.repeats)]
            runs = ", ".join(f"{t:.2f}" for t in times)
            print(f"{label:<12} median {statistics.median(times):6.2f} s  (runs: {runs})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
