"""``mtfs evidence``: the reference class as an edition's fan may use it, and the check of
the calibration on itself.

mtfs evidence [--reference-class FILE.toml ...] [--as-of YYYY-MM-DD] [--include-national] [--bias-growth RULE]
              [--format table|csv|json|markdown] [-o FILE]

The text a reader sees: the evidence date and where it comes from, the line
``leave-one-council-out coverage of P10-P90: NN %`` with the council-level pairs behind
it, a few bullets (each on its own line, wrapped to the terminal), then the tables with
readers' headings: the predictive by subject, the check by horizon class against the two
naive fans, the PIT histogram, every pair with its publication date and whether this fan
uses it, and the edition's ``risk.toml`` inputs that cite the evidence.  CSV and JSON keep
the column names and the numbers as numbers, for programs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import textwrap
from typing import Any

import numpy as np
import pandas as pd

from mtfs_model.base.report import tables_text, terminal_width, to_text
from mtfs_model.base.rounding import number
from mtfs_model.edition.folder import Edition
from mtfs_model.evidence.checks import CouncilCheck, coverage_line, leave_one_council_out
from mtfs_model.evidence.context import EvidenceContext

HORIZONS = (1.0, 4.0)
"""The horizons (years ahead) the predictive table shows: a budget, and a four-year MTFS's last year."""
LABELS = {
    "subject": "Subject",
    "own_pairs": "Its own pairs (weighted)",
    "councils": "Councils behind it",
    "df": "Degrees of freedom",
    "p10_1": "P10, 1 year",
    "p50_1": "P50, 1 year",
    "p90_1": "P90, 1 year",
    "p10_4": "P10, 4 years",
    "p50_4": "P50, 4 years",
    "p90_4": "P90, 4 years",
    "prior": "Shrunk toward",
    "horizon": "Horizon",
    "pairs": "Pairs",
    "coverage": "Inside P10-P90",
    "crps_pooled": "CRPS: pooled fan",
    "crps_point": "CRPS: the forecast itself",
    "crps_raw": "CRPS: forecast with raw spread",
    "pit": "PIT (tenths)",
    "expected": "If calibrated",
    "bar": "",
    "pair": "Pair",
    "pairs_cited": "Pairs cited",
    "horizon_years": "Horizon (years)",
    "council": "Council or scope",
    "published": "Published",
    "ratio": "Outturn / forecast",
    "weight": "Weight",
    "used_by_fan": "Used by this fan",
    "why_not": "Why not",
    "input": "Input",
    "agrees": "Agrees",
    "not_used": "Cited, not usable by this fan",
    "declared_p10": "Declared P10",
    "declared_p50": "Declared P50",
    "declared_p90": "Declared P90",
    "evidence_p10": "Evidence P10",
    "evidence_p50": "Evidence P50",
    "evidence_p90": "Evidence P90",
}
SUBJECT_WORDS = {
    "hn_spend": "High Needs spend",
    "csc_spend": "Children's social care spend",
    "hn_gap": "High Needs in-year gap",
    "hn_deficit": "High Needs cumulative deficit",
    "csc_gap": "Children's services overspend",
}


def day(d: dt.date) -> str:
    """``9 March 2021``.

    Parameters
    ----------
    d
        A date.

    Returns
    -------
    str
    """
    return f"{d.day} {d:%B %Y}"


def subject_words(subject: str) -> str:
    """A subject as a reader names it (its id in brackets).

    Parameters
    ----------
    subject
        A reference-class subject.

    Returns
    -------
    str
    """
    return f"{SUBJECT_WORDS[subject]} ({subject})" if subject in SUBJECT_WORDS else subject


