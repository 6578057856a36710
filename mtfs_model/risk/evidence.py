"""Budget risk in two views: as the paper assumes, and evidence-adjusted (the default).

Every input's distribution in ``risk.toml`` is a multiplier of the scenario's figure.
Where the reference class reaches an input (how comparable forecasts fared:
:mod:`mtfs_model.evidence`), the input's table carries an ``evidence`` sub-table naming
the reference-class ``subject`` it reads.  The two views:

* ``view = "evidence"`` (the default): each such input gets a second multiplier drawn
  from the reference class's **predictive Student-t** of one more forecast's log error,
  ``ln(outturn / forecast) = loc_at(h) + scale_at(h) * T_df`` for MTFS year ``h`` (a
  forecast ``h`` years ahead): one draw a trajectory, every year's multiplier rising with
  it, the fan widening with the horizon as the evidence's horizon rule says.  It sits on
  top of the judgement distribution (which keeps the council's own year-to-year
  spread).  The reference class is read as it stood at the edition's papers' date
  (``[risk] evidence_as_of`` to say otherwise), through its out-of-sample rule.
* ``view = "paper"``: every default centred on the papers' own figures (its median
  re-based to 1, the spread kept in proportion), the guaranteed programme capped at its
  stretch ambition, and no evidence multiplier.

How a scenario's own figures are read is declared, never inferred (``[risk] centre``):
a ``plan`` (the default) takes every judgement's centre and the evidence's uplift on top,
whatever figure it gives; ``centre = "outcome"`` with ``outcome_inputs = [...]`` states
those inputs' figures as the outcome, so their fan is centred on them (the judgement's
median re-based to 1, the evidence's centre 0, both spreads kept).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import t as t_dist  # type: ignore[import-untyped]

from mtfs_model.base.rounding import number
from mtfs_model.edition.folder import Edition
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


def evidence_context(edition: Edition, as_of: str | None, reference_files: tuple[Path, ...] = ()) -> Any:
    """The reference class as it stood for ``edition`` (:class:`mtfs_model.evidence.EvidenceContext`,
    its out-of-sample rule run).  Not cached here: the evidence layer caches it keyed by the
    files' times and sizes and the horizon rule, so an edited file or another rule is read afresh."""
    from mtfs_model.evidence.context import EvidenceContext

    when = None if as_of is None else dt.date.fromisoformat(as_of)
    return EvidenceContext.for_edition(edition, as_of=when, extra_files=reference_files)


def predictive_distribution(
    base: Distribution, subject: str, predictive: Any, n_years: int, outcome: bool, floor: float = 0.0, why: str = ""
) -> Distribution:
    """The evidence multiplier of input ``base`` from the reference class's predictive
    distribution of ``subject``: ``exp(loc_at(h) + scale_at(h) * T_df)`` in MTFS year ``h``
    (a forecast ``h`` years ahead), one Student-t draw a trajectory (``evolution =
    "horizon"``).  ``outcome``: the scenario states this input's figure as the outcome, so
    the centre is 0 (no uplift) and only the spread applies."""
    loc = tuple(0.0 if outcome else float(predictive.loc_at(h)) for h in range(1, n_years + 1))
    scale = tuple(float(predictive.scale_at(h)) for h in range(1, n_years + 1))
    df = float(predictive.df)
    pairs = list(getattr(predictive, "pairs", ()) or ())
    t90 = float(t_dist.ppf(0.9, df))
    final_lo, final_hi = math.exp(loc[-1] - t90 * scale[-1]), math.exp(loc[-1] + t90 * scale[-1])
    final_lo, median = max(final_lo, floor), max(math.exp(loc[-1]), floor)
    note = (
        f"reference class, {len(pairs)} pair{'s' * (len(pairs) != 1)}: {', '.join(str(p) for p in pairs)} -- "
        f"subject {subject}; predictive Student-t of ln(outturn / forecast), {number(df, 1)} degrees of freedom; "
        + "; ".join(
            f"{h} year{'s' * (h > 1)} ahead: centre x{number(math.exp(loc[h - 1]), 3)}, scale {number(scale[h - 1], 3)}"
            for h in range(1, n_years + 1)
        )
        + f" ({getattr(predictive, 'horizon_rule', '')})".rstrip(" ()")
    )
    origin = "reference class"
    if outcome:
        note = "Centred on the scenario's stated outcome (no uplift, the spread kept). " + note
        origin += " (outcome)"
    if floor > 0.0:
        note = f"Lower tail cut at x{number(floor, 2)} (a stated judgement: {why}). " + note
        origin += ", lower tail a judgement"
    return Distribution(
        name=EVIDENCE_PREFIX + base.name,
        kind=base.kind,
        target=base.target,
        driver=base.driver,
        label=base.label,
        shape="student_t",
        evolution="horizon",
        p10=final_lo,
        p50=median,
        p90=max(final_hi, floor),
        minimum=floor,
        maximum=float("inf"),
        origin=origin,
        note=note,
        df=df,
        loc=loc,
        scale=scale,
    )


