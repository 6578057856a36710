"""Budget risk for a reserve decision: what each contingency figure is, and what went wrong
in the worst futures.

* :func:`reserve_table` -- the overspend against the published MTFS in each year and over
  the MTFS years together, at P50, P80 and P90, and the structural gap in the final year
  (that year's overspend, which recurs after the MTFS unless it is closed: a reserve pays
  for it once).  A percentile of the overspend over the years is of each future's sum,
  not the sum of each year's percentile.
* :func:`worst_futures` -- @RISK's "scenario analysis": among the futures whose overspend
  over the MTFS years is in the worst ``share`` (10 %), each input's median percentile
  (50 = as likely as not; a cost input at 80 means its draws in those futures sat
  typically at its own P80).  The percentile of an input's draw is that of its standard
  normal shock: ``Phi(z)`` for a one-draw input, of the running sum ``Phi(S_T / sqrt(T))``
  for a walk (its final-year position), of the mean for an independent input.  The draws
  are made again from the seed, chunk by chunk, so nothing per input is kept by
  :func:`~mtfs_model.risk.simulate`.

GBP000; percentiles 0-100.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import special  # type: ignore[import-untyped]

from mtfs_model.risk.draws import BLOCK_SIZE, Distribution, Sampler
from mtfs_model.risk.schema import input_parts

if TYPE_CHECKING:
    from mtfs_model.risk.simulate import RiskResult

RESERVE_LEVELS = (50.0, 80.0, 90.0)
"""The percentiles a reserve table shows: the middle future, and the 1-in-5 and 1-in-10 worse."""
WORST_SHARE = 0.10
"""The share of futures :func:`worst_futures` reads (the worst 10 %)."""
CHUNK_BLOCKS = 8
"""Random-stream blocks drawn again at a time (the draws do not depend on it)."""
NOTABLE = 10.0
"""An input is listed as having gone wrong in the worst futures when its median percentile
there is at least this far from 50 in the worse direction."""


def overspend(rr: RiskResult) -> np.ndarray:
    """Each future's net budget less the published MTFS's, (n, years), GBP000."""
    mtfs = rr.reference.iloc[0][list(rr.years)].to_numpy(dtype=np.float64)
    out: np.ndarray = rr.samples.net - mtfs
    return out


def reserve_table(rr: RiskResult) -> pd.DataFrame:
    """What each contingency figure is (GBP000, a row each, columns ``P50``/``P80``/``P90``):
    the overspend against the MTFS in each year, over the MTFS years together (each
    future's sum), and the structural gap in the final year (the final year's overspend:
    it recurs after the MTFS unless closed).  Negative = below the MTFS."""
    gap = overspend(rr)
    years = rr.years
    cols = [f"P{q:g}" for q in RESERVE_LEVELS]
    rows: dict[str, list[float]] = {}
    for j, y in enumerate(years):
        rows[f"Overspend against the MTFS in {y}"] = [float(v) for v in np.percentile(gap[:, j], RESERVE_LEVELS)]
    period = f"{years[0]}-{years[-1]}"
    total = gap.sum(axis=1)
    rows[f"Overspend over the {len(years)} years {period} (a reserve would need)"] = [
        float(v) for v in np.percentile(total, RESERVE_LEVELS)
    ]
    rows[f"Structural gap in {years[-1]} (recurs after the MTFS unless closed)"] = rows[
        f"Overspend against the MTFS in {years[-1]}"
    ]
    return pd.DataFrame.from_dict(rows, orient="index", columns=cols).rename_axis("figure") + 0.0


def worse_when_higher(d: Distribution, hn_savings: Collection[str]) -> bool:
    """True if a higher draw of the input costs the council more (a cost, a price, the
    evidence's overspend); False for a delivery, a High Needs saving (a line of
    ``hn_savings``) or the guarantee's effectiveness (less is worse)."""
    kind, target, _, factor = input_parts(d.name.removeprefix("evidence:"))
    if kind == "guarantee":
        return False
    if kind in ("line", "programme"):
        return factor != "delivery"
    if kind == "high_needs":
        return target not in hn_savings
    return True


def _percentiles(d: Distribution, z: np.ndarray) -> np.ndarray:
    """The percentile (0-100) of one input's draws from its year-major shocks ``z``."""
    if z.ndim == 1:
        position = z
    elif d.evolution == "walk":
        position = z.sum(axis=0) / math.sqrt(z.shape[0])
    else:
        position = z.mean(axis=0) * math.sqrt(z.shape[0])
    out: np.ndarray = 100.0 * special.ndtr(position)
    return out


def worst_futures(rr: RiskResult, share: float = WORST_SHARE) -> pd.DataFrame:
    """Each input's median percentile among the worst ``share`` of futures by the
    overspend over the MTFS years (:func:`overspend` summed), with which way is worse and
    whether it went wrong there (at least :data:`NOTABLE` points the worse way), sorted
    by how far it went the worse way."""
    total = overspend(rr).sum(axis=1)
    k = max(1, round(share * rr.n))
    worst = np.sort(np.argpartition(-total, k - 1)[:k])
    spec = rr.spec
    sampler = Sampler(spec, len(rr.years))
    chunk = min(rr.n, CHUNK_BLOCKS * BLOCK_SIZE)
    got = np.empty((len(spec.distributions), k))
    filled = 0
    for start in range(0, rr.n, chunk):
        stop = min(rr.n, start + chunk)
        mine = worst[(worst >= start) & (worst < stop)] - start
        if not mine.size:
            continue
        z = sampler.draw(rr.seed, start, stop)
        for i, (d, zi) in enumerate(zip(spec.distributions, sampler.split(z), strict=True)):
            got[i, filled : filled + mine.size] = _percentiles(d, zi[..., mine])
        filled += mine.size
    records = {}
    for i, d in enumerate(spec.distributions):
        median = float(np.median(got[i]))
        higher = worse_when_higher(d, rr.scenario.inputs.hn_savings)
        worse_by = median - 50.0 if higher else 50.0 - median
        records[d.name] = {
            "label": d.label + (" (reference class)" if d.name.startswith("evidence:") else ""),
            "median_percentile": median,
            "worse_when": "higher" if higher else "lower",
            "went_wrong": worse_by >= NOTABLE,
            "worse_by": worse_by,
        }
    frame = pd.DataFrame.from_dict(records, orient="index").rename_axis("input")
    return frame.sort_values("worse_by", ascending=False, kind="stable").drop(columns="worse_by")
