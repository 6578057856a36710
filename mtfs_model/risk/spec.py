"""The distributions a scenario simulates: the edition's risk inputs merged with the
scenario's [risk] table, each labelled and centred for the view asked for."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

from mtfs_model.base.rounding import number
from mtfs_model.risk.draws import (
    Distribution,
    RiskSpec,
    correlation_groups,
)
from mtfs_model.risk.evidence import evidence_context, with_evidence
from mtfs_model.risk.merge import MergedInput, merged_for
from mtfs_model.risk.schema import input_parts
from mtfs_model.scenarios.inputs import ModelInputs
from mtfs_model.scenarios.load import Scenario

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
    if kind == "guarantee":
        return f"{inputs.edition.links.get('guarantee_partner') or 'Partner'} guarantee: remedy {target}"
    return f"High Needs: {inputs.edition.hn_label(target)}"


def _rebased(p10: float, p50: float, p90: float, lo: float, hi: float) -> tuple[float, ...]:
    """The quantiles and bounds divided by the median: the same spread in proportion, P50 = 1."""
    return p10 / p50, 1.0, p90 / p50, lo / p50, hi / p50


def _symmetric(shape: str, p10: float, p50: float, p90: float) -> tuple[float, float]:
    """P10 and P90 an equal distance either side of P50 (multiplier units for a normal,
    log units for a lognormal): the mean of the two sides' distances."""
    if shape == "lognormal":
        half = (math.log(p50 / p10) + math.log(p90 / p50)) / 2
        return p50 * math.exp(-half), p50 * math.exp(half)
    half = (p90 - p10) / 2
    return max(p50 - half, 0.0), p50 + half


def _stretch_cap(m: MergedInput, inputs: ModelInputs) -> float | None:
    """The paper view's ceiling on the guaranteed programme's delivery: its stretch ambition
    over what the scenario books in the final year (13,100 / 13,200 for the MTFS as published), or
    None if the input is not that programme's delivery or the edition prints no stretch."""
    ed = inputs.edition
    pid = ed.links.get("guarantee_programme")
    if not pid or m.name != f"programmes.{pid}.delivery":
        return None
    stretch = (ed.guarantee.get("stretch") or {}).get("benefit")
    booked = -sum(float(ln.profile[ed.years[-1]]) for ln in inputs.lines.values() if ln.programme == pid)
    if not isinstance(stretch, int | float) or isinstance(stretch, bool) or booked <= 0:
        return None
    return float(stretch) / booked


def _distribution(m: MergedInput, inputs: ModelInputs, paper: bool = False, outcome: bool = False) -> Distribution:
    """One input's distribution.  ``paper``: every default centred on the paper's figure
    (and the guaranteed programme capped at its stretch); ``outcome``: the scenario states
    this input's figure as the outcome, so its fan is centred on it (the default's median
    re-based to 1, the spread kept in proportion).  Otherwise -- a plan -- the default
    applies as declared, whatever figure the scenario gives (one risk model, continuous in
    every lever: nothing here compares the scenario's figures with the published ones)."""
    v = m.values
    p10, p50, p90 = float(v["p10"]), float(v.get("p50", 1.0)), float(v["p90"])
    lo, hi = float(v.get("min", 0.0)), float(v.get("max", float("inf")))
    note, origin = _note(v), m.origin.name
    if not m.mine:  # a default: what stands behind it (the reference class's multiplier is its own input)
        origin += ", judgement on a printed figure" if v.get("source") else ", judgement"
    shape = str(v.get("shape", "normal"))
    kind = input_parts(m.name)[0]
    if paper and not m.mine and kind == "guarantee":
        # the papers take the guarantee at its word: the shortfall made good in full
        p10 = p50 = p90 = lo = hi = 1.0
        note = "As the paper assumes: the partner's effort makes good the whole shortfall. " + note
        origin += " (as the paper)"
    elif paper and not m.mine:
        # "as the paper assumes": every default centred on the papers' own figure, with
        # its spread but no view of which way the figure misses (the skews are the
        # judgements' reading of the papers' words against their figures), so each
        # figure's P50 is the paper's
        if p50 not in (0.0, 1.0):
            p10, p50, p90, lo, hi = _rebased(p10, p50, p90, lo, hi)
        p10, p90 = _symmetric(shape, p10, p50, p90)
        lo, hi = min(lo, p10), max(hi, p90)
        note = "Centred on the paper's figure (P50 = 1, the two sides' spread averaged). " + note
        origin += " (as the paper)"
    elif outcome and not m.mine and p50 not in (0.0, 1.0):
        p10, p50, p90, lo, hi = _rebased(p10, p50, p90, lo, hi)
        note = "Centred on the scenario's stated outcome (P50 = 1, spread in proportion). " + note
        origin += " (outcome)"
    cap = _stretch_cap(m, inputs) if paper and not m.mine else None
    if cap is not None and cap < hi:
        hi = cap  # the programme's own ceiling: the paper view's upside stops at the stretch
        note = f"Capped at the stretch ambition ({number(cap, 4)} of what the scenario books). " + note
    kind, target, driver, _ = input_parts(m.name)
    return Distribution(
        name=m.name,
        kind=kind,
        target=target,
        driver=driver,
        label=_label(m.name, inputs),
        shape=shape,
        evolution=str(v.get("evolution", "level")),
        p10=min(p10, hi),
        p50=min(p50, hi),
        p90=min(p90, hi),
        minimum=lo,
        maximum=hi,
        origin=origin,
        note=note,
    )


def _scenario_file(scenario: Scenario) -> Path:
    return scenario.path or Path(f"<{scenario.name}>")


def risk_spec(
    scenario: Scenario, reference_files: Sequence[Path] = (), *, evidence_as_of: str | None = None
) -> RiskSpec:
    """The distributions a scenario simulates: its edition's ``risk.toml`` with the
    scenario's ``[risk]`` over them, checked (:mod:`mtfs_model.risk.merge`); in the evidence
    view each input with a reference-class ``subject`` also gets its predictive multiplier,
    read through :class:`mtfs_model.evidence.EvidenceContext` as of the edition's papers
    (or ``[risk] evidence_as_of``), with ``reference_files`` added (the out-of-sample rule
    runs on them all: :class:`~mtfs_model.base.errors.InputError` on a violation).
    ``evidence_as_of`` (``YYYY-MM-DD``) overrides both (the back-test's papers' date)."""
    merged = merged_for(scenario.edition, scenario.overrides.get("risk"), _scenario_file(scenario))
    paper = merged.view == "paper"
    outcome = {m.name for m in merged.inputs if m.centre == "outcome"}
    dists = tuple(_distribution(m, scenario.inputs, paper, m.name in outcome) for m in merged.inputs)
    corr = merged.correlation
    if not paper:  # the evidence view: each input the reference class reaches gets its multiplier
        found = {m.name: m.values["evidence"] for m in merged.inputs if isinstance(m.values.get("evidence"), Mapping)}
        if found:
            as_of = evidence_as_of or merged.evidence_as_of
            ctx = evidence_context(scenario.edition, as_of, tuple(Path(f) for f in reference_files))
            dists, corr = with_evidence(dists, found, outcome, corr, ctx, len(scenario.edition.years))
    return RiskSpec(dists, corr, merged.spread_scale, correlation_groups(corr))
