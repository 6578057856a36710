"""Scenarios as data: small TOML files in ``scenarios/`` that override the baseline.

A scenario names only what it changes.  Every table and key is checked against the
schema below; an unknown key, a wrong type, a missing year, a negative cost or an
occupancy above 100 % raises one :class:`~mtfs_model.errors.InputError` naming the file,
the key and what was expected.  The format is documented in ``scenarios/README.md``.

Example (``scenarios/placement_unit_cost_plus_10pct.toml``)::

    [scenario]
    description = "Placement unit cost 10% above the G1 assumption"

    [lines.G1.drivers]
    unit_cost_current_gbp_week = 4400
"""

from __future__ import annotations

import copy
import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .data import Baseline, check_keys, load_baseline, number, read_toml, year_map
from .errors import InputError
from .years import YEARS, parse_month

PACKAGE_DIR = Path(__file__).resolve().parent
PROGRAMMES = ("growth", "DCFSF", "CIP", "departmental")
DRIVER_META = {"model", "description", "source", "notes"}


def scenario_dirs() -> list[Path]:
    """Where scenario names are looked up, in order.

    ``$MTFS_SCENARIOS`` (if set), ``./scenarios`` in the working directory, the
    repository's ``scenarios/`` beside the package, and the copy bundled in a wheel.
    """
    dirs: list[Path] = []
    if os.environ.get("MTFS_SCENARIOS"):
        dirs.append(Path(os.environ["MTFS_SCENARIOS"]))
    dirs += [Path.cwd() / "scenarios", PACKAGE_DIR.parent / "scenarios", PACKAGE_DIR / "_scenarios"]
    seen: list[Path] = []
    for d in dirs:
        if d.resolve() not in [s.resolve() for s in seen]:
            seen.append(d)
    return seen


def available_scenarios() -> list[str]:
    """Names of every scenario file on the search path, sorted."""
    names = {p.stem for d in scenario_dirs() if d.is_dir() for p in d.glob("*.toml")}
    return sorted(names)


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


NEWTON_FLOOR_PHASINGS = ("final_year", "pro_rata")


@dataclass(frozen=True)
class NewtonAssumptions:
    """How to read the Newton Europe contingent fee where the papers print nothing.

    These are ASSUMPTIONS a scenario may state (``[newton]``), never published figures:

    ``floor_phasing``
        when the guaranteed annual benefit (the floor, GBP000 a year) applies:
        ``"final_year"`` (default) only in 2024/25, the year the MTFS profile reaches its
        full recurring figure; ``"pro_rata"`` every year, scaled by the MTFS profile's
        share of its 2024/25 figure.
    ``fee_rate``
        the fee as a share (0-1) of the benefit delivered each year; None: not modelled.
    ``fee_cap``
        the cap on the fee, GBP000 over the four MTFS years; None: uncapped.  The
        papers say the fee is capped but print neither the fee nor the cap.
    """

    floor_phasing: str = "final_year"
    fee_rate: float | None = None
    fee_cap: float | None = None


@dataclass(frozen=True)
class ModelInputs:
    """Everything the engine reads: the baseline with a scenario's overrides applied."""

    lines: dict[str, LineInput]
    original_prior_year_budget: float
    budget_transfers: dict[str, float]
    hn_funding: dict[str, dict[str, float]]
    hn_expenditure: dict[str, dict[str, float]]
    hn_savings: dict[str, dict[str, float]]
    hn_brought_forward: dict[str, float]
    hn_transfer_amount: float
    hn_transfer_year: str
    hn_transfer_line: str
    hn_transfer_approved: bool
    properties: dict[str, PropertyInput]
    discount_rate: float
    life_years: int
    investment_date: str
    cip_feeds_cf4: bool = True
    newton: NewtonAssumptions = NewtonAssumptions()


@dataclass(frozen=True)
class Scenario:
    """A named set of overrides and the model inputs they produce."""

    name: str
    description: str
    path: Path | None
    overrides: dict[str, Any]
    inputs: ModelInputs = field(repr=False)
    changes: tuple[str, ...] = ()
    references: tuple[dict[str, str], ...] = ()

    def __repr__(self) -> str:
        n = len(self.changes)
        return f"<Scenario {self.name!r}: {self.description} ({n} change{'s' * (n != 1)})>"


