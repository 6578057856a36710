"""The calibration checked on itself, out of sample: leave one council out.

For each council with usable pairs, the whole calibration (the horizon rule, the pooling,
the DfE s251 prior without the council's row) is re-run without any of that council's
pairs, and each of its pairs is ranked in the predictive the others give for its subject
and horizon: the PIT (probability integral transform, the predictive CDF at the pair's log
error).  A calibrated fan puts 80 % of them inside its P10-P90 and spreads them evenly
(a flat PIT histogram).  The check also scores each pair by the continuous ranked
probability score (CRPS, in log-error units; lower is better; scoringrules' closed forms)
against two naive fans: **the forecast itself** (a point mass at a log error of 0: its
CRPS is the absolute log error) and **the forecast with the class's raw spread** (a normal
centred on the forecast with the standard deviation of the other councils' log errors in
the same family, no pooling, no horizon rule, no bias).

Which evidence: every pair the bundled edition's fan could use if the evidence date were
lifted (all published evidence; the same out-of-sample rule, national sums left out).  The
check is of the method, on all the evidence there is; the fan of the 2021 edition rests on
far fewer pairs (:meth:`~mtfs_model.evidence.context.EvidenceContext.used_pairs`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mtfs_model.base.rounding import number
from mtfs_model.evidence import pooled
from mtfs_model.evidence.context import EvidenceContext
from mtfs_model.evidence.pooled import family, horizon_label
from mtfs_model.evidence.reference_class import OwnCouncil, ReferenceClass

ALL_EVIDENCE = dt.date(9999, 12, 31)
"""The evidence date of the check: every pair published at all."""
BAND = (0.1, 0.9)
"""The P10-P90 band."""
PIT_BINS = 10
"""The PIT histogram's bins (tenths)."""
CHECK_COLUMNS = (
    "unit",
    "subject",
    "horizon",
    "horizon_years",
    "log_error",
    "pit",
    "inside",
    "crps_pooled",
    "crps_point",
    "crps_raw",
)


@dataclass(frozen=True)
class CouncilCheck:
    """The leave-one-council-out check: one row per council-level pair (``pairs``) and
    the summary by horizon class (``by_horizon``)."""

    pairs: pd.DataFrame
    as_of: dt.date

    @property
    def coverage(self) -> float:
        """The share of pairs inside the P10-P90 of the fan calibrated without their council."""
        return float(self.pairs["inside"].mean()) if len(self.pairs) else math.nan

    @property
    def n_pairs(self) -> int:
        """Council-level pairs checked."""
        return len(self.pairs)

    @property
    def n_councils(self) -> int:
        """Councils left out in turn."""
        return int(self.pairs["unit"].nunique())

    def pit_histogram(self) -> np.ndarray:
        """Counts of the PIT values in :data:`PIT_BINS` equal bins of [0, 1]."""
        counts, _ = np.histogram(self.pairs["pit"].to_numpy(float), bins=PIT_BINS, range=(0.0, 1.0))
        return counts

    def by_horizon(self) -> pd.DataFrame:
        """Pairs, coverage and mean CRPS (pooled fan, point, raw spread) by horizon class, and in all."""
        rows = {}
        groups = [(h, g) for h, g in self.pairs.groupby("horizon", sort=False)]
        order = {"In-year": 0, "A year ahead": 1, "More than a year ahead": 2}
        groups.sort(key=lambda x: order.get(str(x[0]), 9))
        for name, g in [*groups, ("All", self.pairs)]:
            rows[str(name)] = {
                "pairs": len(g),
                "councils": int(g["unit"].nunique()),
                "coverage": float(g["inside"].mean()),
                "crps_pooled": float(g["crps_pooled"].mean()),
                "crps_point": float(g["crps_point"].mean()),
                "crps_raw": float(g["crps_raw"].mean()),
            }
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("horizon")


def leave_one_council_out(
    rc: ReferenceClass, own: OwnCouncil | None, as_of: dt.date = ALL_EVIDENCE, bias_growth: str | None = None
) -> CouncilCheck:
    """Run the check (see the module) on reference class ``rc`` for council ``own``.

    Parameters
    ----------
    rc
        The reference class (the bundled one and any extra files).
    own
        The edition's council (its records refused, national sums containing it left out).
    as_of
        The evidence date (default: all published evidence).
    bias_growth
        The horizon rule of the bias (default :data:`mtfs_model.evidence.pooled.BIAS_GROWTH`).

    Returns
    -------
    CouncilCheck
    """
    import scoringrules as sr  # type: ignore[import-untyped]

    full = EvidenceContext.build(rc, own, as_of, bias_growth=bias_growth or pooled.BIAS_GROWTH)
    table = full.table
    usable = table[table["used_by_fan"] & (table["level"] == "council")]
    rows = []
    for unit in sorted(set(usable["unit"])):
        without = full.calibrated(without_unit=unit)
        others = without.table[without.table["used_by_fan"] & (without.table["unit"] != unit)]
        for pid, row in usable[usable["unit"] == unit].iterrows():
            subject, h, e = str(row["subject"]), float(row["horizon_years"]), float(row["log_error"])
            p = without.predictive(subject)
            loc, scale = p.loc_at(h), p.scale_at(h)
            pit = float(p.cdf(math.exp(e), h))
            raw = others[[family(s) == family(subject) for s in others["subject"]]]["log_error"].to_numpy(float)
            sd = float(np.std(raw, ddof=1)) if len(raw) > 1 else math.nan
            rows.append(
                {
                    "pair": pid,
                    "unit": unit,
                    "subject": subject,
                    "horizon": horizon_label(h),
                    "horizon_years": h,
                    "log_error": e,
                    "pit": pit,
                    "inside": BAND[0] <= pit <= BAND[1],
                    "crps_pooled": float(sr.crps_t(e, p.df, loc, scale)),
                    "crps_point": abs(e),
                    "crps_raw": float(sr.crps_normal(e, 0.0, sd)) if sd > 0 else abs(e),
                }
            )
    frame = pd.DataFrame(rows, columns=["pair", *CHECK_COLUMNS]).set_index("pair")
    return CouncilCheck(frame, as_of)


def coverage_line(check: CouncilCheck) -> str:
    """The sentence ``mtfs evidence`` prints: the coverage and the pairs behind it.

    Parameters
    ----------
    check
        The leave-one-council-out check.

    Returns
    -------
    str
        ``leave-one-council-out coverage of P10-P90: NN % (K council-level pairs from C councils)``.
    """
    return (
        f"leave-one-council-out coverage of P10-P90: {number(check.coverage * 100)} % "
        f"({check.n_pairs} council-level pairs from {check.n_councils} councils)"
    )
