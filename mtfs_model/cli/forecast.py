"""``mtfs outturns``, ``mtfs backtest`` and ``mtfs simulate --from-outturns``: forecast
evaluation on the command line.

mtfs outturns [--format table|csv|json|markdown] [-o FILE]
mtfs backtest [SCENARIO] [--n N] [--seed S] [--include-reforecasts] [--chart FILE.png]
              [--calibrate] [--format ...] [-o FILE]
mtfs simulate SCENARIO --from-outturns [--through YEAR] [--reforecast-chart FILE.png] ...
mtfs evidence [--reference-class FILE.toml ...] [--as-of DATE] [--include-national] [--format ...] [-o FILE]

Wire into ``mtfs_model.cli``::

    from . import cli_forecast
    ...
    cli_forecast.add_parsers(sub)                 # before the loop that adds --edition
    cli_forecast.add_simulate_arguments(p_sim)
    ...
    if args.command in cli_forecast.COMMANDS:
        return cli_forecast.dispatch(args)
    ...
    # in _simulate, first thing:
    if getattr(args, "from_outturns", False):
        _emit(cli_forecast.simulate_from_outturns(args), args.output)
        return

Errors are one ``error: <file>: <key>: expected ...`` line each on standard error, exit
status 2 (``dispatch``), or raised as :class:`~mtfs_model.base.errors.InputError` for the
caller to report (``simulate_from_outturns``).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Any

import pandas as pd

from mtfs_model.base.errors import InputError, OutputError
from mtfs_model.base.output import check_output, write_text
from mtfs_model.base.report import terminal_progress, terminal_width, to_text
from mtfs_model.base.rounding import number
from mtfs_model.edition.folder import Edition, load_edition

__all__ = ["COMMANDS", "dispatch", "simulate_from_outturns"]

COMMANDS = ("outturns", "backtest", "evidence")
ARGS = "(arguments)"


def _edition(args: argparse.Namespace) -> Edition:
    path = getattr(args, "edition", None)
    return load_edition(path) if path else load_edition()


def _check_paths(args: argparse.Namespace, *keys: tuple[str, str]) -> None:
    """Every output path (attribute, option) checked before any work."""
    for attribute, key in keys:
        value = getattr(args, attribute, None)
        if value is not None:
            check_output(value, key)


def _write_png(path: str, fig: Any) -> None:
    from mtfs_model.base.output import atomic_write
    from mtfs_model.charts.backtest import png_bytes

    data = png_bytes(fig)

    def write(tmp: Any) -> None:
        tmp.write_bytes(data)

    print(f"wrote {atomic_write(path, write)}", file=sys.stderr)


def _emit(text: str, output: str | None) -> None:
    if output:
        print(f"wrote {write_text(output, text)}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def outturns_text(edition: Edition, fmt: str = "table") -> str:
    """The edition's outturns as ``fmt`` (an edition without any says so)."""
    from mtfs_model.forecast.outturns import load_outturns, outturns_file

    frame = load_outturns(edition)
    title = f"Outturns and re-forecasts recorded for {edition.title} ({outturns_file(edition).name})"
    if frame.empty and fmt in ("table", "markdown"):
        text = f"{edition.title}: no outturns recorded ({outturns_file(edition)} does not exist or is empty)."
        return textwrap.fill(text, terminal_width(), break_long_words=False, break_on_hyphens=False) + "\n"
    shown = frame.copy().astype(object)
    shown["as_of"] = [d.isoformat() for d in frame["as_of"]]
    shown["value"] = [
        (bool(v) if unit == "true/false" else float(v)) for v, unit in zip(frame["value"], frame["unit"], strict=True)
    ]
    if fmt == "table":
        shown = shown.drop(columns=["source", "note"])
        # what the figure is and its value first; the figure's path (for the file) last
        first = [c for c in ("label", "value", "unit", "year", "kind", "as_of") if c in shown.columns]
        shown = shown[[*first, *(c for c in shown.columns if c not in first)]]
    if fmt in ("table", "markdown"):  # the unit as a reader writes it
        shown["unit"] = [str(u).replace("GBP000", "£000").replace("GBP", "£") for u in shown["unit"]]
    return to_text(shown, fmt, title, name="outturns")


