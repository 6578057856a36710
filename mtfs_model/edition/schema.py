"""The declarative schema of an edition folder's files (pydantic, ``extra="forbid"``).

Every TOML file of an edition has one model here (``capital.toml`` and ``cip.toml`` in
:mod:`mtfs_model.edition.capital_schema`; ``risk.toml`` has its own, in
:mod:`mtfs_model.risk.schema`; ``checks.toml`` and ``headlines.toml`` in
:mod:`mtfs_model.edition.declared`): every key is declared, so a misspelt key is an
error, every number is finite and bounded, and every ``source`` is a table.  What needs
the whole edition (a line's programme exists, every year of the horizon is present, a row
names an Appendix A id, a driver names a saving part) is checked by
:mod:`mtfs_model.edition.checks`, which reports every problem at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from mtfs_model.base.schema_types import (
    Cost,
    Money,
    Month,
    Positive,
    Source,
    Strict,
    Text,
    YearLabel,
)
from mtfs_model.base.years import fy_label, fy_start, is_fy_label
from mtfs_model.edition.capital_schema import CapitalFile, CipFile
from mtfs_model.edition.schema_parts import Figures, Ident, Note


class Paper(Strict):
    doc: Ident
    date: dt.date


class EditionMeta(Strict):
    id: Ident
    title: Text
    council: Text
    council_gss: Annotated[str, Field(pattern=r"^[EWSN]\d{8}$")] | None = None
    """The council's ONS/GSS code (``E10000018``): how the out-of-sample rule recognises its figures."""
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
        if self.appraisal_last_year is not None:
            if not is_fy_label(self.appraisal_last_year):
                raise ValueError(f"appraisal_last_year written YYYY/YY, got {self.appraisal_last_year!r}")
            if not 0 <= fy_start(self.appraisal_last_year) - start <= 60:
                raise ValueError(f"appraisal_last_year from {self.years[0]} to {fy_label(start + 60)}")
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
    revenue: dict[Ident, Text]
    lines: dict[Ident, Text]
    high_needs: dict[Ident, Text]
    capital: dict[Ident, Text]


class EditionFile(Strict):
    """``edition.toml``."""

    edition: EditionMeta
    horizon: Horizon
    programmes: Annotated[list[ProgrammeSpec], Field(min_length=1, max_length=50)]
    links: Links = Links()
    rows: Rows


# --- sources.toml -------------------------------------------------------------------


class Document(Strict):
    """A paper figures are transcribed from."""

    title: Text
    file: Annotated[str, Field(pattern=r"^[^/\\\x00]+$", max_length=255)]
    publisher: Text | None = None
    href: Text | None = None
    date: dt.date | None = None


class SourcesFile(Strict):
    """``sources.toml``: the papers, by the key a ``source = { doc = ... }`` names."""

    documents: Annotated[dict[Ident, Document], Field(min_length=1)]


# --- growth_savings.toml ------------------------------------------------------------


class Narrative(Strict):
    """A sentence stating a line's first- and last-year figures."""

    text: Text
    first_year: Money | None = None
    last_year: Money | None = None
    unit: Literal["GBP000"] = "GBP000"
    precision: Annotated[float, Field(allow_inf_nan=False, gt=0.0, le=1e6)] | None = None
    source: Source | None = None


class Drivers(Strict):
    """A line's narrative drivers: a registered model and its parameters (numbers named by
    the model, :mod:`mtfs_model.edition.drivers`), with their description and source."""

    model_config = Strict.model_config | {"extra": "allow"}
    __pydantic_extra__: dict[str, Annotated[float, Field(allow_inf_nan=False, ge=0.0, le=1e9)]]

    model: Annotated[str, Field(min_length=1, max_length=64)]
    description: Text | None = None
    source: Source | None = None
    notes: Note | None = None


class LineSpec(Strict):
    """One growth or savings line of ``growth_savings.toml``."""

    kind: Literal["growth", "saving"]
    title: Text
    status: Annotated[str, Field(max_length=20)] = ""
    classification: Annotated[str, Field(max_length=200)] = ""
    programme: Ident
    values: Figures
    source: Source
    narrative: Narrative | None = None
    drivers: Drivers | None = None
    notes: Note | None = None


class PrintedTotal(Strict):
    label: Text
    parts: Annotated[list[Ident], Field(min_length=1)]
    values: Figures
    source: Source | None = None


class GrowthSavingsFile(Strict):
    lines: Annotated[dict[Ident, LineSpec], Field(min_length=1, max_length=500)]
    printed_totals: dict[Ident, PrintedTotal] = {}
    """Totals as printed, for the reconciler only."""


