"""Small helpers on the engine's labelled tables, and the edition under its old name.

The published MTFS lives in an edition folder (:mod:`mtfs_model.edition`); ``Baseline``
and ``load_baseline`` are kept as names for it.
"""

from __future__ import annotations

from typing import Any, cast

import pandas as pd

from .edition import DEFAULT_EDITION, Edition, load_edition

Baseline = Edition
DATA_DIR = DEFAULT_EDITION


def load_baseline(path: Any = None) -> Edition:
    """The bundled edition (or the one at ``path``): see :func:`mtfs_model.load_edition`."""
    return load_edition(path)


def cell(frame: pd.DataFrame, row: Any, column: Any) -> float:
    """One numeric cell as a float (pandas-stubs types ``.at`` as any scalar)."""
    return float(cast(float, frame.at[row, column]))


def row_of(frame: pd.DataFrame, label: Any) -> dict[str, float]:
    """One row of a numeric table as ``{column: float}``."""
    return {str(c): cell(frame, label, c) for c in frame.columns}
