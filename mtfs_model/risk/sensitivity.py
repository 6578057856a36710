"""Budget risk: which inputs matter -- a one-at-a-time tornado and a variance ranking.

Both read the final year of the edition's horizon; column names are built from the
edition's years (``net_<final year>_at_p10``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mtfs_model.risk.draws import BLOCK_SIZE, Z90, Array
from mtfs_model.risk.plan import Outputs, Plan, evaluate


def tornado_columns(final_year: str) -> list[str]:
    """The tornado table's columns for an edition whose final year is ``final_year``."""
    return [
        "label",
        "factor_p10_pct",
        "factor_p90_pct",
        f"net_{final_year}_at_p10",
        f"net_{final_year}_at_p90",
        "gap_at_p10",
        "gap_at_p90",
        "net_swing",
        "hn_deficit_at_p10",
        "hn_deficit_at_p90",
        "hn_swing",
    ]


def _shocks(plan: Plan) -> tuple[list[Array], int]:
    """Row 0 every input at its median, then each input alone at its P10 and its P90."""
    dists = plan.spec.distributions
    t_count = len(plan.years)
    count = 2 * len(dists) + 1
    z = [np.zeros((count, t_count)) for _ in dists]
    for i, d in enumerate(dists):
        step = Z90 / math.sqrt(t_count) if d.evolution == "walk" else Z90
        z[i][1 + 2 * i] = -step
        z[i][2 + 2 * i] = step
    return z, count


def tornado(plan: Plan) -> tuple[pd.DataFrame, Outputs]:
    """One input at a time at its P10 and at its P90, every other at its median.

    "At its P10" sets the input's shocks so that its own multiplier is at its P10: for a
    ``level`` or ``independent`` input the declared P10 (every year); for a ``walk`` the
    final year's multiplier's P10 (each annual shock at z / sqrt(years)).  Returns the
    table, sorted by the swing of the final year's net budget then of the High Needs
    deficit, and the evaluated rows (row 0 is the all-median base).
    """
    z, count = _shocks(plan)
    out = evaluate(plan, z, count)
    columns = tornado_columns(plan.years[-1])
    mtfs = float(plan.mtfs_net[-1])
    records = {}
    for i, d in enumerate(plan.spec.distributions):
        lo, hi = 1 + 2 * i, 2 + 2 * i
        net_lo, net_hi = float(out.net[lo, -1]), float(out.net[hi, -1])
        hn_lo, hn_hi = float(out.hn[lo, -1]), float(out.hn[hi, -1])
        values = [
            d.label,
            float(out.factors[i][lo, -1]),
            float(out.factors[i][hi, -1]),
            net_lo,
            net_hi,
            net_lo - mtfs,
            net_hi - mtfs,
            abs(net_hi - net_lo),
            hn_lo,
            hn_hi,
            abs(hn_hi - hn_lo),
        ]
        records[d.name] = dict(zip(columns, values, strict=True))
    frame = pd.DataFrame.from_dict(records, orient="index", columns=columns).rename_axis("input")
    if len(frame):
        frame = frame.assign(_n=-frame["net_swing"], _h=-frame["hn_swing"], _i=frame.index)
        frame = frame.sort_values(["_n", "_h", "_i"], kind="stable").drop(columns=["_n", "_h", "_i"])
    return frame, out


VARIANCE_COLUMNS = ["title", "sd", "variance_share_pct", "standalone_share_pct"]


class Moments:
    """Running first and second moments of the rows of ``(k, m)`` blocks, for the variance
    ranking without keeping every trajectory: each block is centred on the first block's
    means (so no precision is lost to large means) and adds its sums and one matrix
    product.  Blocks are added in trajectory order, so the totals do not depend on how
    a caller groups them."""

    def __init__(self, k: int) -> None:
        self.count = 0
        self.shift: Array | None = None
        self.sums = np.zeros(k)
        self.products = np.zeros((k, k))

    def add(self, x: Array) -> None:
        """Accumulate one block of samples (rows the variables, columns the trajectories)."""
        if x.shape[1] == 0:
            return
        if self.shift is None:
            self.shift = x.mean(axis=1)
        y = x - self.shift[:, None]
        self.sums += y.sum(axis=1)
        self.products += y @ y.T
        self.count += x.shape[1]

    def covariance(self) -> Array:
        """The (population) covariance matrix of the rows."""
        mean = self.sums / self.count
        return self.products / self.count - np.outer(mean, mean)


def variance_table(moments: Moments, lines: Sequence[str], titles: Mapping[str, str]) -> pd.DataFrame:
    """The variance ranking from the moments of the lines' final-year changes (rows
    ``0 .. lines - 1``) and the final year's gap (the last row): see :func:`variance_ranking`."""
    cov = moments.covariance()
    var = float(cov[-1, -1])
    rows = {}
    for i, code in enumerate(lines):
        v = max(float(cov[i, i]), 0.0)
        c = float(cov[i, -1])
        rows[code] = [titles.get(code, ""), math.sqrt(v), c / var if var > 0 else 0.0, v / var if var > 0 else 0.0]
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=VARIANCE_COLUMNS).rename_axis("line")
    frame = frame.assign(_s=-frame["variance_share_pct"], _i=frame.index)
    return frame.sort_values(["_s", "_i"], kind="stable").drop(columns=["_s", "_i"])


def variance_ranking(
    net: Array, line_change: Array, lines: Sequence[str], mtfs_last: float, titles: Mapping[str, str]
) -> pd.DataFrame:
    """Which lines drive the variance of the final year's gap.

    ``net`` is (n, years), ``line_change`` (n, lines) each line's final-year change.  The
    gap is exactly the sum of the lines' changes (plus a constant), so its variance
    splits exactly into ``variance_share_pct`` = Cov(line, gap) / Var(gap) (summing to
    1; negative for a line that offsets others).  ``standalone_share_pct`` =
    Var(line) / Var(gap) is the squared standardized regression coefficient of the line
    (the regression of the gap on the lines has every coefficient 1).  ``sd`` is the
    line's standard deviation (GBP000).  Zero where nothing varies.  Sorted by share.
    :func:`~mtfs_model.risk.simulate` gets the same table from :class:`Moments` added
    block by block as it goes (the gap's and lines' columns are never all kept).
    """
    moments = Moments(line_change.shape[1] + 1)
    x = np.vstack([line_change.T, net[:, -1] - mtfs_last])
    for start in range(0, x.shape[1], BLOCK_SIZE):
        moments.add(x[:, start : start + BLOCK_SIZE])
    return variance_table(moments, lines, titles)
