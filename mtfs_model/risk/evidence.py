"""Budget risk in two views: as the paper assumes, and evidence-adjusted (the default).

Every input's distribution in ``risk.toml`` is a multiplier of the scenario's figure.
Where the reference class reaches an input (how comparable forecasts fared:
:mod:`mtfs_model.forecast.reference_class`, calibrated by
:mod:`mtfs_model.forecast.calibration`), the input's table carries an ``evidence``
sub-table: the reference-class pairs it rests on and the calibrated P10/P50/P90 of one
more forecast's error (outturn / forecast).  The two views:

* ``view = "evidence"`` (the default): each such input gets a second, **level**
  multiplier drawn from that calibrated distribution -- the optimism-bias uplift is its
  P50 -- on top of the judgement distribution (which keeps the council's own
  year-to-year spread).  It is one draw for the whole MTFS: the pairs measure a forecast
  made about a year ahead, and how the error grows further out is left to the judgement
  distribution's evolution, never extrapolated from the pairs.  Defaults whose median is
  away from 1 for a stated reason (a programme centred on its own estimate) keep it.
* ``view = "paper"``: every default centred on the papers' own figures (its median
  re-based to 1, the spread kept in proportion) and no evidence multiplier.

A scenario's ``[risk] view`` chooses; its own distributions are never re-based.  The
evidence multiplier of an input whose figure the scenario sets itself is re-based to a
median of 1 (as the defaults are), so the uplift is not applied to the scenario's own view.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from mtfs_model.risk.draws import Distribution
from mtfs_model.scenarios.load import Scenario, scenario_from_dict

EVIDENCE_PREFIX = "evidence:"
"""The name of an input's evidence multiplier: ``evidence:<input name>`` (its own draws)."""
VIEWS = ("evidence", "paper")
DEFAULT_VIEW = "evidence"
VIEW_LABELS = {"paper": "As the paper assumes", "evidence": "Evidence-adjusted"}


def is_evidence(d: Distribution) -> bool:
    """True for an evidence multiplier (:data:`EVIDENCE_PREFIX`)."""
    return d.name.startswith(EVIDENCE_PREFIX)


def base_name(d: Distribution) -> str:
    """The input an evidence multiplier multiplies (its own name for any other input)."""
    return d.name.removeprefix(EVIDENCE_PREFIX)


def _pairs_text(table: Mapping[str, Any]) -> str:
    pairs = table.get("pairs") or []
    return f"reference class, {len(pairs)} pair{'s' * (len(pairs) != 1)}: " + ", ".join(str(p) for p in pairs)


def evidence_distribution(base: Distribution, table: Mapping[str, Any], rebase: bool) -> Distribution:
    """The evidence multiplier of input ``base`` from its ``evidence`` table: lognormal,
    level; re-based to a median of 1 when ``rebase`` (the scenario sets the figure)."""
    p10, p50, p90 = float(table["p10"]), float(table["p50"]), float(table["p90"])
    note = f"{_pairs_text(table)} -- {table.get('reason', '')}".rstrip(" -")
    origin = "reference class"
    if rebase:
        p10, p90, p50 = p10 / p50, p90 / p50, 1.0
        note = "Re-based to the scenario's own figure (P50 = 1, spread in proportion). " + note
        origin += " (re-based)"
    return Distribution(
        name=EVIDENCE_PREFIX + base.name,
        kind=base.kind,
        target=base.target,
        driver=base.driver,
        label=base.label,
        shape="lognormal",
        evolution="level",
        p10=p10,
        p50=p50,
        p90=p90,
        minimum=0.0,
        maximum=float("inf"),
        origin=origin,
        note=note,
    )


def with_evidence(
    dists: tuple[Distribution, ...],
    evidence: Mapping[str, Mapping[str, Any]],
    rebase: Callable[[str], bool],
    correlation: np.ndarray,
) -> tuple[tuple[Distribution, ...], np.ndarray]:
    """``dists`` followed by each input's evidence multiplier (in the inputs' order), and
    the correlation matrix padded for them (evidence multipliers are independent of
    every other shock: the pairs say nothing about how the inputs move together)."""
    extra = [evidence_distribution(d, evidence[d.name], rebase(d.name)) for d in dists if d.name in evidence]
    if not extra:
        return dists, correlation
    k = len(dists)
    padded = np.eye(k + len(extra))
    padded[:k, :k] = correlation
    return (*dists, *extra), padded


def variant(scenario: Scenario, *, view: str | None = None, honoured: bool | None = None) -> Scenario:
    """The scenario simulated in another view (``evidence`` or ``paper``) and/or with the
    partner's guarantee honoured or not: its overrides with ``[risk] view`` and
    ``[guarantee] honoured`` set (a scenario's own setting is replaced)."""
    raw = copy.deepcopy(scenario.overrides)
    tags = []
    if view is not None:
        raw["risk"] = {**raw.get("risk", {}), "view": view}
        tags.append(f"{view} view")
    if honoured is not None:
        raw["guarantee"] = {**raw.get("guarantee", {}), "honoured": honoured}
        tags.append("guarantee honoured" if honoured else "guarantee not honoured")
    name = " - ".join([scenario.name, *tags])
    raw["scenario"] = {**raw.get("scenario", {}), "name": name}
    return scenario_from_dict(raw, name=name, edition=scenario.edition)


def cited_pairs(d: Distribution) -> list[str]:
    """The reference-class pairs an evidence multiplier rests on (read from its note)."""
    if not is_evidence(d) or "pairs: " not in d.note:
        return []
    listed = d.note.split("pairs: ", 1)[1].split(" -- ", 1)[0]
    return [p.strip() for p in listed.split(",") if p.strip()]
