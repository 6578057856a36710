"""Apply a checked scenario (:class:`~mtfs_model.scenarios.schema.ScenarioFile`) to an
edition's inputs, and say in words what it changed.

Nothing is validated here: the schema and :func:`check_against_edition` have done it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from mtfs_model.base.rounding import number, pct
from mtfs_model.scenarios.inputs import GuaranteeAssumptions, LineInput, ModelInputs, PropertyInput
from mtfs_model.scenarios.schema import GuaranteeOverride, HighNeedsOverride, PropertyOverride, ScenarioFile


def fmt(x: float) -> str:
    """A figure as the change log prints it: ``4,400`` or ``0.667``."""
    return f"{number(x)}" if float(x).is_integer() else f"{x:,.3g}"


def _lines(inputs: ModelInputs, sf: ScenarioFile, changes: list[str]) -> dict[str, LineInput]:
    years = inputs.years
    lines = dict(inputs.lines)
    for code, spec in sf.lines.items():
        line = lines[code]
        profile = dict(line.profile)
        if spec.values is not None:
            profile = {y: float(spec.values[y]) for y in years}
            changes.append(f"{code} profile set to " + " / ".join(fmt(profile[y]) for y in years))
        if spec.scale is not None:
            profile = {y: v * spec.scale for y, v in profile.items()}
            changes.append(f"{code} scaled x{spec.scale:g}")
        drivers = line.drivers
        if spec.drivers is not None and line.drivers_base is not None:
            drivers = dict(line.drivers_base)
            for k, v in spec.drivers.items():
                drivers[k] = float(v)
                changes.append(f"{code} driver {k}: {fmt(line.drivers_base[k])} -> {fmt(v)}")
        lines[code] = dataclasses.replace(line, profile=profile, drivers=drivers)
    for prog, pspec in sf.programmes.items():
        members = [c for c, ln in lines.items() if ln.programme == prog]
        if pspec.delivery is not None:
            factor = pspec.delivery
            changes.append(f"{prog} programme delivers {pct(factor, 0)} of its profile, every line and year")
        else:
            assert pspec.recurring is not None
            year = inputs.edition.year(pspec.recurring.year)
            published = sum(lines[c].profile[year] for c in members)
            target = pspec.recurring.value
            factor = target / published if published else 0.0
            changes.append(
                f"{prog} programme reaches {fmt(target)} recurring by {year} "
                f"(profile {fmt(published)}; each line and year x{number(factor, 4)})"
            )
        for c in members:
            lines[c] = dataclasses.replace(lines[c], profile={y: v * factor for y, v in lines[c].profile.items()})
    return lines


def _high_needs(inputs: ModelInputs, hn: HighNeedsOverride, changes: list[str]) -> dict[str, Any]:
    years = inputs.years
    funding = {k: dict(v) for k, v in inputs.hn_funding.items()}
    expenditure = {k: dict(v) for k, v in inputs.hn_expenditure.items()}
    savings = {k: dict(v) for k, v in inputs.hn_savings.items()}
    approved = inputs.hn_transfer_approved
    if hn.schools_block_transfer_approved is not None:
        approved = hn.schools_block_transfer_approved
        if not approved:
            changes.append(
                f"Schools Forum refuses the {fmt(inputs.hn_transfer_amount)} Schools Block transfer "
                f"({inputs.hn_transfer_year}): High Needs worse by that amount, that year only"
            )
    for key, value in hn.values.items():
        group = next(g for g in (funding, expenditure, savings) if key in g)
        group[key] = {y: float(value[y]) for y in years}
        changes.append(f"High Needs {key} set to " + " / ".join(fmt(group[key][y]) for y in years))
    for key, f in hn.savings_delivery.items():
        savings[key] = {y: v * f for y, v in savings[key].items()}
        changes.append(f"High Needs {key} delivered at {pct(f, 0)}")
    for key, f in hn.expenditure_scale.items():
        expenditure[key] = {y: v * f for y, v in expenditure[key].items()}
        changes.append(f"High Needs {key} x{f:g}")
    return {"hn_funding": funding, "hn_expenditure": expenditure, "hn_savings": savings,
            "hn_transfer_approved": approved}  # fmt: skip


def _property(p: PropertyInput, spec: PropertyOverride, changes: list[str]) -> PropertyInput:
    code = p.code
    upd: dict[str, Any] = {}
    if spec.occupancy is not None:
        upd["occupancy"] = spec.occupancy
        changes.append(f"{code} occupancy {pct(p.occupancy, 0)} -> {pct(spec.occupancy, 0)}")
    if spec.go_live is not None:
        upd["go_live"] = spec.go_live
        changes.append(f"{code} goes live {spec.go_live} (baseline {p.go_live})")
    if spec.weekly_differential_gbp is not None:
        upd["weekly_differential_gbp"] = spec.weekly_differential_gbp
        before, after = p.weekly_differential_gbp or 0.0, spec.weekly_differential_gbp
        changes.append(f"{code} weekly saving a place: £{number(before)} -> £{number(after)}")
    if spec.retained_value is not None:
        upd["retained_value"] = spec.retained_value
        changes.append(f"{code} retained value {fmt(spec.retained_value)}")
    for part_key in ("capital_parts", "saving_parts"):
        given: dict[str, float] = getattr(spec, part_key)
        if given:
            parts = dict(getattr(p, part_key))
            for k, v in given.items():
                changes.append(f"{code} {part_key[:-6]} {k}: {fmt(parts[k])} -> {fmt(v)}")
                parts[k] = float(v)
            upd[part_key] = parts
    return dataclasses.replace(p, **upd)


def _guarantee(
    current: GuaranteeAssumptions, g: GuaranteeOverride, final_year: str, changes: list[str]
) -> GuaranteeAssumptions:
    phasing, rate, cap = current.floor_phasing, current.fee_rate, current.fee_cap
    if g.floor_phasing is not None:
        phasing = g.floor_phasing
        reading = {
            "final_year": f"in full in {final_year} only",
            "pro_rata": "every year, pro rata to the MTFS profile",
        }
        changes.append(f"ASSUMPTION (not printed): the guarantee floor applies {reading[phasing]}")
    if g.fee_rate is not None:
        rate = g.fee_rate
        changes.append(f"ASSUMPTION (not printed): partner's fee {pct(rate)} of the benefit delivered each year")
    if g.fee_cap_gbp000 is not None:
        cap = g.fee_cap_gbp000
        changes.append(f"ASSUMPTION (not printed): partner's fee capped at {fmt(cap)} (£000) over the horizon")
    honoured = current.honoured
    if g.honoured is not None:
        honoured = g.honoured
        if not honoured:
            changes.append(
                "The partner does not honour its guarantee (counterparty failure): a shortfall stays with the council"
            )
    return GuaranteeAssumptions(phasing, rate, cap, honoured)


def apply_overrides(inputs: ModelInputs, sf: ScenarioFile) -> tuple[ModelInputs, list[str]]:
    """Apply a checked scenario to ``inputs``; return the new inputs and a change log."""
    changes: list[str] = []
    lines = _lines(inputs, sf, changes)
    hn = _high_needs(inputs, sf.high_needs, changes)
    props = dict(inputs.properties)
    for code, spec in sf.properties.items():
        props[code] = _property(props[code], spec, changes)
    cip = sf.cip
    rate = inputs.discount_rate if cip.discount_rate is None else cip.discount_rate
    life = inputs.life_years if cip.life_years is None else cip.life_years
    feeds = inputs.properties_feed_line if cip.properties_feed_line is None else cip.properties_feed_line
    if cip.discount_rate is not None:
        changes.append(f"discount rate {pct(inputs.discount_rate)} -> {pct(rate)}")
    if cip.life_years is not None:
        changes.append(f"appraisal life {inputs.life_years} -> {life} years")
    if cip.properties_feed_line is not None and not feeds:
        changes.append("the linked savings line no longer follows the properties")
    guarantee = _guarantee(inputs.guarantee, sf.guarantee, inputs.edition.final_year, changes)
    new = dataclasses.replace(
        inputs, lines=lines, properties=props, discount_rate=rate, life_years=life,
        properties_feed_line=feeds, guarantee=guarantee, **hn,
    )  # fmt: skip
    return new, changes
