"""The ``[risk]`` table's declarative schema (pydantic, ``extra="forbid"``) and its checker.

One schema serves an edition's ``risk.toml`` (the defaults, where every distribution and
correlation must give a ``source`` or a ``reason``) and a scenario's ``[risk]`` table
(which replaces the defaults key by key).  Structure and bounds are declared in
:class:`RiskTable`: every number finite, multipliers from 0 to :data:`MAX_MULTIPLIER`,
``spread_scale`` from 0 to 10, ``rho`` in [-1, 1].  What needs the edition is checked
after: an input names a real line, driver, programme or High Needs line; after merging
with the defaults P10 <= P50 <= P90, ``min`` <= P10, ``max`` >= P90, a lognormal's P10
above 0; a correlation names declared inputs; the correlation matrix is positive
semi-definite.  Every problem is reported at once (one :class:`InputError`, a line each).

Input names are paths in the table: ``lines.<code>.scale`` (growth) or
``lines.<code>.delivery`` (savings), ``lines.<code>.drivers.<driver>``,
``programmes.<id>.scale|delivery`` and ``high_needs.<line>``.  The checks of the merged
whole are :mod:`mtfs_model.risk.merge`'s, declared for scenario files and ``risk.toml`` in
:mod:`mtfs_model.edition.registry`, so scenarios and editions import nothing of the risk
model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationError, field_validator

from mtfs_model.base.errors import InputError, Problem
from mtfs_model.base.schema_types import MAX_FACTOR, Factor, Strict, Text, problems_of
from mtfs_model.edition import drivers as driver_models
from mtfs_model.edition.folder import Edition

MAX_MULTIPLIER = 100.0
"""The largest P10/P50/P90/min/max a distribution may declare (a multiplier of the figure)."""
Multiplier = Annotated[float, Field(allow_inf_nan=False, ge=0.0, le=MAX_MULTIPLIER)]
Rho = Annotated[float, Field(allow_inf_nan=False, ge=-1.0, le=1.0)]
SOURCE_EXPECTED = "a table { doc, ref, grep } or a non-empty string"
PSD_TOLERANCE = 1e-10


class RiskSource(Strict):
    """Where a default's figure is printed: document key, place, phrase to grep for."""

    doc: Text
    ref: Text
    grep: Text


def _source(value: Any) -> Any:
    if value is None:
        return value
    if isinstance(value, str):
        if value.strip():
            return value
        raise ValueError(SOURCE_EXPECTED)
    try:
        return RiskSource.model_validate(value).model_dump()
    except ValidationError:
        raise ValueError(SOURCE_EXPECTED) from None


class EvidenceTable(Strict):
    """What the reference class says of an input (``[<input>.evidence]``): the pairs it
    rests on (ids of :mod:`mtfs_model.forecast.reference_class`) and the P10/P50/P90 of
    one more forecast's error (outturn / forecast) calibrated on them
    (:func:`mtfs_model.forecast.calibration.fit`).  In the evidence view (the default) the
    input gets a second, level multiplier drawn from it (:mod:`mtfs_model.risk.evidence`)."""

    pairs: list[Text] = Field(default_factory=list)
    p10: Multiplier | None = None
    p50: Multiplier | None = None
    p90: Multiplier | None = None
    source: Any = None
    reason: Text | None = None

    _check_source = field_validator("source")(_source)


class DistributionTable(Strict):
    """One input's distribution (multipliers of the scenario's figure); a scenario's
    table may give only the keys it changes."""

    shape: Literal["normal", "lognormal"] | None = None
    evolution: Literal["level", "walk", "independent"] | None = None
    p10: Multiplier | None = None
    p50: Multiplier | None = None
    p90: Multiplier | None = None
    min: Multiplier | None = None
    max: Multiplier | None = None
    source: Any = None
    reason: Text | None = None
    evidence: EvidenceTable | None = None
    """The reference class's view of this input (see :class:`EvidenceTable`)."""

    _check_source = field_validator("source")(_source)


