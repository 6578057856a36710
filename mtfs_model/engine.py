"""``run(scenario)``: derive every table of the MTFS from the scenario's inputs.

The result holds labelled DataFrames only; nothing is copied from a printed total.  The
engine never corrects the data: disagreements in the papers are the reconciler's to
report (:func:`mtfs_model.reconcile`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from . import capital, high_needs, revenue
from .data import APPENDIX_A_COLUMNS, Baseline, load_baseline, row_of
from .scenarios import Scenario, baseline_inputs, load_scenario
from .years import YEARS


@dataclass(frozen=True)
class Result:
    """Every table the engine derives for one scenario (GBP000 unless stated).

    ``cumulative`` / ``in_year``
        growth and savings lines with programme subtotals (Appendix B's view, and the
        change each year).
    ``revenue``
        the para 9 roll-forward: prior-year budget, transfers, growth, savings, net.
    ``service_areas``, ``appendix_a``
        para 12 and Appendix A (GBP) derived from Appendix A's lines.
    ``high_needs``
        the para 33 High Needs forecast chain.
    ``capital_programme``, ``capital_financing``
        Appendix C by block and resource group, and the LCC funding requirement.
    ``cip``, ``cip_cash``
        each CIP property's appraisal, and cumulative cash by fiscal year.
    ``drivers``
        each driver-modelled line's modelled and driver-implied figures.
    """

    scenario: Scenario = field(repr=False)
    cumulative: pd.DataFrame = field(repr=False)
    in_year: pd.DataFrame = field(repr=False)
    line_info: pd.DataFrame = field(repr=False)
    revenue: pd.DataFrame = field(repr=False)
    service_areas: pd.DataFrame = field(repr=False)
    appendix_a: pd.DataFrame = field(repr=False)
    high_needs: pd.DataFrame = field(repr=False)
    capital_programme: pd.DataFrame = field(repr=False)
    capital_financing: pd.DataFrame = field(repr=False)
    cip: pd.DataFrame = field(repr=False)
    cip_cash: pd.DataFrame = field(repr=False)
    drivers: pd.DataFrame = field(repr=False)

    TABLES = (
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
    )

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, in reading order."""
        return {name: getattr(self, name) for name in self.TABLES}

    def key_figures(self) -> pd.DataFrame:
        """The headline figures a committee asks for first, by year (GBP000)."""
        rows = {
            "Net budget": self.revenue.loc["Proposed/provisional net budget"],
            "Growth (cumulative)": self.cumulative.loc[revenue.PROGRAMME_LABELS["growth"]],
            "Savings (cumulative)": self.cumulative.loc[revenue.TOTAL_SAVINGS],
            "DCFSF savings (cumulative)": self.cumulative.loc[revenue.PROGRAMME_LABELS["DCFSF"]],
            "High Needs annual gap": self.high_needs.loc[high_needs.ANNUAL_GAP],
            "High Needs cumulative deficit": self.high_needs.loc[high_needs.CUMULATIVE],
            "Capital programme": self.capital_programme.loc[capital.PROGRAMME_TOTAL, list(YEARS)],
            "LCC capital funding requirement": self.capital_financing.loc[capital.LCC, list(YEARS)],
        }
        return pd.DataFrame(rows).T.rename_axis("figure")

    def __repr__(self) -> str:
        net = self.revenue.loc["Proposed/provisional net budget"]
        return (
            f"<Result {self.scenario.name!r}: net budget "
            + " / ".join(f"{y} {net[y]:,.0f}" for y in YEARS)
            + " (GBP000)>"
        )


def unique_names(results: Sequence[Result]) -> list[str]:
    """Each result's scenario name, primed (``'``) where a name repeats, so the same
    scenario asked for twice still gets its own column."""
    names: list[str] = []
    for r in results:
        key = r.scenario.name
        while key in names:
            key += "'"
        names.append(key)
    return names


def run(scenario: Scenario | str | None = None, baseline: Baseline | None = None) -> Result:
    """Derive every MTFS table for ``scenario`` (a Scenario, a name, or None for baseline)."""
    b = baseline or load_baseline()
    if scenario is None:
        scenario = "baseline"
    if isinstance(scenario, str):
        scenario = load_scenario(scenario, baseline=b)
    inputs = scenario.inputs

    # CF4 is the budget's claim on the CIP properties: it is delivered in proportion to
    # what the properties save each year against the baseline (occupancy, go-live, costs).
    # Proportional, not additive: CF4 books far less than the properties' modelled savings
    # (500 against 737 in 2024/25), and a saving line must never turn into a cost.
    cf4_factor = None
    if inputs.cip_feeds_cf4:
        base = capital.cip_budget_savings(baseline_inputs(b))
        now = capital.cip_budget_savings(inputs)
        cf4_factor = {y: (now[y] / base[y] if base[y] > 0 else 1.0) for y in YEARS}
    lines = revenue.lines_cumulative(inputs, cf4_factor)
    cumulative = revenue.with_totals(lines, inputs)
    in_year = revenue.with_totals(revenue.to_in_year(lines), inputs)
    growth_label = revenue.PROGRAMME_LABELS["growth"]
    rf = revenue.roll_forward(
        inputs.original_prior_year_budget,
        inputs.budget_transfers,
        row_of(in_year, growth_label),
        row_of(in_year, revenue.TOTAL_SAVINGS),
    )
    appendix_a = revenue.appendix_a_rollup(b.appendix_a, list(APPENDIX_A_COLUMNS))
    areas = revenue.service_areas(appendix_a, b.revenue["service_areas"])
    hn = high_needs.forecast(inputs, b.high_needs["forecast"]["labels"])
    prog = capital.programme(b.capital)
    fin = capital.financing(b.capital, prog)
    return Result(
        scenario=scenario,
        cumulative=cumulative,
        in_year=in_year,
        line_info=revenue.line_info(inputs),
        revenue=rf,
        service_areas=areas,
        appendix_a=appendix_a,
        high_needs=hn,
        capital_programme=prog,
        capital_financing=fin,
        cip=capital.cip_appraisal(inputs),
        cip_cash=capital.cip_cash(inputs),
        drivers=revenue.drivers_table(inputs),
    )
