"""Scenarios as data: small TOML files (or dicts) that override an edition.

A scenario names only what it changes.  The file is checked against the declarative
schema (:mod:`mtfs_model.scenarios.schema`) and then against the edition it runs on;
every problem is reported at once, one line each (``file: key: expected ..., got ...``).
The format is documented in ``scenarios/README.md``.

Example (``scenarios/placement_unit_cost_plus_10pct.toml``)::

    [scenario]
    description = "Placement unit cost 10% above the assumption"

    [lines.G1.drivers]
    unit_cost_current_gbp_week = 4400
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mtfs_model.base.args import check_path
from mtfs_model.base.errors import InputError, Problem
from mtfs_model.base.schema_types import read_toml, validate_partial
from mtfs_model.edition.folder import Edition, load_edition
from mtfs_model.scenarios.inputs import LineInput, ModelInputs, PropertyInput
from mtfs_model.scenarios.names import check_name
from mtfs_model.scenarios.overrides import apply_overrides
from mtfs_model.scenarios.schema import ScenarioFile, check_against_edition
from mtfs_model.scenarios.toml_writer import write_toml

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # mtfs_model/


def scenario_dirs(edition: Edition | None = None) -> list[Path]:
    """Where scenario names are looked up, in order: ``$MTFS_SCENARIOS``, ``./scenarios``,
    the repository's ``scenarios/``, the copy bundled in a wheel, and the edition's own
    ``scenarios/`` folder.  In each, a subfolder named by the edition id comes first."""
    ed = edition or load_edition()
    roots: list[Path] = []
    if os.environ.get("MTFS_SCENARIOS"):
        roots.append(Path(os.environ["MTFS_SCENARIOS"]))
    roots += [Path.cwd() / "scenarios", PACKAGE_DIR.parent / "scenarios", PACKAGE_DIR / "_scenarios"]
    dirs: list[Path] = []
    for r in roots:
        dirs += [r / ed.id, r]
    dirs.append(ed.path / "scenarios")
    seen: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [s.resolve() for s in seen]:
            seen.append(d)
    return seen


def scenario_files(edition: Edition | None = None) -> dict[str, Path]:
    """Every scenario file on the search path by name (the first found wins)."""
    found: dict[str, Path] = {}
    for d in scenario_dirs(edition):
        for p in sorted(d.glob("*.toml")):
            found.setdefault(p.stem, p)
    return found


def available_scenarios(edition: Edition | None = None) -> list[str]:
    """Names of every scenario file on the search path, sorted."""
    return sorted(scenario_files(edition))


@dataclass(frozen=True)
class Scenario:
    """A named set of overrides of an edition, and the model inputs they produce."""

    name: str
    description: str
    path: Path | None
    overrides: dict[str, Any]
    inputs: ModelInputs = field(repr=False)
    changes: tuple[str, ...] = ()
    references: tuple[dict[str, str], ...] = ()

    @property
    def edition(self) -> Edition:
        """The edition the scenario runs on."""
        return self.inputs.edition

    def to_toml(self, path: str | Path) -> Path:
        """Write the scenario as a TOML file that loads back with identical overrides."""
        comment = f"Scenario {self.name!r}, written by mtfs_model.scenarios.compose.to_toml"
        return write_toml(self.overrides, path, comment=comment)

    def __repr__(self) -> str:
        n = len(self.changes)
        return f"<Scenario {self.name!r}: {self.description} ({n} change{'s' * (n != 1)})>"


def baseline_inputs(edition: Edition | None = None) -> ModelInputs:
    """The model inputs exactly as the edition publishes them."""
    ed = edition or load_edition()
    lines = {}
    for code, line in ed.growth_savings["lines"].items():
        values = {y: float(line["values"][y]) for y in ed.years}
        drivers = line.get("drivers")
        lines[code] = LineInput(
            code, line["kind"], line["title"], line.get("status", ""), line.get("classification", ""),
            line["programme"], values, dict(values), drivers, copy.deepcopy(drivers),
        )  # fmt: skip
    rf = ed.revenue["roll_forward"]
    fc = ed.high_needs["forecast"]
    tr = ed.high_needs.get("schools_block_transfer") or {}
    props = {code: _property(code, p) for code, p in ed.cip.get("properties", {}).items()}
    d = ed.cip["defaults"]
    return ModelInputs(
        edition=ed,
        lines=lines,
        original_prior_year_budget=float(rf["original_prior_year_budget"]),
        budget_transfers={y: float(rf["budget_transfers"][y]) for y in ed.years},
        hn_funding={k: {y: float(v[y]) for y in ed.years} for k, v in fc["funding"].items()},
        hn_expenditure={k: {y: float(v[y]) for y in ed.years} for k, v in fc["expenditure"].items()},
        hn_savings={k: {y: float(v[y]) for y in ed.years} for k, v in fc["savings"].items()},
        hn_brought_forward={k: float(v) for k, v in fc.get("brought_forward", {}).items()},
        hn_transfer_amount=float(tr.get("amount", 0.0)),
        hn_transfer_year=tr.get("year"),
        hn_transfer_line=tr.get("line"),
        hn_transfer_approved=True,
        properties=props,
        discount_rate=float(d["discount_rate"]),
        life_years=int(d["life_years"]),
        investment_date=d["investment_date"],
        properties_feed_line=ed.links.get("property_savings_line") is not None,
    )


def _property(code: str, p: Mapping[str, Any]) -> PropertyInput:
    return PropertyInput(
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
        stated_payback=dict(p.get("stated_payback", {})),
        weekly_differential_gbp=p.get("weekly_differential_gbp"),
        base_weekly_differential_gbp=p.get("weekly_differential_gbp"),
        driver=p.get("driver"),
    )


def _first_per_key(problems: list[Problem]) -> list[Problem]:
    """One problem per key: a problem at a key already reported, or inside or around one,
    is a consequence of it (the schema took the bad value out and looked again)."""
    kept: list[Problem] = []
    for p in problems:
        if not any(p.key == q.key or p.key.startswith(q.key + ".") or q.key.startswith(p.key + ".") for q in kept):
            kept.append(p)
    return kept


def resolve(name_or_path: str | Path, edition: Edition | None = None) -> Path:
    """Find a scenario file by name (``"baseline"``) or path; a clear error if none."""
    text = check_path(name_or_path, "scenario")
    p = Path(text)
    if p.suffix == ".toml" or p.parent != Path("."):
        try:
            if p.is_dir():
                raise InputError(p, "(file)", "a scenario file, not a folder", show_got=False)
            if not p.is_file():
                raise InputError(p, "(file)", "an existing scenario file", show_got=False)
        except OSError as exc:
            raise InputError(
                p, "(file)", f"a scenario file that can be read ({exc.strerror or exc})", show_got=False
            ) from None
        return p
    check_name(text, "(arguments)", "scenario")
    found = scenario_files(edition)
    if p.name in found:
        return found[p.name]
    raise InputError("(arguments)", "scenario", "one of " + ", ".join(sorted(found)), str(name_or_path))


def load_scenario(name_or_path: str | Path, edition: Edition | None = None) -> Scenario:
    """Load a scenario by name (looked up on :func:`scenario_dirs`) or by path to a
    ``.toml`` file, for ``edition`` (default: the bundled one).

    Raises :class:`InputError` for an unknown name or any bad key or value (all at once).
    """
    ed = edition or load_edition()
    path = resolve(name_or_path, ed)
    return scenario_from_dict(read_toml(path), path=path, edition=ed)


def scenario_from_dict(
    raw: Mapping[str, Any],
    *,
    path: Path | None = None,
    name: str | None = None,
    edition: Edition | None = None,
) -> Scenario:
    """Build a scenario from an override table (the shape a TOML file gives).

    The same schema and the same one-line errors as a file; the file named in errors is
    ``path`` or ``<name>``.
    """
    ed = edition or load_edition()
    file = path or Path(f"<{name or 'scenario'}>")
    if not isinstance(raw, Mapping):
        raise InputError(file, "(scenario)", "a table of overrides (a dict)", type(raw).__name__)
    sf, problems = validate_partial(ScenarioFile, dict(raw), file)
    if sf is not None:
        try:
            check_against_edition(sf, raw, ed, file)
        except InputError as exc:
            problems += exc.problems
    if problems or sf is None:
        raise InputError.many(_first_per_key(problems))
    if sf.scenario.name:
        scenario_name = sf.scenario.name  # the schema holds it to the name rule
    elif name is not None:
        scenario_name = check_name(name, file, "name", combined=True)
    elif path is not None:
        scenario_name = check_name(path.stem, file, "(file name)", combined=True)
    else:
        scenario_name = "scenario"
    inputs, changes = apply_overrides(baseline_inputs(ed), sf)
    return Scenario(
        scenario_name,
        sf.scenario.description.strip(),
        path,
        copy.deepcopy(dict(raw)),
        inputs,
        tuple(changes),
        tuple(r.model_dump(exclude_none=True) for r in sf.scenario.references),
    )
