"""The ``mtfs`` command line (also ``python -m mtfs_model``).

mtfs run SCENARIO [--table NAME ...] [--format table|csv|json|markdown] [-o FILE]
mtfs compare A B [C ...] [--table key_figures] [--format ...]
mtfs reconcile [--all] [--format ...]
mtfs scenarios
mtfs simulate SCENARIO [--n N] [--seed S] [--chunk-size N] [--format ...] [-o FILE]
mtfs brief SCENARIO [SCENARIO ...] -o FILE.html [--xlsx FILE.xlsx] [--date YYYY-MM-DD] [--n N] [--seed S]
mtfs solve SCENARIO --lever PATH --target NAME[:YEAR] [--value X] [--bound at_most]
mtfs grid SCENARIO --lever PATH=v1,v2 [--lever PATH=...] [--target ...] [--chart FILE.png]
mtfs schema scenario|edition|outturns [-o FILE]
mtfs outturns
mtfs backtest [SCENARIO] [--n N] [--seed S] [--chart FILE.png]
mtfs simulate SCENARIO --from-outturns [--through YEAR]

Every subcommand takes ``--edition PATH`` (an edition folder; default: the bundled one).
A SCENARIO is a name, a ``.toml`` path, or names joined with ``+`` (``a+b``: both
scenarios' changes at once; the same key set differently is an error naming it).

Failures are one line on standard error, never a traceback, and nothing is written:

* bad input -- a scenario or data file, an argument, an output path -- exits **2** with
  ``error: <file or (arguments)>: <key>: expected <what>[, got <x>]``.  ``-o`` (and
  ``--xlsx``) must name a file in an existing, writable directory (it is never created),
  not a directory, device or pipe and nothing under ``/proc``, ``/sys`` or ``/dev``; it
  is checked before any work, and written atomically (:func:`mtfs_model.report.atomic_write`).
  A file that cannot be written after all (disk full) is ``error: <file>: (output): ...``,
  also 2.
* ``--n`` and ``--chunk-size`` are whole numbers up to
  :data:`~mtfs_model.limits.MAX_TRAJECTORIES` (20,000,000), at least 1 (``brief --n 0``
  leaves the risk section out), and a simulation must fit the memory limit
  (:mod:`mtfs_model.limits`: 4,096 MiB unless ``MTFS_MEMORY_LIMIT_MB`` says otherwise);
  ``--seed`` is a whole number >= 0.
* Ctrl-C: ``error: interrupted``, exit **130**; a partial output file is removed.
* Out of memory all the same: ``error: out of memory ...``, exit **1**.
* ``mtfs reconcile`` exits 1 if the engine's own identities fail; ``mtfs brief`` 1 if the
  notebook or the export fails; ``mtfs scenarios`` see :func:`list_scenarios`.

Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn, cast

import pandas as pd

from . import cli_forecast, cli_whatif
from .compose import as_scenario
from .edition import Edition, load_edition
from .engine import Result, run, unique_names
from .errors import InputError
from .frames import Comparison
from .limits import MAX_TRAJECTORIES
from .reconcile import reconcile, summary
from .report import FORMATS, OutputError, check_output, to_text, write_text
from .scenarios import available_scenarios, load_scenario

TITLES = {
    "key_figures": "Key figures (GBP000)",
    "revenue": "Revenue budget roll-forward (GBP000, para 9)",
    "cumulative": "Growth and savings, cumulative (GBP000, Appendix B)",
    "in_year": "Growth and savings, in-year (GBP000)",
    "service_areas": "Net budget {first} by service area (GBP000, para 12)",
    "high_needs": "High Needs Block forecast (GBP000, para 33)",
    "capital_programme": "Capital programme (GBP000, Appendix C)",
    "capital_financing": "Capital financing and the council's own funding requirement (GBP000, Appendix C)",
    "cip": "Residential properties: paybacks (GBP000, years)",
    "cip_cash": "Residential properties: cumulative cash by fiscal year (GBP000)",
    "drivers": "Driver-implied against modelled growth (GBP000)",
    "appendix_a": "Appendix A revenue budget {first}, derived subtotals (GBP)",
}
"""Table titles; ``{first}`` is the edition's first year."""
LABELLED = ("revenue", "cumulative", "in_year", "high_needs", "capital_programme", "capital_financing", "cip_cash")
"""Tables shown with the edition's printed labels (ids stay in ``run()``'s DataFrames)."""
DEFAULT_TABLES = ["key_figures", "revenue", "cumulative", "high_needs", "capital_financing", "cip"]


