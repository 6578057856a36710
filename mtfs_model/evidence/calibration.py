"""The reference class calibrated by subject and horizon class, one group at a time.

:func:`fit` calibrates a fan on a group's log errors (the optimism-bias uplift and a
Student-t prediction interval), :func:`reference_fit` does so for every subject and
horizon class with a leave-one-out check and a statement of how few points stand behind
it.  This is the plain per-group view ``mtfs evidence`` shows beside the pooled,
horizon-aware calibration the fan uses (:mod:`mtfs_model.evidence.pooled`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mtfs_model.base.rounding import number
from mtfs_model.evidence.reference_class import ReferenceClass, load_reference_class

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
    from scipy.stats import t as student  # type: ignore[import-untyped]

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
