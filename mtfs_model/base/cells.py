"""Small helpers on the engine's labelled tables: one cell, one row, as floats."""

from __future__ import annotations

from typing import Any, cast

import pandas as pd


def cell(frame: pd.DataFrame, row: Any, column: Any) -> float:
    """One numeric cell as a float (pandas-stubs types ``.at`` as any scalar)."""
    return float(cast(float, frame.at[row, column]))


def row_of(frame: pd.DataFrame, label: Any) -> dict[str, float]:
    """One row of a numeric table as ``{column: float}``."""
    return {str(c): cell(frame, label, c) for c in frame.columns}
