"""Stable row ids of the tables the engine derives.

Tables are indexed by these ids; the printed labels are edition data (``rows`` in the
edition's ``edition.toml``) and are applied only for display.  The ids name model
concepts, never a figure of one edition.
"""

from __future__ import annotations

from typing import Literal, get_args

TableName = Literal[
    "revenue",
    "cumulative",
    "in_year",
    "service_areas",
    "high_needs",
    "capital_programme",
    "capital_financing",
    "cip",
    "cip_cash",
    "drivers",
    "appendix_a",
]
"""The tables :func:`mtfs_model.run` derives (attributes of ``Result``): the one list."""
TABLES: tuple[str, ...] = get_args(TableName)

# Revenue roll-forward (result.revenue)
PRIOR_YEAR_BUDGET = "prior_year_budget"
TRANSFERS = "transfers"
SUB_TOTAL = "sub_total"
GROWTH = "growth"
SAVINGS = "savings"
NET_BUDGET = "net_budget"
REVENUE_ROWS = (PRIOR_YEAR_BUDGET, TRANSFERS, SUB_TOTAL, GROWTH, SAVINGS, NET_BUDGET)

# Growth and savings (result.cumulative / result.in_year): line codes, then these totals
TOTAL_SAVINGS = "total_savings"
NET_GROWTH = "net_growth"


def programme_total(programme: str) -> str:
    """Row id of a programme's subtotal in ``result.cumulative`` (``total:<programme id>``)."""
    return f"total:{programme}"


# High Needs (result.high_needs): its line keys, then these derived rows
HN_TOTAL_EXPENDITURE = "total_expenditure"
HN_GAP_PRE_SAVINGS = "gap_pre_savings"
HN_TRANSFER_REFUSED = "transfer_refused"
HN_TOTAL_SAVINGS = "total_savings"
HN_ANNUAL_GAP = "annual_gap"
HN_CUMULATIVE = "cumulative_gap"
HN_DERIVED_ROWS = (
    HN_TOTAL_EXPENDITURE,
    HN_GAP_PRE_SAVINGS,
    HN_TRANSFER_REFUSED,
    HN_TOTAL_SAVINGS,
    HN_ANNUAL_GAP,
    HN_CUMULATIVE,
)
"""The High Needs table's derived rows, in order, after the forecast's own lines."""
