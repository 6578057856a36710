"""The declarative schema of an edition folder's files (pydantic, ``extra="forbid"``).

Structure and bounds are declared here; what needs the whole edition (a line's programme
exists, every year of the horizon is present, a link names a real line) is checked by
:func:`mtfs_model.edition.checks.check_edition`, which reports every problem at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from mtfs_model.base.schema_types import Cost, Fraction, Money, Month, Open, Positive, Source, Strict, Text, YearLabel
from mtfs_model.base.years import fy_label, fy_start, is_fy_label

Ident = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$", max_length=64)]
"""An id: a letter, then letters, digits, ``_`` or ``-``."""


class Paper(Strict):
    doc: Ident
    date: dt.date


class EditionMeta(Strict):
    id: Ident
    title: Text
    council: Text
    department: Text
    committee: Text | None = None
    papers: list[Paper] = []


class Horizon(Strict):
    """The MTFS years, in order and consecutive, and the base year before them."""

    years: Annotated[list[YearLabel], Field(min_length=1, max_length=15)]
    base_year: YearLabel
    appraisal_last_year: YearLabel | None = None

    @model_validator(mode="after")
    def _consecutive(self) -> Horizon:
        for y in [*self.years, self.base_year]:
            if not is_fy_label(y):
                raise ValueError(f"fiscal years written YYYY/YY, the second year following the first, got {y!r}")
        start = fy_start(self.years[0])
        if self.years != [fy_label(start + i) for i in range(len(self.years))]:
            raise ValueError(f"consecutive fiscal years from {self.years[0]}, got {self.years}")
        if self.base_year != fy_label(start - 1):
            raise ValueError(f"base_year the year before {self.years[0]} ({fy_label(start - 1)})")
        if self.appraisal_last_year is not None and fy_start(self.appraisal_last_year) < start:
            raise ValueError(f"appraisal_last_year not before {self.years[0]}")
        return self


class ProgrammeSpec(Strict):
    id: Ident
    kind: Literal["growth", "saving"]
    label: Text
    short: Text | None = None
    name: Text | None = None


class Links(Strict):
    """Links between parts of the edition (each optional: an edition may have none)."""

    property_savings_line: Ident | None = None
    guarantee_programme: Ident | None = None
    guarantee_partner: Text | None = None


class Rows(Strict):
    revenue: dict[str, Text]
    lines: dict[str, Text]
    high_needs: dict[str, Text]
    capital: dict[str, Text]


class EditionFile(Strict):
    """``edition.toml``."""

    edition: EditionMeta
    horizon: Horizon
    programmes: Annotated[list[ProgrammeSpec], Field(min_length=1)]
    links: Links = Links()
    rows: Rows


class Narrative(Open):
    text: Text
    first_year: Money | None = None
    last_year: Money | None = None
    precision: Positive | None = None


class LineSpec(Strict):
    """One growth or savings line of ``growth_savings.toml``."""

    kind: Literal["growth", "saving"]
    title: Text
    status: str = ""
    classification: str = ""
    programme: Ident
    values: dict[str, Money]
    source: Source
    narrative: Narrative | None = None
    drivers: dict[str, Any] | None = None
    notes: str | None = None


class PrintedTotal(Open):
    label: Text
    parts: list[str]
    values: dict[str, Money]


class GrowthSavingsFile(Strict):
    lines: Annotated[dict[str, LineSpec], Field(min_length=1)]
    printed_totals: dict[str, PrintedTotal] = {}
    """Totals as printed, for the reconciler only."""


class RollForward(Open):
    original_prior_year_budget: Cost
    budget_transfers: dict[str, Money]
    source: Source | None = None


class RevenueFile(Open):
    roll_forward: RollForward


class TransferSpec(Open):
    amount: Cost
    year: YearLabel
    line: Ident


class Forecast(Open):
    funding: dict[str, dict[str, Money]]
    expenditure: dict[str, dict[str, Money]]
    savings: dict[str, dict[str, Money]]
    labels: dict[str, Text] = {}
    brought_forward: dict[str, Money] = {}


class HighNeedsFile(Open):
    forecast: Forecast
    schools_block_transfer: TransferSpec | None = None


class PropertySpec(Open):
    name: Text
    capital_parts: dict[str, Cost]
    saving_parts: dict[str, Money]
    saving_occupancy_sensitive: list[str] = []
    occupancy: Fraction
    places: Annotated[int, Field(ge=1, le=1000)]
    retained_value: Cost
    go_live: Month
    stated_payback: dict[str, Any] = {}
    weekly_differential_gbp: Positive | None = None


class CipDefaults(Open):
    discount_rate: Fraction
    life_years: Annotated[int, Field(ge=1, le=100)]
    investment_date: Month


class CipFile(Open):
    defaults: CipDefaults
    properties: dict[str, PropertySpec] = {}


class CapitalFile(Open):
    programme: dict[str, Any]
    resources: dict[str, Any]


class GuaranteeFile(Open):
    guarantee: dict[str, Any]