def baseline_inputs(baseline: Baseline | None = None) -> ModelInputs:
    """The model inputs exactly as published."""
    b = baseline or load_baseline()
    lines = {}
    for code, line in b.growth_savings["lines"].items():
        values = {y: float(line["values"][y]) for y in YEARS}
        drivers = line.get("drivers")
        lines[code] = LineInput(
            code,
            line["kind"],
            line["title"],
            line["status"],
            line["classification"],
            line["programme"],
            values,
            dict(values),
            drivers,
            copy.deepcopy(drivers),
        )
    rf = b.revenue["roll_forward"]
    fc = b.high_needs["forecast"]
    tr = b.high_needs["schools_block_transfer"]
    props = {}
    for code, p in b.cip["properties"].items():
        props[code] = PropertyInput(
            code=code,
            name=p["name"],
            capital_parts=dict(p["capital_parts"]),
            capital_cash_parts=tuple(p.get("capital_cash_parts", p["capital_parts"].keys())),
            saving_parts=dict(p["saving_parts"]),
            occupancy_sensitive=tuple(p.get("saving_occupancy_sensitive", ())),
            occupancy=float(p["occupancy"]),
            base_occupancy=float(p["occupancy"]),
            places=int(p["places"]),
            retained_value=float(p["retained_value"]),
            go_live=p["go_live"],
            base_go_live=p["go_live"],
            stated_payback=dict(p["stated_payback"]),
            weekly_differential_gbp=p.get("weekly_differential_gbp"),
            base_weekly_differential_gbp=p.get("weekly_differential_gbp"),
            driver=p.get("driver"),
        )
    d = b.cip["defaults"]
    return ModelInputs(
        lines=lines,
        original_prior_year_budget=float(rf["original_prior_year_budget"]),
        budget_transfers={y: float(rf["budget_transfers"][y]) for y in YEARS},
        hn_funding={k: dict(v) for k, v in fc["funding"].items()},
        hn_expenditure={k: dict(v) for k, v in fc["expenditure"].items()},
        hn_savings={k: dict(v) for k, v in fc["savings"].items()},
        hn_brought_forward={k: float(v) for k, v in fc["brought_forward"].items()},
        hn_transfer_amount=float(tr["amount"]),
        hn_transfer_year=tr["year"],
        hn_transfer_line=tr["line"],
        hn_transfer_approved=True,
        properties=props,
        discount_rate=float(d["discount_rate"]),
        life_years=int(d["life_years"]),
        investment_date=d["investment_date"],
    )


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.3g}"


def _factor(value: Any, file: Path, key: str) -> float:
    return number(value, file, key, minimum=0.0, maximum=10.0)


