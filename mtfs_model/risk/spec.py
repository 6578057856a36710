"""The distributions a scenario simulates: the edition's risk inputs merged with the
scenario's [risk] table, each labelled and centred for the view asked for."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from mtfs_model.risk.draws import (
    Distribution,
    RiskSpec,
    correlation_groups,
)
from mtfs_model.risk.evidence import with_evidence
from mtfs_model.risk.merge import MergedInput, merged_for
from mtfs_model.risk.schema import input_parts
from mtfs_model.scenarios.inputs import LineInput, ModelInputs
from mtfs_model.scenarios.load import Scenario, baseline_inputs

# --- The distributions a scenario simulates ------------------------------------------------


def _note(table: Mapping[str, object]) -> str:
    parts = []
    src = table.get("source")
    if isinstance(src, Mapping):
        parts.append(f'{src.get("doc", "")}, {src.get("ref", "")}: "{src.get("grep", "")}"')
    elif isinstance(src, str):
        parts.append(src)
    if table.get("reason"):
        parts.append(str(table["reason"]))
    return " -- ".join(parts)


def _label(name: str, inputs: ModelInputs) -> str:
    kind, target, driver, factor = input_parts(name)
    if kind == "driver":
        return f"{target} {inputs.lines[target].title}: {driver}"
    if kind == "line":
        return f"{target} {inputs.lines[target].title} ({factor})"
    if kind == "programme":
        return f"{target} programme ({factor})"
    return f"High Needs: {inputs.edition.hn_label(target)}"


def _scenario_sets(name: str, inputs: ModelInputs) -> bool:
    """Whether the scenario changed, from the published MTFS, the figure an input multiplies."""
    kind, target, driver, _ = input_parts(name)

    def changed(line: LineInput) -> bool:
        return line.profile != line.published or line.drivers != line.drivers_base

    if kind == "driver":
        line = inputs.lines[target]
        return (line.drivers or {}).get(str(driver)) != (line.drivers_base or {}).get(str(driver))
    if kind == "line":
        return changed(inputs.lines[target])
    if kind == "programme":
        return any(changed(ln) for ln in inputs.lines.values() if ln.programme == target)
    published = baseline_inputs(inputs.edition)
    now = {**inputs.hn_funding, **inputs.hn_expenditure, **inputs.hn_savings}
    before = {**published.hn_funding, **published.hn_expenditure, **published.hn_savings}
    return now.get(target) != before.get(target)


def _distribution(m: MergedInput, inputs: ModelInputs, paper: bool = False) -> Distribution:
    v = m.values
    p10, p50, p90 = float(v["p10"]), float(v.get("p50", 1.0)), float(v["p90"])
    lo, hi = float(v.get("min", 0.0)), float(v.get("max", float("inf")))
    note, origin = _note(v), m.origin.name
    if not m.mine:  # a default: what stands behind it (the reference class's multiplier is its own input)
        origin += ", judgement on a printed figure" if v.get("source") else ", judgement"
    if paper and not m.mine and p50 not in (0.0, 1.0):
        # "as the paper assumes": every default centred on the papers' own figure
        p10, p90, lo, hi, p50 = p10 / p50, p90 / p50, lo / p50, hi / p50, 1.0
        note = "Centred on the paper's figure (P50 = 1, spread in proportion). " + note
        origin += " (as the paper)"
    elif not m.mine and p50 not in (0.0, 1.0) and _scenario_sets(m.name, inputs):
        # a default's median away from 1 is a view of the central figure (a programme's
        # own estimate); a scenario that sets that figure itself replaces the view,
        # keeping the spread in proportion, so the view is not applied twice
        p10, p90, lo, hi, p50 = p10 / p50, p90 / p50, lo / p50, hi / p50, 1.0
        note = "Re-based to the scenario's own figure (P50 = 1, spread in proportion). " + note
        origin += " (re-based)"
    kind, target, driver, _ = input_parts(m.name)
    return Distribution(
        name=m.name,
        kind=kind,
        target=target,
        driver=driver,
        label=_label(m.name, inputs),
        shape=str(v.get("shape", "normal")),
        evolution=str(v.get("evolution", "level")),
        p10=p10,
        p50=p50,
        p90=p90,
        minimum=lo,
        maximum=hi,
        origin=origin,
        note=note,
    )


def _scenario_file(scenario: Scenario) -> Path:
    return scenario.path or Path(f"<{scenario.name}>")


def risk_spec(scenario: Scenario) -> RiskSpec:
    """The distributions a scenario simulates: its edition's ``risk.toml`` with the
    scenario's ``[risk]`` over them, checked (:mod:`mtfs_model.risk.merge`)."""
    merged = merged_for(scenario.edition, scenario.overrides.get("risk"), _scenario_file(scenario))
    paper = merged.view == "paper"
    dists = tuple(_distribution(m, scenario.inputs, paper) for m in merged.inputs)
    corr = merged.correlation
    if not paper:  # the evidence view: each input the reference class reaches gets its multiplier
        found = {m.name: m.values["evidence"] for m in merged.inputs if isinstance(m.values.get("evidence"), Mapping)}
        own = {m.name for m in merged.inputs if "evidence" in m.mine}  # a scenario's own evidence: as given

        def rebase(name: str) -> bool:
            return name not in own and _scenario_sets(name, scenario.inputs)

        dists, corr = with_evidence(dists, found, rebase, corr)
    return RiskSpec(dists, corr, merged.spread_scale, correlation_groups(corr))
