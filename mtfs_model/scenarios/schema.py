"""The declarative schema of a scenario file (pydantic, ``extra="forbid"``).

A scenario names only what it changes.  Structure and bounds are declared here (and
exported as JSON Schema by ``mtfs schema scenario``); what needs the edition (a line code
exists, a year is in the horizon, a saving stays negative) is checked by
:func:`check_against_edition`, all problems at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from mtfs_model.base.errors import InputError, Problems
from mtfs_model.base.schema_types import Cost, Factor, Fraction, Money, Month, Positive, Reference, Strict, Text
from mtfs_model.edition import drivers as driver_models
from mtfs_model.edition.checks import go_live_range, year_map
from mtfs_model.edition.folder import Edition
from mtfs_model.edition.registry import scenario_section_checks
from mtfs_model.scenarios.names import COMBINED_PATTERN


class ScenarioMeta(Strict):
    """The ``[scenario]`` table: description, name, the edition it is written for, references."""

    description: Text
    name: Annotated[str, Field(pattern=COMBINED_PATTERN, max_length=200)] | None = None
    edition: str | None = None
    """The id of the edition the scenario is written for (checked when given)."""
    references: list[Reference] = []


class LineOverride(Strict):
    """Changes to one growth or savings line: its profile (GBP000), a scale, its drivers."""

    values: dict[str, Money] | None = None
    """Replace the cumulative GBP000 profile (every year of the horizon)."""
    scale: Factor | None = None
    """Scale the profile, 0-10."""
    drivers: dict[str, Positive] | None = None
    """Change narrative drivers (the line's own parameters)."""


class Recurring(Strict):
    """A programme's recurring amount in one year (GBP000, savings negative); other years pro rata."""

    year: str = "final"
    """``"final"`` or a year label of the horizon."""
    value: Money
    """GBP000 recurring in that year (savings negative)."""


class ProgrammeOverride(Strict):
    """Changes to one savings programme: its delivery (a factor, 1 = as published) or recurring amount."""

    delivery: Factor | None = None
    recurring: Recurring | None = None

    @model_validator(mode="after")
    def _one(self) -> ProgrammeOverride:
        if (self.delivery is None) == (self.recurring is None):
            raise ValueError("either delivery or recurring, not both")
        return self


class HighNeedsOverride(Strict):
    """Changes to High Needs: the Schools Block transfer, savings delivery and expenditure factors, figures (GBP000)."""

    schools_block_transfer_approved: bool | None = None
    savings_delivery: dict[str, Factor] = {}
    expenditure_scale: dict[str, Factor] = {}
    values: dict[str, dict[str, Money]] = {}


class PropertyOverride(Strict):
    """Changes to one CIP property: occupancy (a fraction), go-live month, parts (GBP000), retained value (GBP000)."""

    occupancy: Fraction | None = None
    go_live: Month | None = None
    capital_parts: dict[str, Cost] = {}
    saving_parts: dict[str, Money] = {}
    retained_value: Cost | None = None
    weekly_differential_gbp: Positive | None = None


class CipOverride(Strict):
    """Changes to the appraisal: discount rate (a fraction a year), life (years), whether the linked line follows the
    properties."""

    discount_rate: Fraction | None = None
    life_years: Annotated[int, Field(ge=1, le=100)] | None = None
    properties_feed_line: bool | None = None
    """The linked savings line (edition.toml ``links.property_savings_line``) follows the properties."""


class GuaranteeOverride(Strict):
    """Assumptions about the partner's guarantee: floor phasing, fee rate (a fraction), fee cap (GBP000), honoured."""

    floor_phasing: Literal["final_year", "pro_rata"] | None = None
    fee_rate: Fraction | None = None
    fee_cap_gbp000: Cost | None = None
    honoured: bool | None = None
    """False: the partner fails to make up a shortfall (the counterparty-failure case)."""

    @model_validator(mode="after")
    def _rate_with_cap(self) -> GuaranteeOverride:
        if self.fee_cap_gbp000 is not None and self.fee_rate is None:
            raise ValueError("a fee_rate to go with fee_cap_gbp000")
        return self


class ScenarioFile(Strict):
    """A scenario file: ``[scenario]`` and the overrides of lines, programmes, High Needs, properties, CIP, guarantee
    and risk."""

    scenario: ScenarioMeta
    lines: dict[str, LineOverride] = {}
    programmes: dict[str, ProgrammeOverride] = {}
    high_needs: HighNeedsOverride = HighNeedsOverride()
    properties: dict[str, PropertyOverride] = {}
    cip: CipOverride = CipOverride()
    guarantee: GuaranteeOverride = GuaranteeOverride()
    risk: dict[str, Any] | None = None
    """Budget-risk distributions: checked by the risk model's own section checker."""


def _known(name: str, known: Mapping[str, Any] | list[str], p: Problems, key: str, what: str) -> bool:
    if name in known:
        return True
    p.add(key, f"{what}, one of " + ", ".join(known), name)
    return False


def _check_lines(sf: ScenarioFile, ed: Edition, p: Problems) -> None:
    lines = ed.growth_savings["lines"]
    for code, spec in sf.lines.items():
        where = f"lines.{code}"
        if not _known(code, lines, p, where, "a line code"):
            continue
        sign = 1 if lines[code]["kind"] == "growth" else -1
        if spec.values is not None:
            year_map(spec.values, ed.years, p, f"{where}.values", sign)
        if spec.drivers is not None:
            base = lines[code].get("drivers")
            if base is None:
                p.add(f"{where}.drivers", f"no drivers: {code} has none in the edition", show_got=False)
                continue
            model = driver_models.MODELS[base["model"]]
            for k, v in spec.drivers.items():
                if _known(k, list(driver_models.parameters(base)), p, f"{where}.drivers.{k}", "a driver") and (
                    k in model.positive and v <= 0
                ):
                    p.add(f"{where}.drivers.{k}", "a number above 0 (it divides)", v)


def _check_programmes(sf: ScenarioFile, ed: Edition, p: Problems) -> None:
    for pid, spec in sf.programmes.items():
        where = f"programmes.{pid}"
        if not _known(pid, ed.programme_ids(), p, where, "a programme"):
            continue
        if spec.recurring is not None:
            r = spec.recurring
            if r.year != "final" and r.year not in ed.years:
                p.add(f"{where}.recurring.year", '"final" or a year of the horizon: ' + ", ".join(ed.years), r.year)
            kind = ed.programme(pid).kind
            if (kind == "saving" and r.value > 0) or (kind == "growth" and r.value < 0):
                expected = "a figure <= 0 (savings are negative, as published)" if kind == "saving" else "a figure >= 0"
                p.add(f"{where}.recurring.value", expected, r.value)


def _check_high_needs(sf: ScenarioFile, ed: Edition, p: Problems) -> None:
    fc = ed.high_needs["forecast"]
    groups = {**{k: -1 for k in fc["funding"]}, **{k: 1 for k in fc["expenditure"]}, **{k: -1 for k in fc["savings"]}}
    hn = sf.high_needs
    for key, value in hn.values.items():
        if _known(key, groups, p, f"high_needs.values.{key}", "a High Needs line"):
            year_map(value, ed.years, p, f"high_needs.values.{key}", groups[key])
    for key in hn.savings_delivery:
        _known(key, fc["savings"], p, f"high_needs.savings_delivery.{key}", "a High Needs savings line")
    for key in hn.expenditure_scale:
        _known(key, fc["expenditure"], p, f"high_needs.expenditure_scale.{key}", "a High Needs expenditure line")
    if hn.schools_block_transfer_approved is not None and not ed.high_needs.get("schools_block_transfer"):
        p.add(
            "high_needs.schools_block_transfer_approved",
            "no such lever: the edition has no schools_block_transfer",
            show_got=False,
        )


def _check_properties(sf: ScenarioFile, ed: Edition, p: Problems) -> None:
    props = ed.cip.get("properties", {})
    lo, hi = go_live_range(ed.years)
    for code, spec in sf.properties.items():
        where = f"properties.{code}"
        if not _known(code, props, p, where, "a property (cip.toml)"):
            continue
        base = props[code]
        for part in spec.capital_parts:
            _known(part, base["capital_parts"], p, f"{where}.capital_parts.{part}", "a capital part")
        for part in spec.saving_parts:
            _known(part, base["saving_parts"], p, f"{where}.saving_parts.{part}", "a saving part")
        total = sum({**base["saving_parts"], **spec.saving_parts}.values())
        if spec.saving_parts and total < 0:
            p.add(f"{where}.saving_parts", "parts summing to a saving >= 0 (a saving may not become a cost)", total)
        if spec.go_live is not None and not lo <= int(spec.go_live[:4]) <= hi:
            p.add(f"{where}.go_live", f"a month from {lo}-01 to {hi}-12 (near the horizon)", spec.go_live)
        if spec.weekly_differential_gbp is not None and base.get("driver") is None:
            p.add(f"{where}.weekly_differential_gbp", f"no weekly driver: {code} has none", show_got=False)


def check_against_edition(sf: ScenarioFile, raw: Mapping[str, Any], ed: Edition, file: Path) -> None:
    """Every edition-dependent problem in a scenario at once (one InputError)."""
    p = Problems(file)
    if sf.scenario.edition is not None and sf.scenario.edition != ed.id:
        p.add("scenario.edition", f"the id of the edition it runs on ({ed.id!r})", sf.scenario.edition)
    _check_lines(sf, ed, p)
    _check_programmes(sf, ed, p)
    _check_high_needs(sf, ed, p)
    _check_properties(sf, ed, p)
    for name, checker in scenario_section_checks():  # declared in edition/registry.py
        if raw.get(name) is not None:
            try:
                checker(raw[name], ed, file)
            except InputError as exc:
                p.extend(exc)
    p.raise_if_any()