def apply_overrides(inputs: ModelInputs, overrides: Mapping[str, Any], file: Path) -> tuple[ModelInputs, list[str]]:
    """Apply a scenario's override tables to ``inputs``; return new inputs and a change log."""
    check_keys(
        overrides, {"scenario", "lines", "programmes", "high_needs", "properties", "cip", "newton", "risk"}, file, ""
    )
    changes: list[str] = []
    lines = dict(inputs.lines)

    for code, spec in overrides.get("lines", {}).items():
        where = f"lines.{code}"
        if code not in lines:
            raise InputError(file, where, "a line code, one of " + ", ".join(lines), show_got=False)
        if not isinstance(spec, Mapping):
            raise InputError(file, where, "a table with values, scale or drivers", spec)
        check_keys(spec, {"values", "scale", "drivers"}, file, where)
        line = lines[code]
        profile = dict(line.profile)
        if "values" in spec:
            profile = year_map(spec["values"], file, f"{where}.values", sign=1 if line.kind == "growth" else -1)
            changes.append(f"{code} profile set to " + " / ".join(_fmt(profile[y]) for y in YEARS))
        if "scale" in spec:
            s = _factor(spec["scale"], file, f"{where}.scale")
            profile = {y: v * s for y, v in profile.items()}
            changes.append(f"{code} scaled x{s:g}")
        drivers = line.drivers
        if "drivers" in spec:
            if line.drivers_base is None:
                raise InputError(
                    file, f"{where}.drivers", f"no drivers: {code} has none in the baseline", show_got=False
                )
            allowed = set(line.drivers_base) - DRIVER_META
            check_keys(spec["drivers"], allowed, file, f"{where}.drivers")
            drivers = dict(line.drivers_base)
            for k, v in spec["drivers"].items():
                drivers[k] = number(v, file, f"{where}.drivers.{k}", minimum=0.0)
                changes.append(f"{code} driver {k}: {_fmt(line.drivers_base[k])} -> {_fmt(drivers[k])}")
        lines[code] = dataclasses.replace(line, profile=profile, drivers=drivers)

    for prog, spec in overrides.get("programmes", {}).items():
        where = f"programmes.{prog}"
        if prog not in PROGRAMMES:
            raise InputError(file, where, "a programme, one of " + ", ".join(PROGRAMMES), show_got=False)
        check_keys(spec, {"delivery", "recurring_2024_25"}, file, where)
        members = [c for c, ln in lines.items() if ln.programme == prog]
        published_last = sum(lines[c].profile[YEARS[-1]] for c in members)
        if "delivery" in spec and "recurring_2024_25" in spec:
            raise InputError(file, where, "either delivery or recurring_2024_25, not both", show_got=False)
        if "delivery" in spec:
            factor = _factor(spec["delivery"], file, f"{where}.delivery")
            changes.append(f"{prog} programme delivers {factor:.0%} of its profile, every line and year")
        elif "recurring_2024_25" in spec:
            sign = 1 if prog == "growth" else -1
            target = number(spec["recurring_2024_25"], file, f"{where}.recurring_2024_25")
            if target * sign < 0:
                raise InputError(
                    file,
                    f"{where}.recurring_2024_25",
                    "a negative figure (savings are negative, as published)" if sign < 0 else "a positive figure",
                    target,
                )
            factor = target / published_last if published_last else 0.0
            changes.append(
                f"{prog} programme reaches {_fmt(target)} recurring by {YEARS[-1]} "
                f"(profile {_fmt(published_last)}; each line and year x{factor:.4f})"
            )
        else:
            raise InputError(file, where, "delivery or recurring_2024_25", show_got=False)
        for c in members:
            lines[c] = dataclasses.replace(lines[c], profile={y: v * factor for y, v in lines[c].profile.items()})

    hn = overrides.get("high_needs", {})
    check_keys(
        hn, {"schools_block_transfer_approved", "savings_delivery", "expenditure_scale", "values"}, file, "high_needs"
    )
    approved = inputs.hn_transfer_approved
    if "schools_block_transfer_approved" in hn:
        if not isinstance(hn["schools_block_transfer_approved"], bool):
            raise InputError(
                file,
                "high_needs.schools_block_transfer_approved",
                "true or false",
                hn["schools_block_transfer_approved"],
            )
        approved = hn["schools_block_transfer_approved"]
        if not approved:
            changes.append(
                f"Schools Forum refuses the {_fmt(inputs.hn_transfer_amount)} Schools Block transfer "
                f"({inputs.hn_transfer_year}): High Needs worse by that amount, that year only"
            )
    funding = {k: dict(v) for k, v in inputs.hn_funding.items()}
    expenditure = {k: dict(v) for k, v in inputs.hn_expenditure.items()}
    savings = {k: dict(v) for k, v in inputs.hn_savings.items()}
    groups = {"funding": (funding, -1), "expenditure": (expenditure, 1), "savings": (savings, -1)}
    for key, value in hn.get("values", {}).items():
        group = next((g for g in groups.values() if key in g[0]), None)
        if group is None:
            raise InputError(
                file,
                f"high_needs.values.{key}",
                "a High Needs line, one of " + ", ".join([*funding, *expenditure, *savings]),
                show_got=False,
            )
        group[0][key] = year_map(value, file, f"high_needs.values.{key}", sign=group[1])
        changes.append(f"High Needs {key} set to " + " / ".join(_fmt(group[0][key][y]) for y in YEARS))
    for key, value in hn.get("savings_delivery", {}).items():
        if key not in savings:
            raise InputError(
                file,
                f"high_needs.savings_delivery.{key}",
                "a High Needs savings line, one of " + ", ".join(savings),
                show_got=False,
            )
        f = _factor(value, file, f"high_needs.savings_delivery.{key}")
        savings[key] = {y: v * f for y, v in savings[key].items()}
        changes.append(f"High Needs {key} delivered at {f:.0%}")
    for key, value in hn.get("expenditure_scale", {}).items():
        if key not in expenditure:
            raise InputError(
                file,
                f"high_needs.expenditure_scale.{key}",
                "a High Needs expenditure line, one of " + ", ".join(expenditure),
                show_got=False,
            )
        f = _factor(value, file, f"high_needs.expenditure_scale.{key}")
        expenditure[key] = {y: v * f for y, v in expenditure[key].items()}
        changes.append(f"High Needs {key} x{f:g}")

    props = dict(inputs.properties)
    for code, spec in overrides.get("properties", {}).items():
        where = f"properties.{code}"
        if code not in props:
            raise InputError(file, where, "a CIP property, one of " + ", ".join(props), show_got=False)
        check_keys(
            spec,
            {"occupancy", "go_live", "capital_parts", "saving_parts", "retained_value", "weekly_differential_gbp"},
            file,
            where,
        )
        p = props[code]
        upd: dict[str, Any] = {}
        if "occupancy" in spec:
            upd["occupancy"] = number(spec["occupancy"], file, f"{where}.occupancy", minimum=0.0, maximum=1.0)
            changes.append(f"{code} occupancy {p.occupancy:.0%} -> {upd['occupancy']:.0%}")
        if "go_live" in spec:
            g = spec["go_live"]
            try:
                if not isinstance(g, str):
                    raise ValueError
                parse_month(g)
            except ValueError:
                raise InputError(file, f"{where}.go_live", 'a month as "YYYY-MM"', g) from None
            upd["go_live"] = g
            changes.append(f"{code} goes live {g} (baseline {p.go_live})")
        if "weekly_differential_gbp" in spec:
            if p.driver is None:
                raise InputError(
                    file, f"{where}.weekly_differential_gbp", f"no weekly driver: {code} has none", show_got=False
                )
            upd["weekly_differential_gbp"] = number(
                spec["weekly_differential_gbp"], file, f"{where}.weekly_differential_gbp", minimum=0.0
            )
            changes.append(
                f"{code} weekly saving a place: £{p.weekly_differential_gbp:,.0f} -> "
                f"£{upd['weekly_differential_gbp']:,.0f}"
            )
        if "retained_value" in spec:
            upd["retained_value"] = number(spec["retained_value"], file, f"{where}.retained_value", minimum=0.0)
            changes.append(f"{code} retained value {_fmt(upd['retained_value'])}")
        for part_key, sign in (("capital_parts", 1), ("saving_parts", 0)):
            if part_key in spec:
                parts = dict(getattr(p, part_key))
                check_keys(spec[part_key], set(parts), file, f"{where}.{part_key}")
                for k, v in spec[part_key].items():
                    parts[k] = number(v, file, f"{where}.{part_key}.{k}", minimum=0.0 if sign > 0 else None)
                    changes.append(f"{code} {part_key[:-6]} {k}: {_fmt(getattr(p, part_key)[k])} -> {_fmt(parts[k])}")
                upd[part_key] = parts
        props[code] = dataclasses.replace(p, **upd)

    cip = overrides.get("cip", {})
    check_keys(cip, {"discount_rate", "life_years", "feeds_cf4"}, file, "cip")
    rate, life, feeds = inputs.discount_rate, inputs.life_years, inputs.cip_feeds_cf4
    if "discount_rate" in cip:
        rate = number(cip["discount_rate"], file, "cip.discount_rate", minimum=0.0, maximum=1.0)
        changes.append(f"discount rate {inputs.discount_rate:.1%} -> {rate:.1%}")
    if "life_years" in cip:
        v = cip["life_years"]
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 100:
            raise InputError(file, "cip.life_years", "a whole number of years from 1 to 100", v)
        life = v
        changes.append(f"appraisal life {inputs.life_years} -> {life} years")
    if "feeds_cf4" in cip:
        if not isinstance(cip["feeds_cf4"], bool):
            raise InputError(file, "cip.feeds_cf4", "true or false", cip["feeds_cf4"])
        feeds = cip["feeds_cf4"]

    newton = _newton_assumptions(overrides.get("newton", {}), inputs.newton, file, changes)

    new = dataclasses.replace(
        inputs,
        lines=lines,
        hn_funding=funding,
        hn_expenditure=expenditure,
        hn_savings=savings,
        hn_transfer_approved=approved,
        properties=props,
        discount_rate=rate,
        life_years=life,
        cip_feeds_cf4=feeds,
        newton=newton,
    )
    if "risk" in overrides:  # budget-risk distributions, used only by mtfs_model.risk.simulate
        from .risk import check_risk

        check_risk(overrides["risk"], new, file)
    return new, changes


