"""Capital: the programme and its financing (Appendix C), and the CIP property paybacks.

Programme and financing in GBP000 by year with a ``Total`` column; the LCC capital
funding requirement is the programme less the funds available.  CIP paybacks use
numpy-financial for NPV and IRR; the discount rate defaults to the HM Treasury Green
Book 3.5 %.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy_financial as npf
import pandas as pd

from mtfs_model.base.years import fy_label, fy_of, fy_start, parse_month
from mtfs_model.scenarios.inputs import ModelInputs, PropertyInput

TOTAL = "Total"
PROGRAMME_TOTAL = "programme_total"
AVAILABLE = "available"
LCC = "lcc_requirement"
PROGRAMME_FUNDING = "programme_funding"
ALL_PROPERTIES = "all"


def _with_total(values: Mapping[str, float], years: Sequence[str]) -> dict[str, float]:
    out = {y: float(values[y]) for y in years}
    out[TOTAL] = sum(out.values())
    return out


def block_years(block: Mapping[str, Any], years: Sequence[str]) -> dict[str, float]:
    """A programme block by year: the sum of its schemes, or (where the grid was lost in
    extraction) the printed block row, as flagged by ``use_printed_years``."""
    if block.get("use_printed_years"):
        return {y: float(block["printed"][y]) for y in years}
    return {y: sum(float(s["values"][y]) for s in block["schemes"]) for y in years}


def programme(capital: Mapping[str, Any], years: Sequence[str]) -> pd.DataFrame:
    """The capital programme by block id and year, with its total (GBP000)."""
    table = {key: _with_total(block_years(b, years), years) for key, b in capital["programme"]["blocks"].items()}
    frame = pd.DataFrame.from_dict(table, orient="index", columns=[*years, TOTAL])
    frame.loc[PROGRAMME_TOTAL] = frame.sum()
    return frame.rename_axis("block")


def financing(capital: Mapping[str, Any], programme_table: pd.DataFrame, years: Sequence[str]) -> pd.DataFrame:
    """Capital resources by group id and year, funds available, and the council's own
    funding requirement (programme less funds available)."""
    table: dict[str, dict[str, float]] = {}
    for r in capital["resources"]["rows"]:
        acc = table.setdefault(r["group"], {y: 0.0 for y in years})
        for y in years:
            acc[y] += float(r["values"][y])
    frame = pd.DataFrame.from_dict(
        {k: _with_total(v, years) for k, v in table.items()}, orient="index", columns=[*years, TOTAL]
    )
    frame.loc[AVAILABLE] = frame.sum()
    frame.loc[LCC] = programme_table.loc[PROGRAMME_TOTAL] - frame.loc[AVAILABLE]
    frame.loc[PROGRAMME_FUNDING] = frame.loc[AVAILABLE] + frame.loc[LCC]
    return frame.rename_axis("resource")


# --- CIP properties -----------------------------------------------------------------


def capital_cost(p: PropertyInput) -> float:
    """Gross investment, GBP000: the sum of the capital parts (incl. non-cash transfers)."""
    return float(sum(p.capital_parts.values()))


def annual_saving(p: PropertyInput) -> tuple[float, bool]:
    """Full-year revenue saving (GBP000) and whether it was derived rather than printed.

    Occupancy-sensitive parts scale with occupancy / base occupancy.  Property 4 prints
    no saving: the smallest annual saving that makes its stated simple payback true is
    ``cost / stated years``, marked as derived.
    """
    ratio = p.occupancy / p.base_occupancy if p.base_occupancy else 0.0
    if not p.saving_parts:
        stated = float(p.stated_payback.get("years", 0.0))
        return (capital_cost(p) / stated * ratio if stated > 0 else 0.0), True
    total = 0.0
    for k, v in p.saving_parts.items():
        factor = ratio if k in p.occupancy_sensitive else 1.0
        if p.driver and k == p.driver["part"] and p.base_weekly_differential_gbp:
            # the placements part moves with the weekly saving a place (para 14 b)
            factor *= (p.weekly_differential_gbp or 0.0) / p.base_weekly_differential_gbp
        total += v * factor
    # parts may hold a running cost, but a property's saving never turns into a cost
    return max(float(total), 0.0), False


def driver_implied_saving(p: PropertyInput) -> float:
    """Annual saving (GBP000) as the narrative's drivers imply it: weekly saving a place x
    weeks x places x occupancy for the driven part, the other parts as modelled.  Equals
    :func:`annual_saving` for a property with no weekly driver."""
    saving, _ = annual_saving(p)
    if not p.driver or p.weekly_differential_gbp is None:
        return saving
    part = p.driver["part"]
    modelled_part = p.saving_parts[part] * (p.occupancy / p.base_occupancy if p.base_occupancy else 0.0)
    if p.base_weekly_differential_gbp:
        modelled_part *= p.weekly_differential_gbp / p.base_weekly_differential_gbp
    implied_part = p.weekly_differential_gbp * p.driver["weeks"] * p.places * p.occupancy / 1000
    return saving - modelled_part + implied_part


def _payback(cost: float, saving: float) -> float:
    return cost / saving if saving > 0 else math.inf


def discounted_payback(cost: float, saving: float, rate: float, horizon: int = 100) -> float:
    """Years until discounted savings (end of each year) repay ``cost``, interpolated."""
    if cost <= 0:
        return 0.0
    cum = 0.0
    for t in range(1, horizon + 1):
        pv = saving / (1 + rate) ** t
        if pv > 0 and cum + pv >= cost:
            return t - 1 + (cost - cum) / pv
        cum += pv
    return math.inf


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def live_fraction(go_live: str, fy: str) -> float:
    """Share of fiscal year ``fy`` (April-March) for which a property live from the start
    of month ``go_live`` is operating."""
    start = dt.date(fy_start(fy), 4, 1)
    months = 12 - _months_between(start, parse_month(go_live))
    return min(max(months, 0), 12) / 12


def _irr(flows: list[float]) -> float:
    """IRR by numpy-financial; -1.0 (minus 100 %) where no rate recovers the investment,
    so that no NaN reaches a table."""
    if sum(flows[1:]) <= 0:
        return -1.0
    try:
        with np.errstate(all="ignore"):
            irr = float(npf.irr(flows))
    except np.linalg.LinAlgError:
        return -1.0
    return irr if math.isfinite(irr) else -1.0


def property_metrics(p: PropertyInput, rate: float, life: int, investment_date: str) -> dict[str, Any]:
    """One property's appraisal: costs, saving, paybacks, NPV and IRR."""
    cost = capital_cost(p)
    saving, derived = annual_saving(p)
    net = cost - p.retained_value
    flows = [-cost] + [saving] * life
    flows[-1] += p.retained_value
    irr = _irr(flows)
    delay = _months_between(parse_month(investment_date), parse_month(p.go_live)) / 12
    simple = _payback(cost, saving)
    return {
        "name": p.name,
        "capital_cost": cost,
        "capital_cash": float(sum(v for k, v in p.capital_parts.items() if k in p.capital_cash_parts)),
        "retained_value": p.retained_value,
        "net_investment": net,
        "annual_saving": saving,
        "saving_derived": derived,
        "saving_driver_implied": driver_implied_saving(p),
        "occupancy": p.occupancy,
        "places": p.places,
        "go_live": p.go_live,
        "simple_payback_gross": simple,
        "simple_payback_net": _payback(net, saving),
        "discounted_payback": discounted_payback(cost, saving, rate),
        "payback_from_investment": delay + simple,
        "npv": float(npf.npv(rate, flows)),
        "irr": irr,
        "discount_rate": rate,
        "life_years": life,
        "stated_payback_years": float(p.stated_payback.get("years", math.inf)),
        "stated_payback_basis": p.stated_payback.get("basis", "-"),
    }


