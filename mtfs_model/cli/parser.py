"""The ``mtfs`` argument parser: standard library only, so ``mtfs --help`` and an argument
error answer at once (no pandas, numpy, matplotlib, scipy or pydantic is imported).

A bad argument is ONE line on standard error, ``error: (arguments): <key>: expected
<what>[, got <x>]``, and exit status 2 (no usage dump).
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, NoReturn

from mtfs_model.base.args import ARGS, FORMATS, check_path, iso_date, whole_number
from mtfs_model.base.limits import MAX_TRAJECTORIES
from mtfs_model.cli.edition import add_parsers as add_edition_parsers
from mtfs_model.whatif.targets import BOUNDS, GRID_FORMATS, TARGETS

__all__ = [
    "DEFAULT_TABLES",
    "TITLES",
    "ArgumentParser",
    "argument_message",
    "build_parser",
    "check_path_arguments",
    "print_error",
]

TITLES = {
    "key_figures": "Key figures (£000)",
    "revenue": "Revenue budget roll-forward (£000, para 9)",
    "cumulative": "Growth and savings, cumulative (£000, Appendix B)",
    "in_year": "Growth and savings, in-year (£000)",
    "service_areas": "Net budget {first} by service area (£000, para 12)",
    "high_needs": "High Needs Block forecast (£000, para 33)",
    "capital_programme": "Capital programme (£000, Appendix C)",
    "capital_financing": "Capital financing and the council's own funding requirement (£000, Appendix C)",
    "cip": "Residential properties: paybacks (£000, years)",
    "cip_cash": "Residential properties: cumulative cash by fiscal year (£000)",
    "drivers": "Driver-implied against modelled growth (£000)",
    "appendix_a": "Appendix A revenue budget {first}, derived subtotals (£)",
}
"""Table titles; ``{first}`` is the edition's first year."""
SCHEMA_KINDS = [
    "scenario",
    "edition",
    "sources",
    "growth_savings",
    "revenue",
    "high_needs",
    "capital",
    "cip",
    "guarantee",
    "checks",
    "headlines",
    "outturns",
    "reference_class",
]
"""What ``mtfs schema`` prints: a scenario file, or a file of an edition folder."""
DEFAULT_TABLES = ["key_figures", "revenue", "cumulative", "high_needs", "capital_financing", "cip"]
"""The tables ``mtfs run`` shows without ``--table``."""


_CHOICE = re.compile(r"invalid choice: (?P<got>.+?) \(choose from (?P<choices>.*)\)", re.S)
_BAD_VALUE = re.compile(r"invalid (?P<type>.+?) value: (?P<got>.+)", re.S)


def argument_message(message: str) -> str:
    """An argparse error as ``<key>: expected <what>[, got <x>]``."""
    key, sep, what = message.partition(": ")
    if not sep:
        return message
    if key == "the following arguments are required":
        return f"{what}: expected a value (required)"
    if key == "unrecognized arguments":
        return f"{what}: expected an argument this command takes (see --help)"
    if not key.startswith("argument "):
        return message
    key = key.removeprefix("argument ")
    if m := _CHOICE.fullmatch(what):
        return f"{key}: expected one of {m['choices'].replace(chr(39), '')}, got {m['got']}"
    if m := _BAD_VALUE.fullmatch(what):
        return f"{key}: expected a {m['type']} value, got {m['got']}"
    if what.startswith("ignored explicit argument "):
        return f"{key}: expected no value, got {what.removeprefix('ignored explicit argument ')}"
    return f"{key}: {what}"


PATH_ARGUMENTS = {
    "output": "-o/--output",
    "xlsx": "--xlsx",
    "edition": "--edition",
    "chart": "--chart",
    "reforecast_chart": "--reforecast-chart",
    "book": "book",
    "source": "--from",
}
"""Every argument that names a file or folder (its ``dest``, and how the command line spells it)."""


def check_path_arguments(args: argparse.Namespace) -> None:
    """Each path argument given can name a file or folder at all -- not empty, no name
    over 255 bytes, no path over 4,096 -- before any work (:func:`~mtfs_model.base.args.check_path`)."""
    for dest, key in PATH_ARGUMENTS.items():
        value = getattr(args, dest, None)
        if isinstance(value, str):
            check_path(value, key)


def print_error(exc: Exception) -> None:
    """``error: <problem>`` on stderr, one line per problem (a file may carry several)."""
    for line in str(exc).splitlines() or [type(exc).__name__]:
        print(f"error: {line}", file=sys.stderr)