class LineRisk(Strict):
    scale: DistributionTable | None = None
    """A growth line's profile multiplier."""
    delivery: DistributionTable | None = None
    """A savings line's delivery multiplier."""
    drivers: dict[str, DistributionTable] = Field(default_factory=dict)
    """Multipliers of the line's driver-model parameters."""


class ProgrammeRisk(Strict):
    scale: DistributionTable | None = None
    delivery: DistributionTable | None = None


class Correlation(Strict):
    """``rho`` between the annual shocks of two inputs (a Gaussian copula)."""

    between: list[str]
    rho: Rho
    source: Any = None
    reason: Text | None = None

    _check_source = field_validator("source")(_source)

    @field_validator("between")
    @classmethod
    def _pair(cls, value: list[str]) -> list[str]:
        if len(value) != 2:
            raise ValueError("a list of two input names")
        if value[0] == value[1]:
            raise ValueError("two different inputs")
        return value


class RiskTable(Strict):
    """A ``[risk]`` table, or an edition's ``risk.toml``."""

    spread_scale: Factor | None = None
    """Multiplies every distance from the median: 0 = no uncertainty."""
    evidence_as_of: dt.date | None = None
    """The evidence date: the fan uses only reference-class pairs published by then (default:
    the latest date of the edition's papers; :func:`mtfs_model.evidence.evidence_date`)."""
    view: Literal["evidence", "paper"] | None = None
    """``evidence`` (the default): inputs the reference class reaches get its multiplier;
    ``paper``: every default centred on the papers' own figures (:mod:`mtfs_model.risk.evidence`)."""
    lines: dict[str, LineRisk] = Field(default_factory=dict)
    programmes: dict[str, ProgrammeRisk] = Field(default_factory=dict)
    high_needs: dict[str, DistributionTable] = Field(default_factory=dict)
    correlation: list[Correlation] = Field(default_factory=list)


# --- What the edition offers -------------------------------------------------------------


def variable_drivers(drivers: Mapping[str, Any] | None, years: tuple[str, ...]) -> list[str]:
    """The parameters of a line's driver model a distribution may vary: the model's
    declared parameters except its divisors (``positive``: a draw of 0 would divide by
    zero, and a budgeted unit cost is a definition, not a forecast), and only those the
    model evaluates on arrays."""
    if not drivers:
        return []
    model = driver_models.MODELS.get(str(drivers.get("model")))
    if model is None:
        return []
    out = []
    for key in model.params:
        value = drivers.get(key)
        if key in model.positive or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        trial = dict(drivers)
        trial[key] = np.array([float(value), float(value) * 1.5 + 1.0])
        try:
            model.function(trial, years)
        except (ValueError, TypeError):
            continue
        out.append(key)
    return out


@dataclass(frozen=True)
class Offer:
    """The inputs an edition lets a distribution vary."""

    line_kind: dict[str, str]
    line_drivers: dict[str, list[str]]
    programme_kind: dict[str, str]
    high_needs: list[str]


@lru_cache(maxsize=16)
def offer(edition: Edition) -> Offer:
    lines = edition.growth_savings["lines"]
    fc = edition.high_needs["forecast"]
    return Offer(
        line_kind={c: ln["kind"] for c, ln in lines.items()},
        line_drivers={c: variable_drivers(ln.get("drivers"), edition.years) for c, ln in lines.items()},
        programme_kind={p.id: p.kind for p in edition.programmes},
        high_needs=[*fc["funding"], *fc["expenditure"], *fc["savings"]],
    )


def factor_key(kind: str) -> str:
    """``scale`` for a growth line or programme, ``delivery`` for savings."""
    return "scale" if kind == "growth" else "delivery"


