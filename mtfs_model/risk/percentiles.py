"""Exact percentiles of the simulated columns, as :func:`numpy.percentile` (``linear``) gives
them, from ONE partition a column (the gap's from the net budget's: subtracting a constant
keeps the order)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mtfs_model.risk.draws import (
    Array,
)

PERCENTILES: tuple[float, ...] = (5.0, 10.0, 50.0, 90.0, 95.0)
PERCENTILE_LABELS: tuple[str, ...] = tuple(f"P{q:g}" for q in PERCENTILES)
"""``P5``, ``P10``, ``P50``, ``P90``, ``P95``: the rows of the percentile tables."""


def _order_statistics(column: Array) -> tuple[Array, Array, Array]:
    """For each of :data:`PERCENTILES`, the order statistics either side of its position
    and the weight between them, as :func:`numpy.percentile` (``linear``) takes them, from
    ONE partition of a copy of ``column``."""
    n = column.shape[0]
    virtual = (n - 1) * (np.asarray(PERCENTILES) / 100.0)
    below = np.floor(virtual).astype(np.intp)
    above = np.minimum(below + 1, n - 1)
    below = np.minimum(below, n - 1)
    part = np.partition(column, np.unique(np.concatenate([below, above])))
    return part[below], part[above], virtual - below


def _lerp(a: Array, b: Array, t: Array) -> Array:
    """numpy's interpolation between order statistics (the same operations, the same bits)."""
    diff = b - a
    out = a + diff * t
    np.subtract(b, diff * (1 - t), out=out, where=t >= 0.5)
    return out


def percentile_tables(values: Array, years: Sequence[str], less: Array | None = None) -> list[pd.DataFrame]:
    """P5-P95 by year of year-major ``values`` (years, n), exactly as
    :func:`numpy.percentile` gives them, from one partition a year; with ``less`` also
    those of ``values - less`` (by year), from the same partition (subtracting a
    constant keeps the order, so the order statistics are the same)."""
    index = pd.Index(PERCENTILE_LABELS, name="percentile")
    cols: list[list[Array]] = [[], []]
    for t in range(values.shape[0]):
        a, b, g = _order_statistics(values[t])
        cols[0].append(_lerp(a, b, g))
        if less is not None:
            cols[1].append(_lerp(a - less[t], b - less[t], g))
    frames = [pd.DataFrame(np.column_stack(cols[0]), index=index, columns=list(years))]
    if less is not None:
        frames.append(pd.DataFrame(np.column_stack(cols[1]), index=index, columns=list(years)))
    return frames
