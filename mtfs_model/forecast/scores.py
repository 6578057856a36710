"""Proper scores of a probabilistic forecast against an outturn (Gneiting and Raftery 2007).

* :func:`crps` -- the continuous ranked probability score of the simulated distribution
  (scoringrules' ensemble estimator over the trajectories, its quantile decomposition:
  O(n log n), exact for the empirical distribution): the mean absolute error of a
  draw less half the mean absolute difference of two draws.  For a point forecast it is
  the absolute error, so a fan and the paper's single figure are scored on one scale, in
  the figure's unit; lower is better.  A fan that is only wider does not score better: the
  spread term is paid for.
* :func:`interval_score` -- the score of the central ``1 - alpha`` interval (P10-P90:
  ``alpha = 0.2``): its width plus ``2 / alpha`` times how far the outturn falls outside
  it; lower is better.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

ALPHA = 0.2
"""The P10-P90 band is the central 80 % interval."""


def crps(samples: npt.ArrayLike, value: float) -> float:
    """CRPS of the empirical distribution of ``samples`` at ``value`` (same unit)."""
    import scoringrules as sr  # type: ignore[import-untyped]

    x = np.asarray(samples, dtype=np.float64).ravel()
    return float(sr.crps_ensemble(float(value), x))


def interval_score(lower: float, upper: float, value: float, alpha: float = ALPHA) -> float:
    """The interval score of ``[lower, upper]`` (the central ``1 - alpha`` interval) at ``value``."""
    below = max(lower - value, 0.0)
    above = max(value - upper, 0.0)
    return float((upper - lower) + 2.0 / alpha * (below + above))
