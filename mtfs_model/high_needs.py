"""The High Needs Block of the Dedicated Schools Grant: the para 33 forecast chain.

funding + expenditure = gap before savings; + savings = annual gap; the deficits brought
forward plus the running sum of annual gaps = cumulative gap (the DSG deficit carried
forward).  GBP000; funding and savings negative, costs positive, as printed.
"""

from __future__ import annotations

import pandas as pd

from .scenarios import ModelInputs
from .years import YEARS

TOTAL_EXPENDITURE = "Total Expenditure"
GAP_PRE_SAVINGS = "Funding Gap Pre Savings"
TRANSFER_REFUSED = "Schools Block transfer not approved"
TOTAL_SAVINGS = "Total Savings"
ANNUAL_GAP = "Annual Revenue Funding Gap"
BF_2019_20 = "2019/20 Deficit Brought Forward"
BF_2020_21 = "2020/21 High Needs Deficit Brought Forward"
CUMULATIVE = "Cumulative Funding Gap"


def transfer_refused(inputs: ModelInputs) -> dict[str, float]:
    """Para 35: if the Schools Block transfer is not approved, that year is worse by it."""
    amount = 0.0 if inputs.hn_transfer_approved else inputs.hn_transfer_amount
    return {y: (amount if y == inputs.hn_transfer_year else 0.0) for y in YEARS}


def forecast(inputs: ModelInputs, labels: dict[str, str]) -> pd.DataFrame:
    """The High Needs forecast table, every total derived from its lines (GBP000)."""
    rows: dict[str, dict[str, float]] = {}
    for key, values in inputs.hn_funding.items():
        rows[labels.get(key, key)] = dict(values)
    exp_labels = [labels.get(k, k) for k in inputs.hn_expenditure]
    for key, values in inputs.hn_expenditure.items():
        rows[labels.get(key, key)] = dict(values)
    rows[TOTAL_EXPENDITURE] = {y: sum(rows[k][y] for k in exp_labels) for y in YEARS}
    funding_labels = [labels.get(k, k) for k in inputs.hn_funding]
    rows[GAP_PRE_SAVINGS] = {y: rows[TOTAL_EXPENDITURE][y] + sum(rows[k][y] for k in funding_labels) for y in YEARS}
    sav_labels = [labels.get(k, k) for k in inputs.hn_savings]
    for key, values in inputs.hn_savings.items():
        rows[labels.get(key, key)] = dict(values)
    rows[TRANSFER_REFUSED] = transfer_refused(inputs)
    rows[TOTAL_SAVINGS] = {y: sum(rows[k][y] for k in [*sav_labels, TRANSFER_REFUSED]) for y in YEARS}
    rows[ANNUAL_GAP] = {y: rows[GAP_PRE_SAVINGS][y] + rows[TOTAL_SAVINGS][y] for y in YEARS}
    bf = inputs.hn_brought_forward
    rows[BF_2019_20] = {y: (bf["deficit_2019_20"] if y == YEARS[0] else 0.0) for y in YEARS}
    rows[BF_2020_21] = {y: (bf["deficit_2020_21"] if y == YEARS[0] else 0.0) for y in YEARS}
    running = 0.0
    cumulative = {}
    for y in YEARS:
        running += rows[BF_2019_20][y] + rows[BF_2020_21][y] + rows[ANNUAL_GAP][y]
        cumulative[y] = running
    rows[CUMULATIVE] = cumulative
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(YEARS)).rename_axis("row")
