"""Calibration: risk inputs from how forecasts fared.

* **The edition's own outturns** (:func:`calibrate`): a risk input's spread proposed from
  the forecast errors an edition records, once there are enough of them.
* **The reference class** (:mod:`mtfs_model.evidence`, where it is calibrated):
  :func:`evidence_inputs` sets, for every input of an edition's ``risk.toml`` with an
  ``evidence`` table, the figures it declares beside what the evidence gives.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mtfs_model.edition.folder import Edition
from mtfs_model.evidence.context import EvidenceContext
from mtfs_model.forecast.outturns import Outturn, read_outturns
from mtfs_model.scenarios.compose import scenario_on
from mtfs_model.scenarios.load import Scenario

CALIBRATION_COLUMNS = (
    "evolution", "shape", "points", "years", "bias", "rms_error", "rms_low", "rms_high",
    "p10", "p50", "p90", "proposed_p10", "proposed_p90", "note",
)  # fmt: skip
CALIBRATION_CAVEAT = (
    "Each point is one realised multiplier (outturn / forecast; a walk's year-on-year change). "
    "The spread proposed is the root-mean-square error about a perfect forecast (bias included) "
    "put at the P10/P90 of the declared shape, the median kept at 1. A handful of points from one "
    "MTFS, in years that share shocks, is weak evidence: rms_low-rms_high is a 90% interval for it. "
    "A level input is one draw per MTFS, however many years are recorded."
)


def _observed(o: Outturn, scenario: Scenario, engine: Any) -> tuple[str, float] | None:
    """The input an outturn observes directly and its realised multiplier, or None."""
    inputs = scenario.inputs
    if o.what == "driver":
        base = float((inputs.lines[str(o.line)].drivers or {})[str(o.driver)])
        name = f"lines.{o.line}.drivers.{o.driver}"
    elif o.what == "table" and o.table == "high_needs":
        base = float(engine.high_needs.loc[o.row, o.year])
        name = f"high_needs.{o.row}"
    elif o.what == "table" and o.table == "cumulative" and o.row in inputs.lines:
        line = inputs.lines[str(o.row)]
        base = float(engine.cumulative.loc[o.row, o.year])
        factor = "scale" if scenario.edition.programme(line.programme).kind == "growth" else "delivery"
        name = f"lines.{o.row}.{factor}"
    elif o.what == "table" and o.table == "cumulative" and str(o.row).startswith("total:"):
        pid = str(o.row).removeprefix("total:")
        base = float(engine.cumulative.loc[o.row, o.year])
        factor = "scale" if scenario.edition.programme(pid).kind == "growth" else "delivery"
        name = f"programmes.{pid}.{factor}"
    else:
        return None
    if base == 0 or not math.isfinite(o.value / base) or o.value / base <= 0:
        return None
    return name, o.value / base


def calibrate(
    edition: Edition | str | Path | None = None,
    scenario: Scenario | str | None = "baseline",
    *,
    min_points: int = 3,
) -> pd.DataFrame:
    """Spreads for the risk inputs from the edition's recorded forecast errors.

    For every input of the simulation that an outturn observes directly -- a driver, a
    drawn High Needs line, a line's or a programme's cumulative figure (its delivery or
    scale) -- each outturn gives a realised multiplier, outturn / the scenario's figure
    (for a ``walk`` the year-on-year change of it; for a ``level`` one point per MTFS,
    their geometric mean).  With at least ``min_points`` points the spread proposed is
    the root-mean-square error (log error for a lognormal) put at the P10/P90:
    ``p10 = exp(-1.2816 rms)``, ``p90 = exp(1.2816 rms)`` (a normal: ``1 -/+ 1.2816 rms``),
    the median kept at 1 (``bias``, the mean error, says whether to move it).  ``rms_low``
    and ``rms_high`` are a 90 % chi-square interval for the rms given the points.  An
    input with fewer points is listed with no proposal.  See :data:`CALIBRATION_CAVEAT`:
    this is evidence to weigh, not a fit to adopt.
    """
    from scipy.stats import chi2  # type: ignore[import-untyped]

    from mtfs_model.engine.run import run
    from mtfs_model.risk.simulate import Z90
    from mtfs_model.risk.spec import risk_spec

    scen = scenario_on(scenario, edition)
    engine = run(scen)
    spec = {d.name: d for d in risk_spec(scen).distributions}
    seen: dict[str, dict[str, float]] = {}
    for o in sorted(read_outturns(scen.edition), key=lambda o: (o.as_of, o.record)):
        if o.kind != "outturn":
            continue
        got = _observed(o, scen, engine)
        if got is not None and got[0] in spec:
            seen.setdefault(got[0], {})[o.year] = got[1]  # the latest restatement wins
    rows: dict[str, dict[str, Any]] = {}
    years = list(scen.edition.years)
    for name, by_year in seen.items():
        d = spec[name]
        log = d.shape == "lognormal"
        ordered = sorted(by_year, key=years.index)
        if d.evolution == "walk":
            points = []
            for y in ordered:
                t = years.index(y)
                before = 1.0 if t == 0 else by_year.get(years[t - 1])
                if before is not None:
                    points.append(by_year[y] / before)
        elif d.evolution == "level":
            points = [float(np.exp(np.mean(np.log(list(by_year.values())))))]
        else:
            points = list(by_year.values())
        errors = np.array([math.log(x) if log else x - 1.0 for x in points])
        k = len(errors)
        rms = float(np.sqrt(np.mean(errors**2))) if k else math.nan
        row: dict[str, Any] = {
            "evolution": d.evolution, "shape": d.shape, "points": k, "years": ", ".join(ordered),
            "bias": float(np.mean(errors)) if k else math.nan, "rms_error": rms,
            "rms_low": rms * math.sqrt(k / chi2.ppf(0.95, k)) if k else math.nan,
            "rms_high": rms * math.sqrt(k / chi2.ppf(0.05, k)) if k else math.nan,
            "p10": d.p10, "p50": d.p50, "p90": d.p90, "proposed_p10": math.nan, "proposed_p90": math.nan,
        }  # fmt: skip
        if k >= min_points:
            lo, hi = (math.exp(-Z90 * rms), math.exp(Z90 * rms)) if log else (max(0.0, 1 - Z90 * rms), 1 + Z90 * rms)
            row |= {"proposed_p10": lo, "proposed_p90": hi, "note": CALIBRATION_CAVEAT}
        else:
            row["note"] = f"{k} point{'s' * (k != 1)}, fewer than {min_points}: no spread proposed."
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(CALIBRATION_COLUMNS)).rename_axis("input")


EVIDENCE_COLUMNS = ("subject", "pairs", "not_used", "declared_p10", "declared_p50", "declared_p90", "evidence_p10",
                    "evidence_p50", "evidence_p90", "agrees")  # fmt: skip
EVIDENCE_TOLERANCE = 5e-4
"""How far a declared evidence figure may sit from the evidence's (the file gives 4 decimals)."""