def backtest_text(args: argparse.Namespace, edition: Edition) -> str:
    from mtfs_model.forecast.backtest import backtest, report_text
    from mtfs_model.forecast.calibration import calibrate

    kinds = ("outturn", "reforecast") if args.include_reforecasts else ("outturn",)
    result = backtest(args.scenario, n=args.n, seed=args.seed, edition=edition, kinds=kinds)
    if args.chart:
        from mtfs_model.charts.backtest import backtest_chart

        _write_png(args.chart, backtest_chart(result))
    text = report_text(result, args.format)
    if args.calibrate:
        frame = calibrate(edition, result.scenario)
        title = "Input spreads from the recorded errors (multipliers; weigh, do not adopt)"
        shown = frame.drop(columns=["note"]) if args.format == "table" else frame
        if args.format == "json":
            import json

            doc = json.loads(text)
            doc["calibration"] = json.loads(to_text(_json_safe(shown), "json", title, name="calibration"))
            return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        if args.format == "csv":
            text += f"# {title}\n" + to_text(_json_safe(shown), "csv", name="calibration")
        else:
            text += "\n" + to_text(_readable(shown), args.format, title)
    return text


def _json_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """NaN as None (CSV and JSON refuse non-finite numbers)."""
    out = frame.astype(object)
    for col in out.columns:
        out[col] = pd.Series([None if v != v else v for v in frame[col]], index=frame.index, dtype=object)
    return out


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Multipliers to three decimals, missing as an en dash."""
    out = frame.astype(object)
    for col in out.columns:
        shown = [("–" if v != v else (number(v, 3) if isinstance(v, float) else v)) for v in frame[col]]
        out[col] = pd.Series(shown, index=frame.index, dtype=object)
    return out


def simulate_from_outturns(args: argparse.Namespace, edition: Edition | None = None) -> str:
    """``mtfs simulate SCENARIO --from-outturns``: the re-forecast's tables as text.

    Reads ``scenario``, ``n``, ``seed``, ``chunk_size``, ``format``, ``through`` and
    ``reforecast_chart`` from ``args``; raises :class:`InputError` on bad input."""
    from mtfs_model.forecast.reforecast import reforecast, report_text
    from mtfs_model.risk.simulate import DEFAULT_CHUNK_SIZE

    ed = edition or _edition(args)
    _check_paths(args, ("reforecast_chart", "--reforecast-chart"))
    through = getattr(args, "through", None)
    if through is not None and through not in ed.years:
        raise InputError(ARGS, "--through", "a year of the horizon: " + ", ".join(ed.years), through)
    chunk = getattr(args, "chunk_size", None)
    progress = terminal_progress("simulating") if args.n > (chunk or DEFAULT_CHUNK_SIZE) else None
    result = reforecast(
        args.scenario, n=args.n, seed=args.seed, edition=ed, through=through, chunk_size=chunk, progress=progress
    )
    chart = getattr(args, "reforecast_chart", None)
    if chart:
        from mtfs_model.charts.backtest import reforecast_chart

        _write_png(chart, reforecast_chart(result))
    return report_text(result, args.format)


def dispatch(args: argparse.Namespace) -> int:
    """Run ``outturns`` or ``backtest``; 0 on success, 2 (and ``error:`` lines) on bad input."""
    try:
        ed = _edition(args)
        _check_paths(args, ("output", "-o/--output"), ("chart", "--chart"))
        if args.command == "outturns":
            _emit(outturns_text(ed, args.format), args.output)
        elif args.command == "backtest":
            _emit(backtest_text(args, ed), args.output)
        elif args.command == "evidence":
            from mtfs_model.cli.evidence import evidence_text

            _emit(evidence_text(args, ed), args.output)
        else:
            raise InputError(ARGS, "command", "one of " + ", ".join(COMMANDS), args.command)
    except (InputError, OutputError) as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 2
    return 0
