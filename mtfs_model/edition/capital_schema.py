"""The declarative schema of an edition's ``capital.toml`` and ``cip.toml`` (pydantic,
``extra="forbid"``): the capital programme, its resources and summaries, and the CIP
properties.  See :mod:`mtfs_model.edition.schema` for the other files.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from mtfs_model.base.schema_types import Cost, Fraction, Money, Month, Source, Strict, Text
from mtfs_model.edition.schema_parts import Figures, Ident, Note, Years

# --- capital.toml -------------------------------------------------------------------


class Scheme(Strict):
    """A capital scheme of Appendix C: its label, figures by year and total (GBP000)."""

    label: Text
    values: Figures | None = None
    total: Cost
    printed_values: Annotated[list[Cost], Field(min_length=1, max_length=15)] | None = None
    cip: bool = False
    inferred: bool = False
    note: Note | None = None


class Block(Strict):
    """A block of the capital programme (Appendix C) and its schemes (GBP000)."""

    label: Text
    printed: Figures = {}
    use_printed_years: bool = False
    """The engine takes this block's years from ``printed`` (the scheme grid was lost)."""
    source: Source | None = None
    schemes: Annotated[list[Scheme], Field(min_length=1, max_length=500)]


class PrintedRow(Strict):
    """A row as printed, figures by year (GBP000), for the reconciler."""

    label: Text
    values: Figures
    source: Source | None = None


class CapitalProgramme(Strict):
    """The capital programme: its blocks and the printed overall total (GBP000)."""

    source: Source | None = None
    blocks: Annotated[dict[Ident, Block], Field(min_length=1, max_length=100)]
    printed_overall_total: PrintedRow | None = None


class SummaryRow(Strict):
    """A row of the capital summary (para 43): a block's figures by year as printed (GBP000)."""

    block: Ident
    label: Text
    values: Figures
    printed_total: Annotated[str, Field(max_length=40)] | None = None


class CapitalHeadline(Strict):
    """The capital headline sentence and the figures it states (GBP000 at ``precision``)."""

    text: Text
    programme: Cost
    external: Cost
    lcc: Money
    precision: Annotated[float, Field(allow_inf_nan=False, gt=0.0, le=1e6)]


class CapitalSummary(Strict):
    """The capital summary table of the report (para 43) and its headline (GBP000)."""

    source: Source | None = None
    rows: Annotated[list[SummaryRow], Field(min_length=1)]
    total: Figures = {}
    headline: CapitalHeadline | None = None


class ResourceRow(Strict):
    """A resource funding the capital programme: group, label, figures by year and total (GBP000)."""

    group: Ident
    label: Text
    values: Figures
    total: Cost
    inferred: bool = False
    note: Note | None = None


class Resources(Strict):
    """The resources funding the capital programme and the printed totals (GBP000)."""

    source: Source | None = None
    rows: Annotated[list[ResourceRow], Field(min_length=1, max_length=500)]
    printed_total: Figures = {}
    printed_net_funding_required: Figures = {}


class ResourcesSummaryRow(Strict):
    """A row of the resources summary: a group's figures by year as printed (GBP000)."""

    group: Ident
    label: Text
    values: Figures


class ResourcesSummary(Strict):
    """The resources summary table: groups, total available and the council's (LCC) requirement (GBP000)."""

    source: Source | None = None
    rows: Annotated[list[ResourcesSummaryRow], Field(min_length=1)]
    total_available: Figures = {}
    lcc_requirement: Figures = {}
    total_funding: Figures = {}


class CapitalFile(Strict):
    """``capital.toml``."""

    programme: CapitalProgramme
    summary: CapitalSummary | None = None
    resources: Resources
    resources_summary: ResourcesSummary | None = None


# --- cip.toml -----------------------------------------------------------------------


class StatedPayback(Strict):
    """A payback the papers state for a property: years, gross or net, equal to or within."""

    years: Years
    basis: Literal["gross", "net"]
    relation: Literal["equal", "within"]
    text: Text


class GoLiveAlternative(Strict):
    """A second go-live month the papers give for a property, with its source."""

    date: Month
    text: Text
    source: Source


class PropertyDriver(Strict):
    """The printed weekly figures behind one saving part."""

    part: Ident
    formula: Text
    weeks: Annotated[float, Field(allow_inf_nan=False, gt=0.0, le=53.0)]


WeeklyGbp = Annotated[float, Field(allow_inf_nan=False, ge=0.0, le=1e6)]


class PropertySpec(Strict):
    """One invest-to-save (CIP) property: capital and saving parts (GBP000), places, occupancy, go-live, stated
    payback."""

    name: Text
    source: Source
    capital_parts: Annotated[dict[Ident, Cost], Field(min_length=1)]
    capital_printed_total: Cost | None = None
    capital_cash_parts: list[Ident] | None = None
    capital_note: Note | None = None
    saving_parts: dict[Ident, Money]
    saving_printed_total: Money | None = None
    do_nothing_printed_total: Money | None = None
    saving_occupancy_sensitive: list[Ident] = []
    places: Annotated[int, Field(ge=1, le=1000)]
    occupancy: Annotated[float, Field(allow_inf_nan=False, gt=0.0, le=1.0)]
    """The published occupancy: above 0 (a scenario's occupancy is taken relative to it)."""
    occupancy_note: Note | None = None
    weekly_differential_gbp: WeeklyGbp | None = None
    weekly_cost_current_cohort_gbp: WeeklyGbp | None = None
    weekly_cost_turning_16_gbp: WeeklyGbp | None = None
    driver: PropertyDriver | None = None
    retained_value: Cost
    retained_value_note: Note | None = None
    net_investment_printed: Money | None = None
    go_live: Month
    go_live_source: Source | None = None
    go_live_alternative: GoLiveAlternative | None = None
    stated_payback: StatedPayback | None = None
    stated_payback_gross: StatedPayback | None = None


class CipDefaults(Strict):
    """Appraisal terms for every property: discount rate (a fraction a year), life (years), investment date."""

    discount_rate: Fraction
    discount_rate_source: Source | None = None
    life_years: Annotated[int, Field(ge=1, le=100)]
    life_years_reason: Note | None = None
    investment_date: Month
    investment_date_reason: Note | None = None
    capital_envelope: Cost | None = None
    capital_envelope_source: Source | None = None
    places_envelope: Annotated[int, Field(ge=0, le=100_000)] | None = None


class CipFile(Strict):
    """``cip.toml``."""

    defaults: CipDefaults
    properties: Annotated[dict[Ident, PropertySpec], Field(max_length=200)] = {}
