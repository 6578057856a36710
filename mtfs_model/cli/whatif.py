"""``mtfs solve`` and ``mtfs grid``: goal seek and data tables on the command line.

mtfs solve SCENARIO --lever PATH [--lever PATH ...] --target NAME[:YEAR] [--value X]
           [--bound equal|at_most|at_least] [--lo X --hi X] [--n N] [--seed S] [--format text|json]
mtfs grid SCENARIO --lever PATH=v1,v2,... [--lever PATH=...] [--target NAME[:YEAR]]
          [--format table|csv|json|markdown] [-o FILE] [--chart FILE.png] [--n N] [--seed S]

Repeated ``--lever`` in ``solve`` moves the paths together as one lever; in ``grid`` each
``--lever`` is one axis (at most two), and ``PATH+PATH=...`` moves paths together.  Wire
into ``mtfs_model.cli``::

    cli_whatif.add_parsers(sub)
    ...
    if args.command in cli_whatif.COMMANDS:
        return cli_whatif.dispatch(args)
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from mtfs_model.base.errors import InputError
from mtfs_model.base.rounding import pct
from mtfs_model.base.terminal import wrap_paragraphs
from mtfs_model.engine.labels import paths_label
from mtfs_model.scenarios.compose import as_scenario
from mtfs_model.whatif.goalseek import grid, grid_heatmap, solve

__all__ = ["COMMANDS", "dispatch", "parse_grid_lever"]

COMMANDS = ("solve", "grid")
CLI = "(arguments)"


def parse_grid_lever(text: str) -> tuple[str | tuple[str, ...], list[float]]:
    """``PATH=v1,v2`` (or ``PATH+PATH=...``) -> the lever key and its values."""
    path, sep, values = text.partition("=")
    if not sep or not path.strip() or not values.strip():
        raise InputError(CLI, "--lever", "PATH=v1,v2,...", text)
    try:
        numbers = [float(v) for v in values.split(",") if v.strip()]
    except ValueError:
        raise InputError(CLI, "--lever", "numbers separated by commas after =", values) from None
    if not numbers or not all(math.isfinite(x) for x in numbers):
        raise InputError(CLI, "--lever", "finite numbers separated by commas after =", values)
    paths = tuple(p.strip() for p in path.split("+"))
    return (paths[0] if len(paths) == 1 else paths), numbers


def _write(path: str, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (:func:`mtfs_model.base.report.atomic_write`:
    an existing directory only, nothing half-written)."""
    from mtfs_model.base.output import atomic_write

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    return atomic_write(path, write)


def _plain_label(x: Any) -> str:
    """``4400.0`` -> ``4400``, ``0.5`` -> ``0.5``: a label a spreadsheet reads as a number."""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _labelled(frame: pd.DataFrame, readable: bool) -> pd.DataFrame:
    """The grid with text labels: ``4,400`` to read (table, markdown), ``4400`` for data."""
    from mtfs_model.base.display import label_text

    name = label_text if readable else _plain_label
    out = frame.copy()
    out.index = pd.Index([name(x) for x in frame.index], name=frame.index.name)
    out.columns = pd.Index([name(x) for x in frame.columns], name=frame.columns.name)
    return out


def _grid(args: argparse.Namespace) -> str:
    if len(args.lever) > 2:
        raise InputError(CLI, "--lever", "one or two levers for a grid", len(args.lever))
    levers = dict(parse_grid_lever(t) for t in args.lever)
    frame = grid(args.scenario, levers, args.target, n=args.n, seed=args.seed)
    if args.chart:
        fig = grid_heatmap(frame)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        print(f"wrote {_write(args.chart, buf.getvalue())}", file=sys.stderr)
    from mtfs_model.base.report import to_text

    money = frame.attrs["unit"] == "GBP000"
    title = f"{frame.attrs['phrase'][:1].upper()}{frame.attrs['phrase'][1:]} ({'£000' if money else 'chance'})"
    readable = args.format in ("table", "markdown")
    shown = _labelled(frame, readable)
    if readable:
        ed = as_scenario(args.scenario).edition
        words = []
        for paths in frame.attrs["levers"]:
            short, unit, _ = paths_label(ed, paths.split(" + "))
            words.append(f"{short} ({unit})" if unit else short)
        if len(words) == 2:
            title += f" by {words[0]} (rows) and {words[1]} (columns)"
            shown.index.name = f"{words[0]} \\ {words[1]}"
        else:
            title += f" by {words[0]}"
            shown.index.name = words[0]
    if readable and not money:
        shown = shown.map(lambda v: f"{pct(v)}")
    return str(to_text(shown, args.format, title))


def dispatch(args: argparse.Namespace) -> int:
    """Run ``solve`` or ``grid``; 0 on success, 2 (and one ``error:`` line) on bad input."""
    try:
        if args.command == "solve":
            lever = args.lever[0] if len(args.lever) == 1 else args.lever
            s = solve(
                args.scenario,
                lever=lever,
                target=args.target,
                value=args.value,
                bound=args.bound,
                lo=args.lo,
                hi=args.hi,
                n=args.n,
                seed=args.seed,
            )
            if args.format == "json":
                fields = ("lever", "value", "target", "goal", "bound", "achieved", "iterations", "lo", "hi", "sentence")
                doc = {k: getattr(s, k) for k in fields} | {"scenario": s.scenario.name}
                sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
            else:
                print(wrap_paragraphs(s.sentence))  # the answer wrapped to the terminal
        elif args.command == "grid":
            text = _grid(args)
            if args.output:
                print(f"wrote {_write(args.output, text.encode('utf-8'))}", file=sys.stderr)
            else:
                sys.stdout.write(text)
        else:
            raise InputError(CLI, "command", "one of " + ", ".join(COMMANDS), args.command)
    except InputError as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 2
    return 0
