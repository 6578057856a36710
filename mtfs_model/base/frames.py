"""DataFrames that display themselves as formatted tables in Jupyter.

``reconcile()`` returns :class:`Findings` and ``compare()`` a :class:`Comparison`: plain
pandas DataFrames in every respect (filtering, ``to_csv``), whose ``_repr_html_`` shows
£000 with thousands separators, negatives as printed, disagreements first.
"""

from __future__ import annotations

from typing import Any

import pandas as pd


class Findings(pd.DataFrame):
    """Reconciliation findings (:func:`mtfs_model.reconcile`)."""

    @property
    def _constructor(self) -> Any:
        return Findings

    def _repr_html_(self) -> str:
        from mtfs_model.base.display import findings_html

        return findings_html(pd.DataFrame(self))


class Comparison(pd.DataFrame):
    """Scenarios side by side (:func:`mtfs_model.compare`)."""

    @property
    def _constructor(self) -> Any:
        return Comparison

    def _repr_html_(self) -> str:
        from mtfs_model.base.display import compare_html

        return compare_html(pd.DataFrame(self))
