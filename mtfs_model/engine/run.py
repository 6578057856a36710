"""``run(scenario)``: derive every table of the MTFS from the scenario's inputs.

The result holds labelled DataFrames only; nothing is copied from a printed total.  The
engine never corrects the data: disagreements in the papers are the reconciler's to
report (:func:`mtfs_model.reconcile`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

import pandas as pd

from mtfs_model.base import rows
from mtfs_model.base.cells import cell, row_of
from mtfs_model.base.rounding import number
from mtfs_model.edition.folder import Edition, load_edition
from mtfs_model.engine import capital, high_needs, revenue
from mtfs_model.scenarios.inputs import ModelInputs
from mtfs_model.scenarios.load import Scenario, baseline_inputs


@dataclass(frozen=True)
class Result:
    """Every table the engine derives for one scenario of one edition (GBP000 unless
    stated).  Rows are stable ids (:mod:`mtfs_model.base.rows`, line codes, the edition's
    keys); ``result.labelled(name)`` gives a table with the printed labels.

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

    TABLES = rows.TABLES

    @property
    def edition(self) -> Edition:
        """The edition the result was derived from."""
        return self.scenario.inputs.edition

    @property
    def years(self) -> tuple[str, ...]:
        """The edition's fiscal years, the tables' year columns."""
        return self.edition.years

    @property
    def net_budget(self) -> pd.Series:
        """The net budget by year (GBP000)."""
        return cast(pd.Series, self.revenue.loc[rows.NET_BUDGET])

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name, in reading order."""
        return {name: getattr(self, name) for name in self.TABLES}

    def key_figures(self) -> pd.DataFrame:
        """The headline figures a committee asks for first, by year (GBP000)."""
        ed, years = self.edition, list(self.years)
        figures: dict[str, pd.Series] = {"Net budget": self.net_budget}

        def row(frame: pd.DataFrame, key: str) -> pd.Series:
            return cast(pd.Series, frame.loc[key])

        for prog in ed.programmes:
            total = row(self.cumulative, rows.programme_total(prog.id))
            if prog.kind == "growth":
                figures[f"{prog.short or prog.id} (cumulative)"] = total
        figures["Savings (cumulative)"] = row(self.cumulative, rows.TOTAL_SAVINGS)
        for prog in ed.programmes:
            if prog.kind == "saving" and prog.id == ed.links.get("guarantee_programme"):
                figures[f"{prog.id} savings (cumulative)"] = row(self.cumulative, rows.programme_total(prog.id))
        figures["High Needs annual gap"] = row(self.high_needs, high_needs.ANNUAL_GAP)
        figures["High Needs cumulative deficit"] = row(self.high_needs, high_needs.CUMULATIVE)
        figures["Capital programme"] = row(self.capital_programme, capital.PROGRAMME_TOTAL)[years]
        figures[ed.label("capital", capital.LCC)] = row(self.capital_financing, capital.LCC)[years]
        return pd.DataFrame(figures).T.rename_axis("figure")

    def _repr_html_(self) -> str:
        """Key figures and the roll-forward as formatted tables in Jupyter (GBP000)."""
        from mtfs_model.base.display import result_html

        return result_html(self)

    def labelled(self, name: str) -> pd.DataFrame:
        """Table ``name`` with its row ids replaced by the edition's printed labels."""
        from mtfs_model.engine.labels import labelled

        return labelled(self, name)

    def __repr__(self) -> str:
        net = self.net_budget
        return (
            f"<Result {self.scenario.name!r} ({self.edition.id}): net budget "
            + " / ".join(f"{y} {number(net[y])}" for y in self.years)
            + " (£000)>"
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


@lru_cache(maxsize=8)
def _edition_tables(ed: Edition) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The tables no scenario moves (the revenue appendix roll-up, the service areas, the
    capital programme and its financing), derived once per edition; ``run`` hands each
    result its own copy."""
    appendix_a = (
        revenue.appendix_a_rollup(ed.appendix_a, list(ed.appendix_a_columns)) if not ed.appendix_a.empty
        else pd.DataFrame()
    )  # fmt: skip
    areas = revenue.service_areas(appendix_a, ed.revenue.get("service_areas", {}), ed.first_year)
    prog = capital.programme(ed.capital, ed.years)
    return appendix_a, areas, prog, capital.financing(ed.capital, prog, ed.years)


@lru_cache(maxsize=8)
def _published_property_savings(ed: Edition) -> dict[str, float]:
    """The properties' savings by year as the edition publishes them (once per edition)."""
    return capital.cip_budget_savings(baseline_inputs(ed))


def _linked_factor(inputs: ModelInputs, edition: Edition) -> dict[str, float] | None:
    """The linked savings line is delivered in proportion to what the CIP properties save
    each year against the edition (occupancy, go-live, costs).  Proportional, not
    additive: the line may book far less than the properties' modelled savings, and a
    saving must never turn into a cost (the factor is never below zero)."""
    if not inputs.properties_feed_line or not edition.links.get("property_savings_line"):
        return None
    base = _published_property_savings(edition)
    now = capital.cip_budget_savings(inputs)
    return {y: (max(now[y], 0.0) / base[y] if base[y] > 0 else 1.0) for y in inputs.years}


def run(
    scenario: Scenario | str | Mapping[str, Any] | None = None,
    edition: Edition | None = None,
) -> Result:
    """Derive every MTFS table for ``scenario`` on ``edition`` (default: the scenario's,
    else the bundled one).  ``scenario`` is a Scenario, a name or path, ``"a+b"`` (the
    two combined), a dict shaped like a scenario file, or None (the edition as published)."""
    if isinstance(scenario, Scenario):
        ed = scenario.inputs.edition
    else:
        from mtfs_model.scenarios.compose import as_scenario

        ed = edition or load_edition()
        scenario = as_scenario(scenario if scenario is not None else "baseline", edition=ed)
    inputs = scenario.inputs
    years = inputs.years
    lines = revenue.lines_cumulative(inputs, _linked_factor(inputs, ed))
    cumulative = revenue.with_totals(lines, inputs)
    in_year = revenue.with_totals(revenue.to_in_year(lines), inputs)
    growth_rows = [rows.programme_total(p.id) for p in ed.programmes if p.kind == "growth"]
    growth = {y: sum(cell(in_year, r, y) for r in growth_rows) for y in years}
    rf = revenue.roll_forward(
        years, inputs.original_prior_year_budget, inputs.budget_transfers, growth, row_of(in_year, rows.TOTAL_SAVINGS)
    )
    appendix_a, areas, prog, fin = (t.copy() for t in _edition_tables(ed))
    return Result(
        scenario=scenario,
        cumulative=cumulative,
        in_year=in_year,
        line_info=revenue.line_info(inputs),
        revenue=rf,
        service_areas=areas,
        appendix_a=appendix_a,
        high_needs=high_needs.forecast(inputs),
        capital_programme=prog,
        capital_financing=fin,
        cip=capital.cip_appraisal(inputs),
        cip_cash=capital.cip_cash(inputs),
        drivers=revenue.drivers_table(inputs),
    )
