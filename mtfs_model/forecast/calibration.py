"""Calibration: risk inputs from how forecasts fared.

Two sources of evidence, one method:

* **The reference class** (:mod:`mtfs_model.forecast.reference_class`): how comparable
  councils' and national forecasts fared.  :func:`fit` calibrates a fan on a group's log
  errors (the optimism-bias uplift and a Student-t prediction interval), :func:`reference_fit`
  does so for every subject and horizon class with a leave-one-out check and a statement
  of how few points stand behind it, and :func:`evidence_inputs` recomputes, for every
  input of an edition's ``risk.toml`` with an ``evidence`` table, the fit of the pairs it
  cites beside the figures it declares (they must agree: the figures are the evidence's).
* **The edition's own outturns** (:func:`calibrate`): a risk input's spread proposed from
  the forecast errors an edition records, once there are enough of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mtfs_model.base.rounding import number
from mtfs_model.edition.folder import Edition
from mtfs_model.forecast.outturns import Outturn, read_outturns
from mtfs_model.forecast.reference_class import ReferenceClass, check_edition, load_reference_class
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


# --- Calibration from the reference class ----------------------------------------------------

FIT_COLUMNS = (
    "pairs", "councils", "national", "not_used", "uplift_p50", "p10", "p90", "mean_log_error", "sd_log_error",
    "share_above_1", "loo_checked", "loo_inside", "loo_ranks", "pair_ids", "statement",
)  # fmt: skip


@dataclass(frozen=True)
class Fit:
    """A fan calibrated on ``n`` log errors (ln of outturn / forecast).

    The method: the errors are taken as draws from a normal distribution of log errors
    (a lognormal fan, as the risk model's); the centre -- the optimism-bias uplift, where
    the forecast's median should sit relative to the forecast -- is ``exp(mean)``; the
    P10 and P90 are those of the Student-t prediction interval for one more pair,
    ``exp(mean -/+ t(0.9, n - 1) * sd * sqrt(1 + 1/n))``, so the fewer the points the
    wider the fan (with 2 points the t is 3.08, with 5 it is 1.53; a normal's is 1.28).
    One point gives a centre and no spread.
    """

    n: int
    mean: float
    sd: float
    p10: float
    p50: float
    p90: float

    @property
    def half_width(self) -> float:
        """The log distance from the centre to the P90 (and to the P10)."""
        return math.log(self.p90 / self.p50) if self.n >= 2 else math.nan


def fit(log_errors: Sequence[float]) -> Fit:
    """Calibrate a fan on ``log_errors`` (see :class:`Fit`)."""
    from scipy.stats import t as student

    x = np.asarray([e for e in log_errors if math.isfinite(e)], dtype=np.float64)
    n = len(x)
    if n == 0:
        return Fit(0, math.nan, math.nan, math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n == 1:
        return Fit(1, mean, math.nan, math.nan, math.exp(mean), math.nan)
    sd = float(x.std(ddof=1))
    half = float(student.ppf(0.9, n - 1)) * sd * math.sqrt(1.0 + 1.0 / n)
    return Fit(n, mean, sd, math.exp(mean - half), math.exp(mean), math.exp(mean + half))


def predictive_rank(log_error: float, others: Fit) -> float:
    """Where a pair falls (0-1) in the fan ``others`` calibrated without it: the Student-t
    predictive distribution's CDF at its log error."""
    from scipy.stats import t as student

    scale = others.sd * math.sqrt(1.0 + 1.0 / others.n)
    if not scale > 0:
        return 0.5 if log_error == others.mean else float(log_error > others.mean)
    return float(student.cdf((log_error - others.mean) / scale, others.n - 1))


def leave_one_out(log_errors: Sequence[float]) -> list[float]:
    """Each point's rank in the fan calibrated on the others (needs 3 points or more:
    the others must give a spread); empty with fewer."""
    x = [e for e in log_errors if math.isfinite(e)]
    if len(x) < 3:
        return []
    return [predictive_rank(x[i], fit(x[:i] + x[i + 1 :])) for i in range(len(x))]


def _statement(n: int, councils: int, national: int, ranks: list[float]) -> str:
    if n == 0:
        return "No pair with an outturn: nothing to calibrate on."
    text = f"{n} pair{'s' * (n != 1)} ({councils} council{'s' * (councils != 1)}, {national} national)"
    if n == 1:
        return text + ": a centre, no spread (one point says nothing about how far a forecast misses)."
    if not ranks:
        return text + ": too few to check the fan on its own points (leave-one-out needs 3)."
    inside = sum(0.1 <= r <= 0.9 for r in ranks)
    return (
        f"{text}; left out one at a time, {inside} of {len(ranks)} fell inside the P10-P90 fan calibrated on the "
        "others (80% if calibrated). So few points, some from one council or one year's shocks, are weak evidence."
    )


def reference_fit(rc: ReferenceClass | None = None) -> pd.DataFrame:
    """The reference class calibrated by subject and horizon class (pairs whose later
    figure is an outturn; the others are counted in ``not_used``).  ``rc`` defaults to
    the bundled reference class."""
    table = (rc or load_reference_class()).table()
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for (subject, horizon), part in table.groupby(["subject", "horizon"], sort=False):
        used = part[part["used"].astype(bool) & part["log_error"].notna()]
        f = fit(list(used["log_error"]))
        ranks = leave_one_out(list(used["log_error"]))
        councils = int((used["level"] == "council").sum())
        national = int((used["level"] == "national").sum())
        rows[(str(subject), str(horizon))] = {
            "pairs": f.n, "councils": councils, "national": national, "not_used": int(len(part) - len(used)),
            "uplift_p50": f.p50, "p10": f.p10, "p90": f.p90, "mean_log_error": f.mean, "sd_log_error": f.sd,
            "share_above_1": float((used["log_error"] > 0).mean()) if len(used) else math.nan,
            "loo_checked": len(ranks), "loo_inside": sum(0.1 <= r <= 0.9 for r in ranks),
            "loo_ranks": ", ".join(number(r, 2) for r in ranks), "pair_ids": ", ".join(used.index),
            "statement": _statement(f.n, councils, national, ranks),
        }  # fmt: skip
    index = pd.MultiIndex.from_tuples(list(rows), names=["subject", "horizon"])
    return pd.DataFrame(list(rows.values()), index=index, columns=list(FIT_COLUMNS))


EVIDENCE_COLUMNS = ("pairs", "points", "declared_p10", "declared_p50", "declared_p90", "fit_p10", "fit_p50", "fit_p90",
                    "agrees")  # fmt: skip
EVIDENCE_TOLERANCE = 5e-4
"""How far a declared evidence figure may sit from the fit (the file gives 4 decimals)."""


def evidence_inputs(edition: Edition, rc: ReferenceClass | None = None) -> pd.DataFrame:
    """For each input of ``edition``'s ``risk.toml`` with an ``evidence`` table: the pairs
    it cites, the P10/P50/P90 it declares and those :func:`fit` gives from the pairs' log
    errors, and whether they agree (within :data:`EVIDENCE_TOLERANCE`).  A cited pair that
    is not in the reference class, or whose later figure is not an outturn, is an
    :class:`~mtfs_model.base.errors.InputError` naming ``risk.toml`` and the key."""
    from mtfs_model.base.errors import InputError, Problem
    from mtfs_model.risk.merge import defaults

    rc = check_edition(edition, rc)
    table = rc.table()
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
            elif not bool(table.loc[pid, "used"]):
                expected = "a pair whose later figure is an outturn (not itself a forecast)"
                found.append(Problem(str(file), f"{name}.evidence.pairs[{i}]", expected, pid))
        known = [p for p in pairs if p in table.index]
        f = fit(list(table.loc[known, "log_error"]))
        declared = [float(ev.get(k, math.nan)) for k in ("p10", "p50", "p90")]
        fitted = [f.p10, f.p50, f.p90]
        agrees = all(abs(a - b) <= EVIDENCE_TOLERANCE for a, b in zip(declared, fitted, strict=True))
        rows[name] = [", ".join(pairs), f.n, *declared, *fitted, agrees]
    if found:
        raise InputError.many(found)
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(EVIDENCE_COLUMNS)).rename_axis("input")