def _newton_assumptions(spec: Any, current: NewtonAssumptions, file: Path, changes: list[str]) -> NewtonAssumptions:
    """Validate a scenario's ``[newton]`` table (assumptions the papers do not print)."""
    if not isinstance(spec, Mapping):
        raise InputError(file, "newton", "a table of floor_phasing, fee_rate, fee_cap_gbp000", spec)
    check_keys(spec, {"floor_phasing", "fee_rate", "fee_cap_gbp000"}, file, "newton")
    phasing, rate, cap = current.floor_phasing, current.fee_rate, current.fee_cap
    if "floor_phasing" in spec:
        phasing = spec["floor_phasing"]
        if phasing not in NEWTON_FLOOR_PHASINGS:
            raise InputError(file, "newton.floor_phasing", "one of " + ", ".join(NEWTON_FLOOR_PHASINGS), phasing)
        reading = {"final_year": "in full in 2024/25 only", "pro_rata": "every year, pro rata to the MTFS profile"}
        changes.append(f"ASSUMPTION (not printed): the Newton guarantee floor applies {reading[phasing]}")
    if "fee_rate" in spec:
        rate = number(spec["fee_rate"], file, "newton.fee_rate", minimum=0.0, maximum=1.0)
        changes.append(f"ASSUMPTION (not printed): Newton fee {rate:.1%} of the benefit delivered each year")
    if "fee_cap_gbp000" in spec:
        cap = number(spec["fee_cap_gbp000"], file, "newton.fee_cap_gbp000", minimum=0.0)
        changes.append(f"ASSUMPTION (not printed): Newton fee capped at {_fmt(cap)} (GBP000) over the four years")
    if cap is not None and rate is None:
        raise InputError(file, "newton.fee_rate", "a fee rate to go with fee_cap_gbp000", show_got=False)
    return NewtonAssumptions(phasing, rate, cap)