def title_of(name: str, edition: Edition | None = None) -> str:
    """The printed title of table ``name`` for ``edition``."""
    ed = edition or load_edition()
    return TITLES.get(name, name).format(first=ed.first_year)


def table_of(result: Result, name: str) -> pd.DataFrame:
    """One named table of a result (``key_figures`` included), rows labelled as printed."""
    if name == "key_figures":
        return result.key_figures()
    if name not in Result.TABLES:
        raise InputError("(arguments)", "--table", "one of " + ", ".join(TITLES), name)
    frame: pd.DataFrame = result.labelled(name) if name in LABELLED else getattr(result, name)
    if name == "cip":
        frame = frame.drop(columns=["name"])
    return frame


def render(frames: list[tuple[str, pd.DataFrame]], fmt: str, edition: Edition | None = None) -> str:
    """Tables as one text in ``fmt`` (several: one JSON object, or CSV blocks with titles)."""
    titles = {name: title_of(name, edition) for name, _ in frames}
    if fmt == "json" and len(frames) > 1:
        import json

        return (
            json.dumps(
                {name: json.loads(to_text(df, "json", titles[name], name=name)) for name, df in frames},
                indent=2,
                ensure_ascii=False,
                allow_nan=False,
            )
            + "\n"
        )
    if fmt == "csv" and len(frames) > 1:
        return "".join(f"# {titles[name]}\n" + to_text(df, "csv", name=name) + "\n" for name, df in frames)
    return "\n".join(to_text(df, fmt, titles[name], name=name) for name, df in frames)


def compare(names: Sequence[object], table: str = "key_figures", edition: Edition | None = None) -> pd.DataFrame:
    """Scenarios side by side for one table, with each one's difference from the first.
    ``names``: anything :func:`mtfs_model.as_scenario` takes (names, ``a+b``, Scenarios, dicts)."""
    results = [run(as_scenario(n, edition=edition)) for n in names]
    frames = {
        key: table_of(r, table).select_dtypes("number") for key, r in zip(unique_names(results), results, strict=True)
    }
    first = next(iter(frames))
    parts = dict(frames)
    for key in list(frames)[1:]:
        diff = frames[key] - frames[first]
        for col in diff.columns:  # equal infinities (two paybacks both "never") differ by nothing
            same = (frames[key][col] == frames[first][col]) & diff[col].isna()
            if same.any():
                diff.loc[same, col] = 0.0
        parts[f"{key} - {first}"] = diff
    out = pd.concat(parts, axis=1)
    out.columns = pd.Index([f"{scen} | {col}" for scen, col in cast(list[tuple[str, str]], list(out.columns))])
    return Comparison(out)


# --- Arguments ----------------------------------------------------------------------------

ARGS = "(arguments)"
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


