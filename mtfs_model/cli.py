"""The ``mtfs`` command line (also ``python -m mtfs_model``).

mtfs run SCENARIO [--table NAME ...] [--format table|csv|json|markdown] [-o FILE]
mtfs compare A B [C ...] [--table key_figures] [--format ...]
mtfs reconcile [--all] [--format ...]
mtfs scenarios
mtfs simulate SCENARIO [--n N] [--seed S] [--chunk-size N] [--format ...] [-o FILE]
mtfs brief SCENARIO [SCENARIO ...] -o FILE.html [--xlsx FILE.xlsx] [--date YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import cast

import pandas as pd

from .engine import Result, run, unique_names
from .errors import InputError
from .reconcile import reconcile, summary
from .report import FORMATS, to_text, write_text
from .scenarios import available_scenarios, load_scenario

TITLES = {
    "key_figures": "Key figures (GBP000)",
    "revenue": "Revenue budget roll-forward (GBP000, para 9)",
    "cumulative": "Growth and savings, cumulative (GBP000, Appendix B)",
    "in_year": "Growth and savings, in-year (GBP000)",
    "service_areas": "Net budget 2021/22 by service area (GBP000, para 12)",
    "high_needs": "High Needs Block forecast (GBP000, para 33)",
    "capital_programme": "Capital programme (GBP000, Appendix C)",
    "capital_financing": "Capital financing and LCC requirement (GBP000, Appendix C)",
    "cip": "CIP residential properties: paybacks (GBP000, years)",
    "cip_cash": "CIP cumulative cash by fiscal year (GBP000)",
    "drivers": "Driver-implied against modelled growth (GBP000)",
    "appendix_a": "Appendix A revenue budget 2021/22, derived subtotals (GBP)",
}
DEFAULT_TABLES = ["key_figures", "revenue", "cumulative", "high_needs", "capital_financing", "cip"]


def table_of(result: Result, name: str) -> pd.DataFrame:
    """One named table of a result (``key_figures`` included)."""
    if name == "key_figures":
        return result.key_figures()
    if name not in Result.TABLES:
        raise InputError("(command line)", "--table", "one of " + ", ".join(TITLES), name)
    frame: pd.DataFrame = getattr(result, name)
    if name == "cip":
        frame = frame.drop(columns=["name"])
    return frame


def render(frames: list[tuple[str, pd.DataFrame]], fmt: str) -> str:
    if fmt == "json" and len(frames) > 1:
        import json

        return (
            json.dumps(
                {name: json.loads(to_text(df, "json", TITLES.get(name, name))) for name, df in frames},
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    if fmt == "csv" and len(frames) > 1:
        return "".join(f"# {TITLES.get(name, name)}\n" + to_text(df, "csv") + "\n" for name, df in frames)
    return "\n".join(to_text(df, fmt, TITLES.get(name, name)) for name, df in frames)


def compare(names: Sequence[str], table: str = "key_figures") -> pd.DataFrame:
    """Scenarios side by side for one table, with each one's difference from the first."""
    results = [run(load_scenario(n)) for n in names]
    frames = {
        key: table_of(r, table).select_dtypes("number") for key, r in zip(unique_names(results), results, strict=True)
    }
    first = next(iter(frames))
    parts = dict(frames)
    for key in list(frames)[1:]:
        parts[f"{key} - {first}"] = frames[key] - frames[first]
    out = pd.concat(parts, axis=1)
    out.columns = pd.Index([f"{scen} | {col}" for scen, col in cast(list[tuple[str, str]], list(out.columns))])
    return out


def _emit(text: str, output: str | None) -> None:
    if output:
        path = write_text(output, text)
        print(f"wrote {path}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mtfs", description="Children and Family Services MTFS 2021/22-2024/25 model")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
        p.add_argument("-o", "--output", help="write to FILE instead of the terminal")

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
    sub.add_parser("scenarios", help="list the scenarios on the search path")
    p_sim = sub.add_parser("simulate", help="Monte Carlo budget risk: percentiles, probabilities, tornado")
    p_sim.add_argument("scenario", nargs="?", default="baseline", help="scenario name or .toml path")
    p_sim.add_argument("--n", type=int, default=100_000, help="trajectories (default: 100,000)")
    p_sim.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    p_sim.add_argument("--chunk-size", type=int, default=None, help="trajectories at a time (memory only)")
    common(p_sim)
    p_brief = sub.add_parser("brief", help="a self-contained HTML brief of scenarios (and an Excel workbook)")
    p_brief.add_argument("scenarios", nargs="+", help="scenario names or .toml paths")
    p_brief.add_argument("-o", "--output", required=True, help="HTML file to write")
    p_brief.add_argument("--xlsx", help="also write the brief's tables to this Excel workbook")
    p_brief.add_argument("--date", help="date printed on the brief, YYYY-MM-DD (default: today)")
    p_brief.add_argument("--n", type=int, default=100_000, help="risk trajectories a scenario (0: no risk section)")
    p_brief.add_argument("--seed", type=int, default=1, help="risk random seed (default: 1)")

    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            result = run(load_scenario(args.scenario))
            names = args.table or DEFAULT_TABLES
            if "all" in names:
                names = list(TITLES)
            _emit(render([(n, table_of(result, n)) for n in names], args.format), args.output)
        elif args.command == "compare":
            if len(args.scenarios) < 2:
                parser.error("compare needs at least two scenarios")
            _emit(render([(args.table, compare(args.scenarios, args.table))], args.format), args.output)
        elif args.command == "reconcile":
            findings = reconcile(run(load_scenario(args.scenario)))
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
                text = render([("summary", counts), ("findings", shown)], args.format)
            _emit(text, args.output)
            if (findings.loc[findings["kind"] == "engine", "severity"] != "ok").any():
                print("error: the engine's own identities do not hold", file=sys.stderr)
                return 1
        elif args.command == "simulate":
            from .risk import cli_report

            _emit(cli_report(args.scenario, args.n, args.seed, args.chunk_size, args.format), args.output)
        elif args.command == "scenarios":
            for name in available_scenarios():
                s = load_scenario(name)
                print(f"{name:32s} {s.description}")
        elif args.command == "brief":
            from .brief import BriefError, write_brief  # papermill and nbconvert load only for a brief

            try:
                write_brief(
                    args.scenarios, args.output, xlsx=args.xlsx, run_date=args.date, risk_n=args.n, risk_seed=args.seed
                )
            except BriefError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