def resolve(name_or_path: str | Path) -> Path:
    """Find a scenario file by name (``"baseline"``) or path; a clear error if none."""
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.parent != Path("."):
        if not p.is_file():
            raise InputError(p, "(file)", "an existing scenario file", show_got=False)
        return p
    if not p.name.replace("_", "").replace("-", "").isalnum():
        raise InputError("scenarios/", "name", "a scenario name of letters, digits, _ and -", str(name_or_path))
    for d in scenario_dirs():
        candidate = d / f"{p.name}.toml"
        if candidate.is_file():
            return candidate
    raise InputError("scenarios/", "name", "one of " + ", ".join(available_scenarios()), str(name_or_path))


def load_scenario(name_or_path: str | Path, baseline: Baseline | None = None) -> Scenario:
    """Load a scenario by name (looked up in ``scenarios/``) or by path to a ``.toml`` file.

    Raises :class:`InputError` for an unknown name or any bad key or value.
    """
    path = resolve(name_or_path)
    raw = read_toml(path)
    return scenario_from_dict(raw, path=path, baseline=baseline)


def scenario_from_dict(
    raw: Mapping[str, Any], *, path: Path | None = None, name: str | None = None, baseline: Baseline | None = None
) -> Scenario:
    """Build a scenario from an already-parsed override table (as a TOML file would give)."""
    file = path or Path(f"<{name or 'scenario'}>")
    meta = raw.get("scenario")
    if not isinstance(meta, Mapping):
        raise InputError(file, "scenario", "a [scenario] table with a description", show_got=False)
    check_keys(meta, {"name", "description", "references"}, file, "scenario")
    description = meta.get("description")
    if not isinstance(description, str) or not description.strip():
        raise InputError(file, "scenario.description", "a non-empty string", description)
    refs = meta.get("references", [])
    if not isinstance(refs, list) or not all(
        isinstance(r, Mapping) and set(r) <= {"title", "href"} and "title" in r for r in refs
    ):
        raise InputError(file, "scenario.references", "a list of {title, href} tables", refs)
    scenario_name = meta.get("name") or name or (path.stem if path else "scenario")
    if not isinstance(scenario_name, str):
        raise InputError(file, "scenario.name", "a string", scenario_name)
    inputs, changes = apply_overrides(baseline_inputs(baseline), raw, file)
    return Scenario(
        scenario_name,
        description.strip(),
        path,
        copy.deepcopy(dict(raw)),
        inputs,
        tuple(changes),
        tuple(dict(r) for r in refs),
    )
