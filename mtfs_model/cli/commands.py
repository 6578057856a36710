"""The ``mtfs`` commands: each parsed command run and its tables rendered (see
:mod:`mtfs_model.cli.main` for the exit statuses and the one-line errors)."""

from __future__ import annotations

import argparse
import os
import sys

import pandas as pd

from mtfs_model.base.args import ARGS, check_path
from mtfs_model.base.errors import InputError
from mtfs_model.base.output import check_output, write_text
from mtfs_model.base.report import terminal_progress, terminal_width, to_text
from mtfs_model.cli.parser import DEFAULT_TABLES, TITLES, print_error
from mtfs_model.edition.folder import Edition, load_edition
from mtfs_model.engine.compare import compare, table_of
from mtfs_model.engine.labels import COLUMN_LABELS, short_name
from mtfs_model.engine.run import Result, run
from mtfs_model.scenarios.compose import as_scenario
from mtfs_model.scenarios.load import available_scenarios, load_scenario

__all__ = ["FORECAST_COMMANDS", "WHATIF_COMMANDS", "dispatch", "list_scenarios", "render", "title_of"]

WHATIF_COMMANDS = ("solve", "grid")
"""The commands of :mod:`mtfs_model.cli.whatif` (its ``COMMANDS``; named here so that
``mtfs run`` need not import the goal seek to learn them)."""
FORECAST_COMMANDS = ("outturns", "backtest", "evidence")
"""The commands of :mod:`mtfs_model.cli.forecast` (its ``COMMANDS``)."""


def title_of(name: str, edition: Edition | None = None) -> str:
    """The printed title of table ``name`` for ``edition``."""
    ed = edition or load_edition()
    return TITLES.get(name, name).format(first=ed.first_year)