class ArgumentParser(argparse.ArgumentParser):
    """argparse that reports a bad argument as ONE line and exits 2 (no usage dump):
    ``error: (arguments): <key>: expected <what>[, got <x>]``."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {ARGS}: {argument_message(message)}", file=sys.stderr)
        raise SystemExit(2)


def whole_number(at_most: int | None = None) -> Callable[[str], int]:
    """An argparse ``type``: a whole number (``1_000_000`` allowed), at most ``at_most``.

    Lower bounds are the API's own checks (``simulate``'s ``n``, ``seed``, ``chunk_size``;
    ``write_brief``'s ``--n``), so the command line says the same as the API.
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if at_most is not None and value > at_most:
            raise argparse.ArgumentTypeError(f"expected a whole number <= {at_most:,}, got {text!r}")
        return value

    return parse


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
    common(p_sim)
    p_brief = sub.add_parser("brief", help="a self-contained HTML brief of scenarios (and an Excel workbook)")
    p_brief.add_argument("scenarios", nargs="+", help="scenario names or .toml paths")
    p_brief.add_argument("-o", "--output", required=True, help="HTML file to write (in an existing directory)")
    p_brief.add_argument("--xlsx", help="also write the brief's tables to this Excel workbook")
    p_brief.add_argument("--date", help="date printed on the brief, YYYY-MM-DD (default: today)")
    p_brief.add_argument(
        "--n", type=trajectories, default=100_000, help="risk trajectories a scenario (0: no risk section)"
    )
    p_brief.add_argument("--seed", type=whole_number(), default=1, help="risk random seed (default: 1)")
    p_schema = sub.add_parser("schema", help="print the JSON Schema of scenario or edition files (for editors)")
    p_schema.add_argument("kind", choices=["scenario", "edition", "outturns"], help="which files")
    p_schema.add_argument("-o", "--output", help="write to FILE (in an existing directory)")
    cli_whatif.add_parsers(sub)
    cli_forecast.add_parsers(sub)
    cli_forecast.add_simulate_arguments(p_sim)
    for p in sub.choices.values():
        p.add_argument("--edition", help="edition folder (default: the bundled edition)")
    return parser


# --- Commands -----------------------------------------------------------------------------


def _report(exc: Exception) -> None:
    """``error: <problem>`` on stderr, one line per problem (a file may carry several)."""
    for line in str(exc).splitlines() or [type(exc).__name__]:
        print(f"error: {line}", file=sys.stderr)