class ArgumentParser(argparse.ArgumentParser):
    """argparse that reports a bad argument as ONE line and exits 2 (no usage dump):
    ``error: (arguments): <key>: expected <what>[, got <x>]``."""

    def error(self, message: str) -> NoReturn:
        """Print one line ``error: (arguments): <what was wrong>`` and exit with status 2 (no usage text)."""
        print(f"error: {ARGS}: {argument_message(message)}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> ArgumentParser:
    """The ``mtfs`` argument parser (sub-parsers share its one-line errors)."""
    parser = ArgumentParser(
        prog="mtfs", description="Medium Term Financial Strategy model (an MTFS edition as data; --edition PATH)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    trajectories = whole_number(MAX_TRAJECTORIES)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
        p.add_argument("-o", "--output", help="write to FILE (in an existing directory) instead of the terminal")

    p_run = sub.add_parser("run", help="derive every table for a scenario")
    p_run.add_argument(
        "scenario", nargs="?", default="baseline", help="scenario name or .toml path (default: baseline)"
    )
    p_run.add_argument(
        "--table",
        action="append",
        choices=[*TITLES, "all"],
        help="table(s) to show (repeatable; default: the key tables)",
    )
    common(p_run)
    p_cmp = sub.add_parser("compare", help="scenarios side by side, and their differences from the first")
    p_cmp.add_argument("scenarios", nargs="+", help="two or more scenario names or paths")
    p_cmp.add_argument("--table", default="key_figures", choices=list(TITLES), help="table to compare")
    common(p_cmp)
    p_rec = sub.add_parser("reconcile", help="check every identity the published tables should satisfy")
    p_rec.add_argument("--all", action="store_true", help="list every check, not only the differences")
    p_rec.add_argument("--scenario", default="baseline", help="also prove the engine identities for this scenario")
    common(p_rec)
    sub.add_parser("scenarios", help="list the scenarios on the search path (broken ones on stderr)")
    p_sim = sub.add_parser("simulate", help="Monte Carlo budget risk: percentiles, probabilities, tornado")
    p_sim.add_argument("scenario", nargs="?", default="baseline", help="scenario name or .toml path")
    p_sim.add_argument(
        "--n", type=trajectories, default=100_000, help=f"trajectories, 1 to {MAX_TRAJECTORIES:,} (default: 100,000)"
    )
    p_sim.add_argument("--seed", type=whole_number(), default=1, help="random seed, >= 0 (default: 1)")
    p_sim.add_argument("--chunk-size", type=trajectories, default=None, help="trajectories at a time (memory only)")
    p_sim.add_argument(
        "--reference-class", action="append", metavar="FILE", help="another reference-class file (out-of-sample rule)"
    )
    common(p_sim)
    p_brief = sub.add_parser("brief", help="a self-contained HTML brief of scenarios (and an Excel workbook)")
    p_brief.add_argument("scenarios", nargs="+", help="scenario names or .toml paths")
    p_brief.add_argument("-o", "--output", required=True, help="HTML file to write (in an existing directory)")
    p_brief.add_argument("--xlsx", help="also write the brief's tables to this Excel workbook")
    p_brief.add_argument("--date", type=iso_date, help="date printed on the brief, YYYY-MM-DD (default: today)")
    p_brief.add_argument(
        "--n",
        type=whole_number(MAX_TRAJECTORIES, at_least=0),
        default=100_000,
        help="risk trajectories a scenario (0: no risk section)",
    )
    p_brief.add_argument("--seed", type=whole_number(at_least=0), default=1, help="risk random seed (default: 1)")
    p_schema = sub.add_parser("schema", help="print the JSON Schema of scenario or edition files (for editors)")
    p_schema.add_argument("kind", choices=SCHEMA_KINDS, help="which files (edition: edition.toml; capital: ...)")
    p_schema.add_argument("-o", "--output", help="write to FILE (in an existing directory)")
    add_whatif_parsers(sub)
    add_forecast_parsers(sub)
    add_simulate_arguments(p_sim)
    for p in sub.choices.values():
        p.add_argument("--edition", help="edition folder (default: the bundled edition)")
    add_edition_parsers(sub)  # its own --edition on `export`
    return parser


def add_whatif_parsers(subparsers: Any) -> None:
    """Add the ``solve`` and ``grid`` sub-commands to an ``add_subparsers()`` object."""
    target_help = "NAME[:YEAR], NAME one of " + ", ".join(TARGETS) + "; YEAR a year or final (default)"
    p = subparsers.add_parser("solve", help="goal seek: the lever value that meets a target")
    p.add_argument("scenario", help="scenario name, .toml path or a+b")
    p.add_argument("--lever", action="append", required=True, help="override path (repeat: moved together)")
    p.add_argument("--target", default="net_budget", help=target_help)
    p.add_argument("--value", type=float, help="target figure (£000, or a share 0-1; default the MTFS)")
    p.add_argument("--bound", choices=list(BOUNDS), default="equal", help="equal (default), at_most, at_least")
    p.add_argument("--lo", type=float, help="lowest lever value (default: its natural range)")
    p.add_argument("--hi", type=float, help="highest lever value")
    p.add_argument("--n", type=int, default=2000, help="trajectories for p_exceeds_mtfs (default 2,000)")
    p.add_argument("--seed", type=int, default=1, help="random seed for p_exceeds_mtfs (default 1)")
    p.add_argument("--format", choices=["text", "json"], default="text", help="output format")
    g = subparsers.add_parser("grid", help="data table: the target over one or two levers' values")
    g.add_argument("scenario", help="scenario name, .toml path or a+b")
    g.add_argument("--lever", action="append", required=True, help="PATH=v1,v2,... (one or two; PATH+PATH together)")
    g.add_argument("--target", default="net_budget", help=target_help)
    g.add_argument("--format", choices=GRID_FORMATS, default="table", help="output format (default: table)")
    g.add_argument("-o", "--output", help="write to FILE instead of the terminal")
    g.add_argument("--chart", help="also write a heat map PNG to this file")
    g.add_argument("--n", type=int, default=2000, help="trajectories for p_exceeds_mtfs (default 2,000)")
    g.add_argument("--seed", type=int, default=1, help="random seed for p_exceeds_mtfs (default 1)")


def add_forecast_parsers(subparsers: Any) -> None:
    """Add the ``outturns`` and ``backtest`` sub-commands to an ``add_subparsers()`` object."""
    trajectories, seed = whole_number(MAX_TRAJECTORIES), whole_number()
    o = subparsers.add_parser("outturns", help="list the outturns and re-forecasts the edition records")
    o.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    o.add_argument("-o", "--output", help="write to FILE (in an existing directory) instead of the terminal")
    b = subparsers.add_parser("backtest", help="judge the forecast against the edition's outturns")
    b.add_argument("scenario", nargs="?", default="baseline", help="scenario name or .toml path (default: baseline)")
    b.add_argument("--n", type=trajectories, default=100_000, help="trajectories (default: 100,000)")
    b.add_argument("--seed", type=seed, default=1, help="random seed, >= 0 (default: 1)")
    b.add_argument("--include-reforecasts", action="store_true", help="score the re-forecasts too")
    b.add_argument("--chart", help="also write the fan chart with the outturns overlaid (PNG)")
    b.add_argument("--calibrate", action="store_true", help="also propose input spreads from the errors")
    b.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    b.add_argument("-o", "--output", help="write to FILE (in an existing directory) instead of the terminal")
    v = subparsers.add_parser("evidence", help="the reference class, its calibration and the inputs it sets")
    v.add_argument("--reference-class", action="append", metavar="FILE",
                   help="a reference-class file to add to the bundled one (repeatable)")  # fmt: skip
    v.add_argument("--as-of", type=iso_date, help="evidence date, YYYY-MM-DD (default: the edition's papers' date)")
    v.add_argument("--include-national", action="store_true",
                   help="use national sums that may include the edition's council (left out by default)")  # fmt: skip
    # the names of mtfs_model.evidence.pooled.BIAS_GROWTH_RULES, written out so the parser imports no numpy
    v.add_argument("--bias-growth", choices=("held", "proportional"),
                   help="how the bias grows with the horizon: held after one year (default) or "
                   "proportional (a sensitivity)")  # fmt: skip
    v.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    v.add_argument("-o", "--output", help="write to FILE (in an existing directory) instead of the terminal")


def add_simulate_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--from-outturns``, ``--through`` and ``--reforecast-chart`` to ``mtfs simulate``."""
    parser.add_argument(
        "--from-outturns", action="store_true",
        help="condition on the edition's outturns and simulate the years after them",
    )  # fmt: skip
    parser.add_argument("--through", help="with --from-outturns: outturns up to this year (default: the latest)")
    parser.add_argument("--reforecast-chart", help="with --from-outturns: write the fans before and after (PNG)")