# --- revenue.toml -------------------------------------------------------------------


class TransferParts(Strict):
    """What the first year's budget transfers comprise, as printed (GBP000 figures)."""

    model_config = Strict.model_config | {"extra": "allow"}
    __pydantic_extra__: dict[str, Money]

    source: Source | None = None
    precision: Positive | None = None


class RollForward(Strict):
    original_prior_year_budget: Cost
    budget_transfers: Figures
    source: Source | None = None
    transfer_parts: TransferParts | None = None
    printed: dict[Ident, Figures] = {}
    """Rows as printed (ids of the revenue table or its file keys), for the reconciler."""


class ServiceAreaRow(Strict):
    label: Text
    value: Money
    appendix_a: Annotated[list[Ident], Field(min_length=1)]
    """Ids of ``appendix_a.csv`` rows the area corresponds to."""


class ServiceAreas(Strict):
    source: Source | None = None
    column: Ident
    """The ``appendix_a.csv`` column the areas correspond to."""
    printed_total: Money | None = None
    printed_total_label: Text | None = None
    rows: Annotated[list[ServiceAreaRow], Field(min_length=1)]


class ColumnIdentity(Strict):
    total: Ident
    parts: Annotated[list[Ident], Field(min_length=1)]


class AppendixASpec(Strict):
    source: Source | None = None
    unit: Literal["GBP"] = "GBP"
    identities: list[ColumnIdentity] = []
    columns: Annotated[list[Ident], Field(min_length=1, max_length=100)]


class RevenueFile(Strict):
    """``revenue.toml``."""

    roll_forward: RollForward
    service_areas: ServiceAreas | None = None
    appendix_a: AppendixASpec | None = None


# --- high_needs.toml ----------------------------------------------------------------


class DsgBlocks(Strict):
    """The Dedicated Schools Grant blocks as printed (a unit, figures, parts of figures)."""

    model_config = Strict.model_config | {"extra": "allow"}
    __pydantic_extra__: dict[str, Money | dict[Ident, Money]]

    source: Source | None = None
    unit: Literal["GBP000", "GBPm", "GBP"] = "GBP000"
    precision: Positive | None = None
    printed_total: Money | None = None
    printed_total_source: Source | None = None


class Forecast(Strict):
    source: Source | None = None
    unit: Literal["GBP000"] = "GBP000"
    funding: dict[Ident, Figures]
    expenditure: dict[Ident, Figures]
    savings: dict[Ident, Figures]
    labels: dict[Ident, Text] = {}
    brought_forward: dict[Ident, Money] = {}
    printed: dict[Ident, Figures] = {}


class TransferSpec(Strict):
    source: Source | None = None
    amount: Cost
    year: YearLabel
    line: Ident
    requires: Text | None = None


class HighNeedsFile(Strict):
    """``high_needs.toml``."""

    dsg_blocks: DsgBlocks | None = None
    forecast: Forecast
    schools_block_transfer: TransferSpec | None = None


# --- guarantee.toml -----------------------------------------------------------------


class Fact(Strict):
    """A printed statement: its sentence and where it is printed."""

    text: Text | None = None
    source: Source


class GuaranteeFloor(Fact):
    floor: Cost
    shortfall_borne_by: Literal["partner", "council"] = "partner"
    shortfall_note: Note | None = None


class Benefit(Fact):
    benefit: Cost


class Fee(Strict):
    capped: bool = False
    cap_printed: bool = False
    note: Note | None = None


class GuaranteeHorizon(Fact):
    years: Annotated[int, Field(ge=1, le=50)]


class ProgrammeEnd(Fact):
    month: Month


class MtfsBooking(Fact):
    lines: Annotated[list[Ident], Field(min_length=1)]


class GuaranteeFile(Strict):
    """``guarantee.toml``: the transformation partner's guarantee as printed."""

    guarantee: GuaranteeFloor
    estimate: Benefit | None = None
    stretch: Benefit | None = None
    fee: Fee = Fee()
    horizon: GuaranteeHorizon | None = None
    programme_end: ProgrammeEnd | None = None
    mtfs: MtfsBooking | None = None


FILE_MODELS: dict[str, type[Strict]] = {
    "edition.toml": EditionFile,
    "sources.toml": SourcesFile,
    "growth_savings.toml": GrowthSavingsFile,
    "revenue.toml": RevenueFile,
    "high_needs.toml": HighNeedsFile,
    "capital.toml": CapitalFile,
    "cip.toml": CipFile,
    "guarantee.toml": GuaranteeFile,
}
"""The model of each TOML file of an edition (``risk.toml``, ``checks.toml`` and
``headlines.toml`` are checked by their own schemas)."""