def _emit(text: str, output: str | None) -> None:
    if output:
        path = write_text(output, text)
        print(f"wrote {path}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def _edition(args: argparse.Namespace) -> Edition:
    """The edition ``--edition`` names (checked: every problem in its files at once)."""
    return load_edition(args.edition) if getattr(args, "edition", None) else load_edition()


def list_scenarios(edition: Edition | None = None) -> int:
    """Print every scenario that loads (name and description) on standard output, and
    each one that does not as its own ``error: <file>: <key>: ...`` line on standard error.

    Exit status: 0 if at least one scenario loads (the broken ones are still reported),
    2 if none does or none is found.
    """
    names = available_scenarios(edition)
    if not names:
        raise InputError("scenarios/", "(search path)", "at least one scenario .toml file", show_got=False)
    good = 0
    for name in names:
        try:
            scenario = load_scenario(name, edition=edition)
        except InputError as exc:
            _report(exc)
            continue
        print(f"{name:32s} {scenario.description}")
        good += 1
    return 0 if good else 2


def _reconcile(args: argparse.Namespace) -> int:
    findings = reconcile(run(as_scenario(args.scenario, edition=_edition(args))))
    shown = findings if args.all else findings[findings["severity"] != "ok"]
    # the real disagreements first, then notes, then rounding; stable within each
    order = shown["severity"].map({"disagreement": 0, "note": 1, "rounding": 2, "ok": 3})
    shown = shown.iloc[order.argsort(kind="stable")]
    shown = shown.drop(columns=["kind"]).reset_index(drop=True).rename_axis("finding")
    counts = summary(findings)
    if args.format == "table":
        text = to_text(counts, "table", "Reconciliation summary (count of checks)") + "\n"
        brief = shown.drop(columns=["source", "tolerance"])
        brief["check"] = [c if len(c) <= 70 else c[:67] + "..." for c in brief["check"]]
        text += to_text(brief, "table", "Findings (difference = printed - derived)")
    else:
        text = render([("summary", counts), ("findings", shown)], args.format, _edition(args))
    _emit(text, args.output)
    if (findings.loc[findings["kind"] == "engine", "severity"] != "ok").any():
        print("error: the engine's own identities do not hold", file=sys.stderr)
        return 1
    return 0


def _simulate(args: argparse.Namespace) -> None:
    from .risk import DEFAULT_CHUNK_SIZE, report_text, simulate, stderr_progress

    if getattr(args, "from_outturns", False):
        _emit(cli_forecast.simulate_from_outturns(args, _edition(args)), args.output)
        return

    chunk = DEFAULT_CHUNK_SIZE if args.chunk_size is None else args.chunk_size
    progress = stderr_progress if chunk > 0 and args.n > chunk else None
    scenario = as_scenario(args.scenario, edition=_edition(args))
    result = simulate(scenario, n=args.n, seed=args.seed, chunk_size=args.chunk_size, progress=progress)
    _emit(report_text(result, args.format), args.output)


def _brief(args: argparse.Namespace) -> int:
    from .brief import BriefError, write_brief  # papermill and nbconvert load only for a brief

    try:
        write_brief(
            [as_scenario(s, edition=_edition(args)) for s in args.scenarios],
            args.output,
            xlsx=args.xlsx,
            run_date=args.date,
            risk_n=args.n,
            risk_seed=args.seed,
        )
    except BriefError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _check_outputs(args: argparse.Namespace) -> None:
    """Every output path, before any work: :func:`~mtfs_model.report.check_output`."""
    output, xlsx = getattr(args, "output", None), getattr(args, "xlsx", None)
    if output is not None:
        check_output(output, "-o/--output")
    if xlsx is not None:
        check_output(xlsx, "--xlsx")
        if output is not None and os.path.abspath(xlsx) == os.path.abspath(output):
            raise InputError(ARGS, "--xlsx", "a file other than -o/--output's", xlsx)


def dispatch(args: argparse.Namespace) -> int:
    """Run the parsed command; returns the exit status (errors are raised)."""
    _check_outputs(args)
    ed = _edition(args)
    if args.command in cli_whatif.COMMANDS:
        args.scenario = as_scenario(args.scenario, edition=ed)
        return cli_whatif.dispatch(args)
    if args.command in cli_forecast.COMMANDS:
        return cli_forecast.dispatch(args)
    if args.command == "run":
        result = run(as_scenario(args.scenario, edition=ed))
        names = args.table or DEFAULT_TABLES
        if "all" in names:
            names = list(TITLES)
        _emit(render([(n, table_of(result, n)) for n in names], args.format, ed), args.output)
    elif args.command == "compare":
        if len(args.scenarios) < 2:
            raise InputError(ARGS, "scenarios", "at least two scenario names", len(args.scenarios))
        _emit(render([(args.table, compare(args.scenarios, args.table, ed))], args.format, ed), args.output)
    elif args.command == "schema":
        from .schema_export import schema_json

        _emit(schema_json(args.kind, ed), args.output)
    elif args.command == "reconcile":
        return _reconcile(args)
    elif args.command == "simulate":
        _simulate(args)
    elif args.command == "scenarios":
        return list_scenarios(ed)
    elif args.command == "brief":
        return _brief(args)
    return 0


def _quiet_stdout() -> None:
    """After a closed pipe (``mtfs run | head``): send what is left of stdout nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (captured)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """The ``mtfs`` command: returns the exit status (see the module docstring)."""
    command = None
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:  # --help (0) or a bad argument (2, already reported)
            return exc.code if isinstance(exc.code, int) else 2
        command = args.command
        return dispatch(args)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except (InputError, OutputError) as exc:
        _report(exc)
        return 2
    except BrokenPipeError:  # the reader went away: nothing to tell it
        _quiet_stdout()
        return 1
    except MemoryError:
        hint = "; a smaller --n or --chunk-size needs less" if command in ("simulate", "brief") else ""
        print(f"error: out of memory{hint}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