def for_reading(result: Result, name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Table ``name`` as a reader sees it in ``table`` and ``markdown``: properties by
    their printed names (``Property 1``), a driver model in words."""
    if name in ("cip", "cip_cash") and not frame.empty:
        props = result.edition.cip.get("properties", {})
        names = {str(k): short_name(str(v.get("name", k))) for k, v in props.items()}
        if name == "cip":
            return frame.rename(index=lambda i: names.get(str(i), str(i)))
        return frame.rename(columns=lambda c: names.get(str(c), str(c)))
    if name == "appendix_a" and "label" in frame.columns:  # lines by their printed labels, columns in words
        from mtfs_model.reconciliation.findings import in_words

        out = frame.set_index("label").rename_axis("")
        return out.rename(columns=lambda c: in_words(str(c)))
    if name == "drivers" and "model" in frame.columns:
        out = frame.copy()
        out["model"] = [str(m).replace("_", " ") for m in out["model"]]
        # rows read "G1 2021/22" under "Line Year" (to_text joins the two levels), never a tuple
        out = out.rename(columns={"model": "Driver model", "modelled": "Modelled (£000)"})
        return out.rename_axis(["Line" if n == "line" else "Year" if n == "year" else n for n in out.index.names])
    return frame


def render(frames: list[tuple[str, pd.DataFrame]], fmt: str, edition: Edition | None = None) -> str:
    """Tables as one text in ``fmt`` (several: one JSON object, or CSV blocks with titles);
    ``table`` and ``markdown`` name columns in words (:data:`~mtfs_model.engine.labels.COLUMN_LABELS`)
    and a ``table`` fits the terminal (:func:`~mtfs_model.base.report.fit`)."""
    titles = {name: title_of(name, edition) for name, _ in frames}
    if fmt in ("table", "markdown"):
        return "\n".join(to_text(df, fmt, titles[name], name=name, labels=COLUMN_LABELS) for name, df in frames)
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


def _emit(text: str, output: str | None) -> None:
    if output:
        path = write_text(output, text)
        print(f"wrote {path}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def _edition(args: argparse.Namespace) -> Edition:
    """The edition ``--edition`` names (checked: every problem in its files at once)."""
    folder = getattr(args, "edition", None)
    return load_edition() if folder is None else load_edition(check_path(folder, "--edition"))


def scenario_line(name: str, description: str, width: int | None = None) -> str:
    """``name`` and its description, the description wrapped to the terminal's width
    under itself (:func:`~mtfs_model.base.report.terminal_width`)."""
    import textwrap

    pad = max(32, len(name) + 1)
    lines = textwrap.wrap(description, max((width or terminal_width()) - pad - 1, 20), break_on_hyphens=False)
    return "\n".join(f"{(name if i == 0 else ''):{pad}s} {line}".rstrip() for i, line in enumerate(lines or [""]))


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
            print_error(exc)
            continue
        print(scenario_line(name, scenario.description))
        good += 1
    return 0 if good else 2


def _reconcile(args: argparse.Namespace) -> int:
    from mtfs_model.reconciliation.findings import reader_view
    from mtfs_model.reconciliation.reconcile import reconcile, summary

    findings = reconcile(run(as_scenario(args.scenario, edition=_edition(args))))
    shown = findings if args.all else findings[findings["severity"] != "ok"]
    # the real disagreements first, then notes, then rounding; stable within each
    order = shown["severity"].map({"disagreement": 0, "note": 1, "rounding": 2, "ok": 3})
    shown = shown.iloc[order.argsort(kind="stable")]
    shown = shown.drop(columns=["kind"]).reset_index(drop=True).rename_axis("finding")
    counts = summary(findings)
    if args.format == "table":
        text = to_text(counts, "table", "Reconciliation summary (count of checks)") + "\n"
        view = reader_view(shown, where=True).drop(columns=["source", "tolerance"])
        view.index = pd.RangeIndex(1, len(view) + 1, name="")
        text += to_text(view, "table", "Findings (printed − derived; £000 unless the table says £ or £m)")
    else:
        text = render([("summary", counts), ("findings", shown)], args.format, _edition(args))
    _emit(text, args.output)
    if (findings.loc[findings["kind"] == "engine", "severity"] != "ok").any():
        print("error: the engine's own identities do not hold", file=sys.stderr)
        return 1
    return 0


def _simulate(args: argparse.Namespace) -> None:
    from mtfs_model.risk.report import report_text
    from mtfs_model.risk.simulate import DEFAULT_CHUNK_SIZE, simulate

    if getattr(args, "from_outturns", False):
        from mtfs_model.cli import forecast as cli_forecast

        _emit(cli_forecast.simulate_from_outturns(args, _edition(args)), args.output)
        return

    chunk = DEFAULT_CHUNK_SIZE if args.chunk_size is None else args.chunk_size
    progress = terminal_progress("simulating") if chunk > 0 and args.n > chunk else None
    scenario = as_scenario(args.scenario, edition=_edition(args))
    result = simulate(scenario, n=args.n, seed=args.seed, chunk_size=args.chunk_size, progress=progress)
    _emit(report_text(result, args.format), args.output)


def _brief(args: argparse.Namespace) -> int:
    from mtfs_model.brief.build import BriefError, write_brief  # papermill and nbconvert load only for a brief

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
    """Every output path, before any work: :func:`~mtfs_model.base.report.check_output`."""
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
    # each command imports only what it needs: the goal seek (scipy.optimize) and the
    # forecast evaluation load for their own commands, never for `mtfs run`
    if args.command in WHATIF_COMMANDS:
        from mtfs_model.cli import whatif as cli_whatif

        args.scenario = as_scenario(args.scenario, edition=ed)
        return cli_whatif.dispatch(args)
    if args.command in FORECAST_COMMANDS:
        from mtfs_model.cli import forecast as cli_forecast

        return cli_forecast.dispatch(args)
    if args.command == "run":
        result = run(as_scenario(args.scenario, edition=ed))
        names = args.table or DEFAULT_TABLES
        if "all" in names:
            names = list(TITLES)
        reading = args.format in ("table", "markdown")
        frames = [(n, for_reading(result, n, table_of(result, n)) if reading else table_of(result, n)) for n in names]
        _emit(render(frames, args.format, ed), args.output)
    elif args.command == "compare":
        if len(args.scenarios) < 2:
            raise InputError(ARGS, "scenarios", "at least two scenario names", len(args.scenarios))
        _emit(
            render([(args.table, compare(args.scenarios, table=args.table, edition=ed))], args.format, ed), args.output
        )
    elif args.command == "schema":
        from mtfs_model.cli.schema import schema_json

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