def input_parts(name: str) -> tuple[str, str, str | None, str]:
    """``(kind, target, driver, factor)`` of an input name: ``driver``, ``line``,
    ``programme`` or ``high_needs``; the line, programme or High Needs key; the driver key."""
    parts = name.split(".")
    if parts[0] == "lines":
        if parts[2] == "drivers":
            return "driver", parts[1], parts[3], "drivers"
        return "line", parts[1], None, parts[2]
    if parts[0] == "programmes":
        return "programme", parts[1], None, parts[2]
    return "high_needs", parts[1], None, ""


# --- One table: structure, names, notes --------------------------------------------------


@dataclass(frozen=True)
class Declared:
    """A checked ``[risk]`` table: each valid input's keys as given, its correlations,
    and the problems found."""

    file: Path
    prefix: str
    dists: dict[str, dict[str, Any]]
    correlation: tuple[tuple[str, str, float, str], ...]
    spread_scale: float | None
    names: tuple[str, ...] = ()
    """Every input the table names that the edition offers (its distribution valid or not)."""
    problems: tuple[Problem, ...] = ()
    view: str | None = None
    """``evidence`` or ``paper`` if the table says (else None: the default)."""

    def where(self, rest: str) -> str:
        return f"{self.prefix}.{rest}" if self.prefix else rest


class _Collect:
    """Problems of one table, keys under its prefix (``risk.`` in a scenario)."""

    def __init__(self, file: Path, prefix: str) -> None:
        self.file, self.prefix, self.found = file, prefix, list[Problem]()

    def where(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def add(self, key: str, expected: str, got: Any = None, *, show_got: bool = True) -> None:
        self.found.append(Problem(str(self.file), self.where(key), expected, got, show_got))


def one_of(what: str, known: Any) -> str:
    return f"{what}, one of " + (", ".join(known) if known else "(none in this edition)")


def _table(value: Any) -> Mapping[str, Any]:
    """A sub-table as read, or an empty one where it is not a table (the schema says so)."""
    return value if isinstance(value, Mapping) else {}


def _lines(raw: Mapping[str, Any], off: Offer, out: list[str], p: _Collect) -> None:
    for code, spec in _table(raw.get("lines")).items():
        where = f"lines.{code}"
        if code not in off.line_kind:
            p.add(where, one_of("a line code", off.line_kind), show_got=False)
            continue
        kind, variable = off.line_kind[code], off.line_drivers[code]
        factor = factor_key(kind)
        allowed = [factor] + (["drivers"] if variable else [])
        words = "a growth line" if kind == "growth" else "a savings line"
        for key in ("scale", "delivery"):
            if key in _table(spec) and key != factor:
                p.add(f"{where}.{key}", f"one of {', '.join(allowed)} ({code} is {words})", show_got=False)
            elif key in _table(spec):
                out.append(f"{where}.{key}")
        drivers = _table(_table(spec).get("drivers"))
        if drivers and not variable:
            p.add(f"{where}.drivers", f"one of {factor} ({code} has no drivers a distribution may vary)",
                  show_got=False)  # fmt: skip
            continue
        for key in drivers:
            if key not in variable:
                p.add(f"{where}.drivers.{key}", one_of(f"a driver of {code} a distribution may vary", variable),
                      show_got=False)  # fmt: skip
            else:
                out.append(f"{where}.drivers.{key}")


def _others(raw: Mapping[str, Any], off: Offer, out: list[str], p: _Collect) -> None:
    for pid, spec in _table(raw.get("programmes")).items():
        where = f"programmes.{pid}"
        if pid not in off.programme_kind:
            p.add(where, one_of("a programme", off.programme_kind), show_got=False)
            continue
        factor = factor_key(off.programme_kind[pid])
        for key in ("scale", "delivery"):
            if key in _table(spec) and key != factor:
                p.add(f"{where}.{key}", f"one of {factor} (the kind of programme {pid})", show_got=False)
            elif key in _table(spec):
                out.append(f"{where}.{key}")
    for key in _table(raw.get("high_needs")):
        if key not in off.high_needs:
            p.add(f"high_needs.{key}", one_of("a High Needs line", off.high_needs), show_got=False)
        else:
            out.append(f"high_needs.{key}")


def _pairs(raw: Mapping[str, Any], p: _Collect, defaults: bool) -> None:
    entries = raw.get("correlation")
    seen: set[frozenset[str]] = set()
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        entry = _table(entry)
        pair = entry.get("between")
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair):
            if frozenset(pair) in seen and pair[0] != pair[1]:
                p.add(f"correlation[{i}].between", "each pair of inputs once", pair)
            seen.add(frozenset(pair))
        if defaults and entry and "source" not in entry and "reason" not in entry:
            p.add(f"correlation[{i}].reason", "a source or a reason for every default", show_got=False)