def evidence_inputs(edition: Edition, context: EvidenceContext | None = None) -> pd.DataFrame:
    """For each input of ``edition``'s ``risk.toml`` with an ``evidence`` table: the
    subject it names (or, for a table that only cites pairs, the subject of its pairs),
    the pairs it cites and those of them this edition's fan may not use (with why), the
    P10/P50/P90 it declares (``None`` where it declares none) and the evidence's one year
    ahead (the pooled predictive of :class:`~mtfs_model.evidence.EvidenceContext`), and
    whether they agree (within :data:`EVIDENCE_TOLERANCE`; ``None`` with nothing declared).

    Parameters
    ----------
    edition
        The edition (its ``risk.toml``).
    context
        The evidence as the edition's fan may use it (default: built for ``edition``).

    Returns
    -------
    pandas.DataFrame
        One row per input, columns :data:`EVIDENCE_COLUMNS`.

    Raises
    ------
    InputError
        A cited pair is not in the reference class, or a named subject has no predictive
        (naming ``risk.toml`` and the key).
    """
    from mtfs_model.base.errors import InputError, Problem
    from mtfs_model.risk.merge import defaults

    ctx = context or EvidenceContext.for_edition(edition)
    table = ctx.table
    file = edition.path / "risk.toml"
    rows: dict[str, list[Any]] = {}
    found: list[Problem] = []
    for name, values in defaults(edition).dists.items():
        ev = values.get("evidence")
        if not isinstance(ev, dict):
            continue
        pairs = [str(p) for p in ev.get("pairs", [])]
        for i, pid in enumerate(pairs):
            if pid not in table.index:
                found.append(Problem(str(file), f"{name}.evidence.pairs[{i}]", "a pair of the reference class", pid))
        known = [p for p in pairs if p in table.index]
        cited_subjects = sorted({str(table.loc[p, "subject"]) for p in known})
        subject = str(ev.get("subject") or (cited_subjects[0] if len(cited_subjects) == 1 else ""))
        if subject not in ctx.fits:
            expected = (
                f"a subject with usable pairs by {ctx.as_of.isoformat()}: " + ", ".join(ctx.subjects())
                if ctx.subjects()
                else f"a subject with usable pairs (none: no pair was published by {ctx.as_of.isoformat()})"
            )
            found.append(Problem(str(file), f"{name}.evidence.subject", expected, subject or None))
            continue
        why_not = table["why_not"].astype(str)
        not_used = "; ".join(f"{p}: {why_not[p]}" for p in known if not table.loc[p, "used_by_fan"])
        declared = [float(ev[k]) if k in ev else None for k in ("p10", "p50", "p90")]
        evidence = [float(x) for x in ctx.predictive(subject).ppf(np.array([0.1, 0.5, 0.9]), 1.0)]
        agrees = (
            None
            if all(d is None for d in declared)
            else all(
                d is not None and abs(d - e) <= EVIDENCE_TOLERANCE for d, e in zip(declared, evidence, strict=True)
            )
        )
        rows[name] = [subject, ", ".join(pairs), not_used, *declared, *evidence, agrees]
    if found:
        raise InputError.many(found)
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(EVIDENCE_COLUMNS)).rename_axis("input")
