"""Driver models: how a line's narrative drivers imply its cumulative GBP000 profile.

Each model is one registered function ``(drivers, years) -> {year: GBP000}``; a line in
``growth_savings.toml`` names its model (``[lines.X.drivers] model = "..."``) and gives
the parameters the model declares.  Adding a driver model is one decorated function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DriverFunction = Callable[[Mapping[str, float], Sequence[str]], dict[str, float]]
META_KEYS = frozenset({"model", "description", "source", "notes"})
"""Keys of a drivers table that describe it rather than parameterise it."""


@dataclass(frozen=True)
class DriverModel:
    """A registered driver model: its name, parameters and the function giving a line's figures from them."""

    name: str
    params: tuple[str, ...]
    function: DriverFunction
    positive: tuple[str, ...] = ()
    """Parameters that must be above zero (a divisor)."""


MODELS: dict[str, DriverModel] = {}


def register(
    name: str, params: Sequence[str], positive: Sequence[str] = ()
) -> Callable[[DriverFunction], DriverFunction]:
    """Register a driver model under ``name`` with its required parameters."""

    def wrap(fn: DriverFunction) -> DriverFunction:
        MODELS[name] = DriverModel(name, tuple(params), fn, tuple(positive))
        return fn

    return wrap


@register(
    "placement_unit_cost",
    (
        "unit_cost_budgeted_gbp_week",
        "unit_cost_current_gbp_week",
        "unit_cost_16plus_budgeted_gbp_week",
        "unit_cost_16plus_current_gbp_week",
        "placement_budget_base_gbp000",
        "placements_16plus",
        "weeks_per_year",
    ),
    positive=("unit_cost_budgeted_gbp_week", "weeks_per_year"),
)
def placement_unit_cost(d: Mapping[str, float], years: Sequence[str]) -> dict[str, float]:
    """The base-year cohort (the placement budget at the budgeted unit cost) repriced to
    the current unit cost, plus any 16+ placements repriced the same way:
    ``placements x (current - budgeted) GBP/week x weeks / 1000``, recurring."""
    weeks = d["weeks_per_year"]
    budgeted = d["unit_cost_budgeted_gbp_week"]
    placements = d["placement_budget_base_gbp000"] * 1000 / (budgeted * weeks)
    level = placements * (d["unit_cost_current_gbp_week"] - budgeted) * weeks / 1000
    level += (
        d["placements_16plus"]
        * (d["unit_cost_16plus_current_gbp_week"] - d["unit_cost_16plus_budgeted_gbp_week"])
        * weeks
        / 1000
    )
    return {y: level for y in years}


@register("annual_step", ("step_gbp000_per_year",))
def annual_step(d: Mapping[str, float], years: Sequence[str]) -> dict[str, float]:
    """A constant in-year step, so year *n* of the horizon holds *n* steps."""
    return {y: d["step_gbp000_per_year"] * (i + 1) for i, y in enumerate(years)}


@register("cases_times_cost", ("extra_cases_per_month", "months_per_year", "cost_per_case_gbp"))
def cases_times_cost(d: Mapping[str, float], years: Sequence[str]) -> dict[str, float]:
    """``extra cases a month x months x cost a case (GBP) / 1000``, recurring."""
    level = d["extra_cases_per_month"] * d["months_per_year"] * d["cost_per_case_gbp"] / 1000
    return {y: level for y in years}


def implied(drivers: Mapping[str, Any] | None, years: Sequence[str]) -> dict[str, float] | None:
    """The cumulative GBP000 profile a line's drivers imply, or None for a line without."""
    if not drivers:
        return None
    return MODELS[str(drivers["model"])].function(drivers, years)


def parameters(drivers: Mapping[str, Any]) -> dict[str, Any]:
    """The numeric parameters of a drivers table (its metadata left out)."""
    return {k: v for k, v in drivers.items() if k not in META_KEYS}