def _predictive_frame(ctx: EvidenceContext) -> pd.DataFrame:
    rows = {}
    for s in ctx.subjects():
        p = ctx.predictive(s)
        q = [p.ppf(np.array([0.1, 0.5, 0.9]), h) for h in HORIZONS]
        rows[s] = {
            "own_pairs": p.own_pairs,
            "councils": p.n_councils,
            "df": p.df,
            "p10_1": q[0][0],
            "p50_1": q[0][1],
            "p90_1": q[0][2],
            "p10_4": q[1][0],
            "p50_4": q[1][1],
            "p90_4": q[1][2],
            "prior": p.prior,
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("subject")


def _pairs_frame(ctx: EvidenceContext) -> pd.DataFrame:
    t = ctx.table
    frame = pd.DataFrame(
        {
            "subject": t["subject"],
            "horizon_years": t["horizon_years"].astype(float),
            "council": [c or f"{s} (national)" for c, s in zip(t["council"], t["scope"], strict=True)],
            "published": [d.isoformat() if d is not None else "unknown" for d in t["published"]],
            "ratio": [math.exp(x) if np.isfinite(x) else None for x in t["log_error"]],
            "weight": t["weight"].astype(float),
            "used_by_fan": t["used_by_fan"].astype(bool),
            "why_not": t["why_not"],
        },
        index=t.index,
    )
    return frame.rename_axis("pair")


def _pit_frame(check: CouncilCheck) -> pd.DataFrame:
    counts = check.pit_histogram()
    expected = check.n_pairs / len(counts)
    labels = [f"{number(i / 10, 1)}-{number((i + 1) / 10, 1)}" for i in range(len(counts))]
    return pd.DataFrame(
        {"pairs": counts.astype(int), "expected": expected, "bar": ["#" * int(c) for c in counts]},
        index=pd.Index(labels, name="pit"),
    )


def _check_frame(check: CouncilCheck) -> pd.DataFrame:
    frame = check.by_horizon()
    frame.insert(2, "coverage", frame.pop("coverage"))
    return frame


def _inputs_frame(edition: Edition, ctx: EvidenceContext) -> pd.DataFrame:
    from mtfs_model.forecast.calibration import evidence_inputs

    return evidence_inputs(edition, ctx)


def _shown(frame: pd.DataFrame, places: int = 3) -> pd.DataFrame:
    """For reading: figures to ``places`` decimals, shares as %, missing as an en dash."""
    out = frame.astype(object)
    for col in out.columns:
        cells = []
        for v in frame[col]:
            if v is None or (isinstance(v, float) and math.isnan(v)):
                cells.append("–")
            elif isinstance(v, bool | np.bool_):
                cells.append("yes" if v else "no")
            elif col == "coverage":
                cells.append(f"{number(100 * float(v), 0)} %")
            elif isinstance(v, float | np.floating):
                cells.append(
                    number(v, 1 if col in ("own_pairs", "df", "expected") else 2 if col == "horizon_years" else places)
                )
            else:
                cells.append(v)
        out[col] = pd.Series(cells, index=frame.index, dtype=object)
    return out


def _missing_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing figures as None (an empty CSV cell, JSON null); every other cell as it is."""
    out = frame.astype(object)
    for col in out.columns:
        out[col] = pd.Series(
            [None if isinstance(v, float) and math.isnan(v) else v for v in frame[col]], index=frame.index, dtype=object
        )
    return out


def _bullets(ctx: EvidenceContext, check: CouncilCheck) -> list[str]:
    t = ctx.table
    with_outturn = t[t["used"].astype(bool) & t["log_error"].notna()]
    later = t[t["why_not"].str.startswith("published")]
    national = t[t["why_not"].str.contains("national sum", regex=False)]
    weighted = t[t["used_by_fan"] & (t["weight"] < 1)]
    own = ctx.own.name if ctx.own else "the edition's council"
    s251 = (
        "The DfE s251 High Needs budget-outturn table is used as a prior for hn_spend, worth 3 pairs (its budget and "
        "outturn may be different years)."
        if ctx.s251_used
        else "The DfE s251 High Needs budget-outturn table (published January 2024) is not used: it post-dates the "
        "evidence date."
    )
    return [
        f"Reference class: {len(ctx.rc.records)} records, {len(t)} pairs ({', '.join(f.name for f in ctx.rc.files)});"
        f" {len(with_outturn)} pairs have an outturn, {int((with_outturn['level'] == 'council').sum())} of them "
        "council-level.",
        f"This fan uses {int(t['used_by_fan'].sum())} pairs: those published by {day(ctx.as_of)}. "
        f"{len(later)} pairs published later are left out, so the fan knows only what the committee could have known.",
        f"Left out as national sums that may include {own}: {', '.join(national.index) or 'none'}"
        + (" (included: --include-national)." if ctx.include_national else "."),
        "Down-weighted to 0.5 (the evidence questions their basis, or a sum contains another pair): "
        + (", ".join(weighted.index) or "none")
        + ".",
        f"Horizon: {ctx.rule.words()}",
        s251,
        f"DSG deficit reversals: {ctx.deficit_reversals().statement()}",
        f"The check leaves each council out in turn and uses all published evidence ({check.n_pairs} council-level "
        "pairs), not only what this edition had: it checks the method. No pair more than 1.5 years ahead has an "
        "outturn, so the horizon rule beyond that is untested.",
    ]


def _wrapped(lines: list[str], width: int) -> str:
    out = []
    for line in lines:
        out.append(
            textwrap.fill(
                line, width, initial_indent="* ", subsequent_indent="  ", break_long_words=False, break_on_hyphens=False
            )
        )
    return "\n".join(out)


def evidence_text(args: argparse.Namespace, edition: Edition) -> str:
    """``mtfs evidence`` as ``args.format`` (see the module).

    Parameters
    ----------
    args
        The parsed arguments (``reference_class``, ``as_of``, ``include_national``, ``bias_growth``,
        ``format``).
    edition
        The edition.

    Returns
    -------
    str
        The whole output.

    Raises
    ------
    InputError
        Bad input (the out-of-sample rule, a bad file).
    """
    as_of = dt.date.fromisoformat(args.as_of) if getattr(args, "as_of", None) else None
    ctx = EvidenceContext.for_edition(
        edition,
        as_of=as_of,
        extra_files=args.reference_class or (),
        include_national=args.include_national,
        bias_growth=getattr(args, "bias_growth", None),
    )
    check = leave_one_council_out(ctx.rc, ctx.own, bias_growth=ctx.bias_growth)
    frames = {
        "predictive": _predictive_frame(ctx),
        "check": _check_frame(check),
        "pit": _pit_frame(check),
        "pairs": _pairs_frame(ctx),
        "inputs": _inputs_frame(edition, ctx),
    }
    titles = {
        "predictive": "This edition's fan: outturn / forecast by subject, 1 and 4 years ahead (pooled Student-t)",
        "check": "Checked on itself, leaving one council out: P10-P90 coverage and mean CRPS (log-error units; "
        "lower is better) against the two naive fans",
        "pit": "Where each left-out pair fell in its fan (PIT histogram; flat if calibrated)",
        "pairs": "Every pair: when it was published and whether this fan uses it",
        "inputs": f"{edition.title}: risk.toml's inputs that cite the evidence",
    }
    source = ctx.as_of_source if ctx.as_of_source != "given" else "--as-of"
    head = f"Evidence as it stood on {day(ctx.as_of)} ({source}): {edition.title}"
    line = coverage_line(check)
    bullets = _bullets(ctx, check)
    if args.format in ("csv", "json"):
        meta: dict[str, Any] = {
            "as_of": ctx.as_of.isoformat(),
            "as_of_source": ctx.as_of_source,
            "coverage_line": line,
            "loco_coverage": check.coverage,
            "loco_pairs": check.n_pairs,
            "loco_councils": check.n_councils,
            "records_count": len(ctx.rc.records),
            "pairs_count": len(ctx.table),
            "statements": bullets,
        }
        frames["pit"] = frames["pit"].drop(columns=["bar"])
        plain = {k: _missing_as_none(v) for k, v in frames.items()}
        if args.format == "csv":
            return tables_text(f"{head}; {line}", plain, titles, "csv", meta)
        return tables_text(head, plain, titles, "json", meta)
    width = terminal_width()
    shown = {k: _shown(v) for k, v in frames.items()}
    shown["predictive"].index = pd.Index([subject_words(s) for s in shown["predictive"].index], name="subject")
    tables = "\n".join(to_text(df, args.format, titles[k], name=k, labels=LABELS) for k, df in shown.items())
    if args.format == "markdown":
        lead = "\n".join(f"* {b}" for b in bullets)
        return f"**{head}**\n\n{line}\n\n{lead}\n\n{tables}"
    top = textwrap.fill(head, width, break_long_words=False, break_on_hyphens=False)
    return f"{top}\n\n{textwrap.fill(line, width)}\n\n{_wrapped(bullets, width)}\n\n{tables}"
