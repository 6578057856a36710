"""The High Needs Block of the Dedicated Schools Grant: the forecast chain.

funding + expenditure = gap before savings; + savings = annual gap; the deficits brought
forward plus the running sum of annual gaps = cumulative gap (the DSG deficit carried
forward).  GBP000; funding and savings negative, costs positive, as printed.  Rows are
the edition's line keys and the ids in :mod:`mtfs_model.base.rows`; labels are edition data.
"""

from __future__ import annotations

import pandas as pd

from mtfs_model.base import rows
from mtfs_model.scenarios.inputs import ModelInputs

TOTAL_EXPENDITURE = rows.HN_TOTAL_EXPENDITURE
GAP_PRE_SAVINGS = rows.HN_GAP_PRE_SAVINGS
TRANSFER_REFUSED = rows.HN_TRANSFER_REFUSED
TOTAL_SAVINGS = rows.HN_TOTAL_SAVINGS
ANNUAL_GAP = rows.HN_ANNUAL_GAP
CUMULATIVE = rows.HN_CUMULATIVE


def transfer_refused(inputs: ModelInputs) -> dict[str, float]:
    """If the Schools Block transfer is not approved, its year is worse by it (that year only)."""
    amount = 0.0 if inputs.hn_transfer_approved else inputs.hn_transfer_amount
    return {y: (amount if y == inputs.hn_transfer_year else 0.0) for y in inputs.years}


def brought_forward_rows(inputs: ModelInputs) -> list[str]:
    """Row ids of the deficits brought forward (they sit in the first year's column)."""
    return list(inputs.hn_brought_forward)


def forecast(inputs: ModelInputs) -> pd.DataFrame:
    """The High Needs forecast table, every total derived from its lines (GBP000)."""
    years = inputs.years
    table: dict[str, dict[str, float]] = {}

    def total(keys: list[str]) -> dict[str, float]:
        return {y: sum(table[k][y] for k in keys) for y in years}

    table.update({k: dict(v) for k, v in inputs.hn_funding.items()})
    table.update({k: dict(v) for k, v in inputs.hn_expenditure.items()})
    table[TOTAL_EXPENDITURE] = total(list(inputs.hn_expenditure))
    pre = total([TOTAL_EXPENDITURE, *inputs.hn_funding])
    table[GAP_PRE_SAVINGS] = pre
    table.update({k: dict(v) for k, v in inputs.hn_savings.items()})
    table[TRANSFER_REFUSED] = transfer_refused(inputs)
    table[TOTAL_SAVINGS] = total([*inputs.hn_savings, TRANSFER_REFUSED])
    table[ANNUAL_GAP] = total([GAP_PRE_SAVINGS, TOTAL_SAVINGS])
    for key, value in inputs.hn_brought_forward.items():
        table[key] = {y: (value if y == years[0] else 0.0) for y in years}
    running = 0.0
    cumulative = {}
    for y in years:
        running += sum(table[k][y] for k in inputs.hn_brought_forward) + table[ANNUAL_GAP][y]
        cumulative[y] = running
    table[CUMULATIVE] = cumulative
    return pd.DataFrame.from_dict(table, orient="index", columns=list(years)).rename_axis("row")
