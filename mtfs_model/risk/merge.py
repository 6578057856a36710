"""The edition's risk defaults and a scenario's ``[risk]`` table, merged and checked: every
value, evidence reference and correlation, each problem named by the file and key."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from mtfs_model.base.errors import InputError, Problem
from mtfs_model.edition.folder import Edition
from mtfs_model.risk.schema import PSD_TOLERANCE, SCENARIO_ONLY, Declared, declare, one_of

# --- Defaults and a scenario's table, merged ------------------------------------------------


@dataclass(frozen=True)
class MergedInput:
    """One input after a scenario's keys replace the defaults' (``mine``: the scenario's)."""

    name: str
    values: dict[str, Any]
    mine: dict[str, Any]
    """The scenario's own distribution keys (not how it reads its figure: ``centre``)."""
    origin: Path
    centre: str = "plan"
    """How the scenario's figure for this input is read: ``plan`` or ``outcome``."""
    centre_reason: str | None = None


@dataclass(frozen=True)
class Merged:
    """The edition's risk defaults merged with a scenario's ``[risk]``: inputs, correlation, spread scale and view."""

    inputs: tuple[MergedInput, ...]
    correlation: npt.NDArray[np.float64]
    spread_scale: float
    view: str = "evidence"
    """``evidence`` (the default) or ``paper`` (:mod:`mtfs_model.risk.evidence`)."""
    centre: str = "plan"
    """``plan`` (the default) or ``outcome`` (:data:`mtfs_model.risk.schema.CENTRES`): the
    scenario's reading of every input whose own ``centre`` says nothing."""
    evidence_as_of: str | None = None


def _blame(
    name: str, keys: tuple[str, ...], base: Declared, over: Declared, mine: Mapping[str, Any]
) -> tuple[Path, str]:
    """The file and key to name: the scenario's if it set one of ``keys`` (or declared the
    input itself), else the defaults file's."""
    for k in keys:
        if k in mine:
            return over.file, over.where(f"{name}.{k}")
    if name not in base.dists:
        return over.file, over.where(f"{name}.{keys[0]}")
    return base.file, base.where(f"{name}.{keys[0]}")


def _check_values(name: str, merged: Mapping[str, Any], blame: Any, found: list[Problem]) -> None:
    def add(keys: tuple[str, ...], expected: str, got: Any = None, show: bool = False) -> None:
        file, where = blame(keys)
        found.append(Problem(str(file), where, expected, got, show))

    if "p10" not in merged or "p90" not in merged:
        add(("p10",) if "p10" not in merged else ("p90",), "p10 and p90 (multipliers of the scenario's figure)")
        return
    p10, p50, p90 = merged["p10"], merged.get("p50", 1.0), merged["p90"]
    if not p10 <= p50 <= p90:
        keys = ("p90", "p10", "p50") if p10 > p90 else ("p50", "p10", "p90")
        add(keys, f"p10 <= p50 <= p90 (here p10 {p10:g}, p50 {p50:g}, p90 {p90:g})")
    if merged.get("shape") == "lognormal" and p10 <= 0:
        add(("p10", "shape"), "a number > 0 for a lognormal (a log of 0)", p10, True)
    lo, hi = merged.get("min", 0.0), merged.get("max", math.inf)
    if lo > p10:
        add(("min", "p10"), f"min <= p10 (here min {lo:g}, p10 {p10:g})")
    if hi < p90:
        add(("max", "p90"), f"max >= p90 (here max {hi:g}, p90 {p90:g})")
    evidence = merged.get("evidence")
    if isinstance(evidence, Mapping):
        _check_evidence(evidence, blame, found)


def _check_evidence(evidence: Mapping[str, Any], blame: Any, found: list[Problem]) -> None:
    """An evidence table: a reference-class ``subject``, or its own quantiles, all three,
    0 < P10 <= P50 <= P90 (a lognormal)."""
    file, where = blame(("evidence",))
    if evidence.get("subject") and not any(k in evidence for k in ("p10", "p50", "p90")):
        return
    missing = [k for k in ("p10", "p50", "p90") if k not in evidence]
    if missing:
        found.append(
            Problem(str(file), f"{where}.{missing[0]}", "p10, p50 and p90 (the calibrated error)", None, False)
        )
        return
    p10, p50, p90 = evidence["p10"], evidence["p50"], evidence["p90"]
    if not 0 < p10 <= p50 <= p90:
        expected = f"0 < p10 <= p50 <= p90 (here p10 {p10:g}, p50 {p50:g}, p90 {p90:g})"
        found.append(Problem(str(file), f"{where}.p10", expected, None, False))


def _correlation(base: Declared, over: Declared, names: list[str], found: list[Problem]) -> npt.NDArray[np.float64]:
    index = {n: i for i, n in enumerate(names)}
    declared = [*names, *(n for n in (*base.names, *over.names) if n not in index)]
    expected = one_of("an input declared in risk.toml or the [risk] table", declared)
    pairs: dict[frozenset[str], tuple[str, str, float]] = {}
    for part in (base, over):
        for a, b, rho, where in part.correlation:
            bad = [n for n in (a, b) if n not in declared]
            found.extend(Problem(str(part.file), f"{where}.between", expected, n) for n in bad)
            if a in index and b in index:  # else an input whose own table has a problem
                pairs[frozenset((a, b))] = (a, b, rho)
    corr = np.eye(len(names))
    for a, b, rho in pairs.values():
        corr[index[a], index[b]] = corr[index[b], index[a]] = rho
    if len(names) and pairs:
        smallest = float(np.linalg.eigvalsh(corr).min())
        if smallest < -PSD_TOLERANCE:
            part = over if over.correlation else base
            found.append(Problem(
                str(part.file), part.where("correlation"),
                "correlations that make a positive semi-definite matrix "
                f"(these give an eigenvalue of {smallest:.3g}; lower some of them)", None, False,
            ))  # fmt: skip
    return corr


def merge(base: Declared, over: Declared | None) -> Merged:
    """A scenario's table over the defaults, key by key, and the whole checked at once."""
    over = over or Declared(base.file, "risk", {}, (), None)
    names = list(base.dists) + [n for n in over.dists if n not in base.dists]
    found: list[Problem] = [*base.problems, *over.problems]
    inputs = []
    everywhere = over.centre or "plan"
    for name in names:
        given = over.dists.get(name, {})
        mine = {k: v for k, v in given.items() if k not in SCENARIO_ONLY}
        merged = {**base.dists.get(name, {}), **mine}

        def blame(keys: tuple[str, ...], name: str = name, mine: Mapping[str, Any] = mine) -> tuple[Path, str]:
            return _blame(name, keys, base, over, mine)

        _check_values(name, merged, blame, found)
        centre = str(given.get("centre") or everywhere)
        reason = given.get("centre_reason")
        inputs.append(MergedInput(name, merged, dict(mine), over.file if mine else base.file, centre, reason))
    corr = _correlation(base, over, names, found)
    if found:
        raise InputError.many(found)
    spread = over.spread_scale if over.spread_scale is not None else base.spread_scale
    view = over.view or base.view or "evidence"
    return Merged(
        tuple(inputs), corr, 1.0 if spread is None else spread, view, everywhere,
        over.evidence_as_of or base.evidence_as_of,
    )  # fmt: skip


def merged_for(edition: Edition, raw: Any, file: Path) -> Merged:
    """The edition's defaults with a scenario's ``[risk]`` table (``raw``, or None) over them."""
    base = defaults(edition)
    over = declare(raw, edition, file, "risk") if raw is not None else None
    return merge(base, over)


def check_section(raw: Mapping[str, Any], edition: Edition, file: Path) -> None:
    """The scenario checker of ``[risk]`` (registered with the scenario schema)."""
    merged_for(edition, raw, file)


def check_defaults(edition: Edition) -> None:
    """The edition's ``risk.toml`` against the same schema (run when an edition loads)."""
    defaults(edition)


@lru_cache(maxsize=16)
def defaults(edition: Edition) -> Declared:
    """The edition's ``risk.toml`` (``edition.risk``), checked (cached per edition):
    :class:`InputError` with every problem of the file at once."""
    base = declare(edition.risk, edition, edition.path / "risk.toml", defaults=True)
    merge(base, None)  # the defaults alone must make a valid whole too
    return base
