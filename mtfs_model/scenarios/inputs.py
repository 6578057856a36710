"""The engine's input types: an edition's figures with a scenario's overrides applied.

Plain frozen dataclasses at the bottom of the import graph: the engine, scenarios and
the risk model all read them, and they import nothing of the model's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mtfs_model.edition.folder import Edition


@dataclass(frozen=True)
class LineInput:
    """One growth or savings line: its published profile and what the scenario makes of it."""

    code: str
    kind: str
    title: str
    status: str
    classification: str
    programme: str
    published: dict[str, float]
    profile: dict[str, float]
    drivers_base: dict[str, Any] | None
    drivers: dict[str, Any] | None


@dataclass(frozen=True)
class PropertyInput:
    """One CIP residential property (GBP000 unless the name says otherwise)."""

    code: str
    name: str
    capital_parts: dict[str, float]
    capital_cash_parts: tuple[str, ...]
    saving_parts: dict[str, float]
    occupancy_sensitive: tuple[str, ...]
    occupancy: float
    base_occupancy: float
    places: int
    retained_value: float
    go_live: str
    base_go_live: str
    stated_payback: dict[str, Any]
    weekly_differential_gbp: float | None = None
    base_weekly_differential_gbp: float | None = None
    driver: dict[str, Any] | None = None


FLOOR_PHASINGS = ("final_year", "pro_rata")


@dataclass(frozen=True)
class GuaranteeAssumptions:
    """How to read the transformation partner's guarantee where the papers print nothing.

    ASSUMPTIONS a scenario may state (``[guarantee]``), never published figures:
    ``floor_phasing`` ``"final_year"`` (default: the guaranteed annual benefit applies to
    the final year's run-rate only) or ``"pro_rata"`` (every year, scaled by the MTFS
    profile's share of its final-year figure); ``fee_rate`` the fee as a share (0-1) of
    the benefit delivered each year (None: not modelled); ``fee_cap`` the cap on the fee,
    GBP000 over the horizon (None: uncapped); ``honoured`` whether the partner makes up
    a shortfall below the floor (True, as contracted; False: the counterparty fails --
    the budget-risk simulation then leaves the shortfall with the council).
    """

    floor_phasing: str = "final_year"
    fee_rate: float | None = None
    fee_cap: float | None = None
    honoured: bool = True


@dataclass(frozen=True)
class ModelInputs:
    """Everything the engine reads: an edition with a scenario's overrides applied."""

    edition: Edition
    lines: dict[str, LineInput]
    original_prior_year_budget: float
    budget_transfers: dict[str, float]
    hn_funding: dict[str, dict[str, float]]
    hn_expenditure: dict[str, dict[str, float]]
    hn_savings: dict[str, dict[str, float]]
    hn_brought_forward: dict[str, float]
    hn_transfer_amount: float
    hn_transfer_year: str | None
    hn_transfer_line: str | None
    hn_transfer_approved: bool
    properties: dict[str, PropertyInput]
    discount_rate: float
    life_years: int
    investment_date: str
    properties_feed_line: bool = True
    guarantee: GuaranteeAssumptions = GuaranteeAssumptions()

    @property
    def years(self) -> tuple[str, ...]:
        """The edition's fiscal years."""
        return self.edition.years