def _dig(raw: Mapping[str, Any], name: str) -> Any:
    node: Any = raw
    for part in name.split("."):
        node = _table(node).get(part)
    return node


def _valid(model: type[DistributionTable] | type[Correlation], data: Any) -> Any:
    """``data`` as ``model``, or None if it is not valid (its problems are reported already)."""
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def _salvage(raw: Mapping[str, Any], names: list[str], prefix: str) -> tuple[Any, ...]:
    """The valid parts of a table with problems: distributions, correlations, spread."""
    dists = {}
    for name in names:
        dist = _valid(DistributionTable, _dig(raw, name))
        if dist is not None:
            dists[name] = dist.model_dump(exclude_unset=True)
    entries = raw.get("correlation")
    pairs = []
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        c = _valid(Correlation, entry)
        if c is not None:
            where = f"{prefix}.correlation[{i}]" if prefix else f"correlation[{i}]"
            pairs.append((c.between[0], c.between[1], c.rho, where))
    spread = raw.get("spread_scale")
    if isinstance(spread, bool) or not isinstance(spread, int | float) or not 0 <= spread <= MAX_FACTOR:
        return dists, tuple(pairs), None
    return dists, tuple(pairs), float(spread)


def declare(raw: Any, edition: Edition, file: Path, prefix: str = "", *, defaults: bool = False) -> Declared:
    """Check one ``[risk]`` table (``prefix`` ``"risk"``) or an edition's ``risk.toml``
    (``defaults=True``: a source or a reason required) against the schema and the edition.

    Returns its valid parts with every problem found (``problems``: the schema's and the
    edition's -- unknown lines, drivers, programmes, High Needs lines), so that
    :func:`merge` reports them together with its own, all at once.
    """
    if not isinstance(raw, Mapping):
        raise InputError(file, prefix or "(file)", "a [risk] table", raw)
    p = _Collect(file, prefix)
    try:
        RiskTable.model_validate(dict(raw))
    except ValidationError as exc:
        p.found.extend(problems_of(exc, file, prefix))
    names: list[str] = []
    off = offer(edition)
    _lines(raw, off, names, p)
    _others(raw, off, names, p)
    _pairs(raw, p, defaults)
    if defaults:
        for name in names:
            node = _table(_dig(raw, name))
            if node and "source" not in node and "reason" not in node:
                p.add(f"{name}.reason", "a source or a reason for every default", show_got=False)
            evidence = _table(node.get("evidence")) if node else {}
            if evidence and not evidence.get("pairs"):
                p.add(f"{name}.evidence.pairs", "the reference-class pairs the evidence rests on", show_got=False)
            if evidence and "reason" not in evidence and "source" not in evidence:
                p.add(f"{name}.evidence.reason", "a source or a reason for every default", show_got=False)
    dists, pairs, spread = _salvage(raw, names, prefix)
    view = raw.get("view") if raw.get("view") in ("evidence", "paper") else None
    return Declared(file, prefix, dists, pairs, spread, tuple(names), tuple(p.found), view)