def cip_appraisal(inputs: ModelInputs) -> pd.DataFrame:
    """Every property's appraisal, one row per property (GBP000, years, rates)."""
    table = {
        code: property_metrics(p, inputs.discount_rate, inputs.life_years, inputs.investment_date)
        for code, p in inputs.properties.items()
    }
    return pd.DataFrame.from_dict(table, orient="index").rename_axis("property")


def cip_years(inputs: ModelInputs, last_fy: str | None = None) -> list[str]:
    """Fiscal years from the investment year to ``last_fy`` (default: the edition's
    ``appraisal_last_year``)."""
    last = last_fy or inputs.edition.appraisal_last_year
    first = fy_start(fy_of(parse_month(inputs.investment_date)))
    return [fy_label(y) for y in range(first, max(fy_start(last), first) + 1)]


def cip_cash(inputs: ModelInputs, last_fy: str | None = None) -> pd.DataFrame:
    """Cumulative cash by fiscal year for each property and in all (GBP000): the gross
    investment out in the investment year, savings in from go-live, part years pro rata."""
    years = cip_years(inputs, last_fy)
    invest_fy = fy_of(parse_month(inputs.investment_date))
    table = {}
    for code, p in inputs.properties.items():
        saving, _ = annual_saving(p)
        flows = [(-capital_cost(p) if y == invest_fy else 0.0) + saving * live_fraction(p.go_live, y) for y in years]
        table[code] = np.cumsum(flows)
    frame = pd.DataFrame.from_dict(table, orient="index", columns=years)
    frame.loc[ALL_PROPERTIES] = frame.sum()
    return frame.rename_axis("property")


def cip_budget_savings(inputs: ModelInputs) -> dict[str, float]:
    """The properties' saving in each MTFS year (GBP000, positive), part years pro rata."""
    return {
        y: sum(annual_saving(p)[0] * live_fraction(p.go_live, y) for p in inputs.properties.values())
        for y in inputs.years
    }