def evidence_distribution(base: Distribution, table: Mapping[str, Any], outcome: bool) -> Distribution:
    """A scenario's own evidence view of input ``base`` (its ``evidence`` table's P10/P50/P90):
    lognormal, the same every year; re-based to a median of 1 for a stated ``outcome``."""
    p10, p50, p90 = float(table["p10"]), float(table["p50"]), float(table["p90"])
    note = f"{_pairs_text(table)} -- {table.get('reason', '')}".rstrip(" -")
    origin = "the scenario's evidence"
    if outcome:
        p10, p90, p50 = p10 / p50, p90 / p50, 1.0
        note = "Centred on the scenario's stated outcome (P50 = 1, spread in proportion). " + note
        origin += " (outcome)"
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


def _lower_tail(table: Mapping[str, Any], context: Any) -> tuple[float, str]:
    """An evidence table's ``lower_tail_floor`` and why, while the deficit-reversal data is
    not admissible at the context's evidence date; (0, "") once it is (the data decides)."""
    floor = table.get("lower_tail_floor")
    if floor is None:
        return 0.0, ""
    reversals = context.deficit_reversals()
    if reversals.usable:
        return 0.0, ""
    why = str(table.get("lower_tail_reason") or "")
    when = (
        f"the DfE table of deficit reversals was published {reversals.published.isoformat()}, "
        f"after the evidence date {reversals.as_of.isoformat()}"
    )
    return float(floor), f"{why} ({when})" if why else when


def with_evidence(
    dists: tuple[Distribution, ...],
    evidence: Mapping[str, Mapping[str, Any]],
    outcome: Collection[str],
    correlation: np.ndarray,
    context: Any,
    n_years: int,
) -> tuple[tuple[Distribution, ...], np.ndarray]:
    """``dists`` followed by each input's evidence multiplier (in the inputs' order), and
    the correlation matrix padded for them (evidence multipliers are independent of
    every other shock: the pairs say nothing about how the inputs move together).  An
    evidence table with its own P10/P50/P90 (a scenario's view) is used as given; one
    naming a ``subject`` reads the reference class's predictive distribution from
    ``context``."""
    extra = []
    for d in dists:
        table = evidence.get(d.name)
        if table is None:
            continue
        if "p10" in table:
            extra.append(evidence_distribution(d, table, d.name in outcome))
        else:
            subject = str(table["subject"])
            floor, why = _lower_tail(table, context)
            predictive = context.predictive(subject)
            extra.append(predictive_distribution(d, subject, predictive, n_years, d.name in outcome, floor, why))
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
    marker = next((m for m in ("pairs: ", "pair: ") if m in d.note), None)
    if not is_evidence(d) or marker is None:
        return []
    listed = d.note.split(marker, 1)[1].split(" -- ", 1)[0]
    return [p.strip() for p in listed.split(",") if p.strip()]
