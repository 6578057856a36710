"""The transformation partner's guarantee as printed: the terms (floor, estimate,
stretch, horizon, the programme it applies to) read and checked from an edition's
``guarantee.toml``.  The model of the guarantee is :mod:`mtfs_model.engine.guarantee`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtfs_model.base.errors import InputError, Problems
from mtfs_model.base.schema_types import read_toml
from mtfs_model.edition.folder import Edition, load_edition

FACTS = ("guarantee", "estimate", "stretch", "horizon", "programme_end", "mtfs")
"""Tables of ``guarantee.toml`` that state a printed fact (each with a ``source``)."""


@dataclass(frozen=True)
class Terms:
    """The arrangement as printed (GBP000 a year, positive benefits), with the edition's
    links: which programme, which partner, over which years."""

    programme: str
    """Id of the savings programme the guarantee applies to (``links.guarantee_programme``)."""
    partner: str
    """Who gives the guarantee (``links.guarantee_partner``)."""
    years: tuple[str, ...]
    """The edition's MTFS years."""
    lines: tuple[str, ...]
    """The programme's line codes (``edition.lines_of(programme)``)."""
    floor: float
    """Guaranteed annual benefit (``[guarantee] floor``)."""
    estimate: float | None
    """Hoped-for / estimated annual benefit (``[estimate] benefit``; None if not printed)."""
    stretch: float | None
    """Stretch ambition (``[stretch] benefit``; None if not printed)."""
    horizon_years: int
    """Years over which the estimate and stretch are reached (default: the MTFS years)."""
    shortfall_borne_by: str
    """Who bears a shortfall below the floor, as printed (``"partner"``)."""
    fee_printed: bool
    """Whether the papers print the fee or its cap."""
    sources: dict[str, dict[str, str]]
    """``source`` table (doc, ref, grep) of each fact: guarantee, estimate, stretch, ..."""
    texts: dict[str, str]
    """The sentence each fact is taken from."""

    @property
    def final_year(self) -> str:
        """The edition's final fiscal year, the guarantee's run-rate year by default."""
        return self.years[-1]


def programme_of(edition: Edition) -> str | None:
    """Id of the programme the edition's guarantee applies to, or None (no guarantee)."""
    pid = edition.links.get("guarantee_programme")
    return str(pid) if pid else None


def partner_of(edition: Edition) -> str:
    """Who gives the guarantee, as the edition names it ("the partner" if unnamed)."""
    return str(edition.links.get("guarantee_partner") or "the partner")


def applies(edition: Edition) -> bool:
    """True if the edition links a savings programme to a guarantee."""
    return programme_of(edition) is not None


def _number(value: Any, problems: Problems, key: str, minimum: float | None = None) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        problems.add(key, "a number (GBP000 a year)", value)
        return None
    if minimum is not None and value < minimum:
        problems.add(key, f"a number >= {minimum:,.0f}", value)
    return float(value)


def _check_sources(raw: Mapping[str, Any], problems: Problems) -> None:
    for key in FACTS:
        if key not in raw:
            if key == "guarantee":
                problems.add(key, "a table: the guaranteed floor and its source", show_got=False)
            continue
        if not isinstance(raw[key], Mapping):
            problems.add(key, "a table", show_got=False)
            continue
        src = raw[key].get("source")
        if not isinstance(src, Mapping) or not {"doc", "ref", "grep"} <= set(src):
            problems.add(f"{key}.source", "a source table (doc, ref, grep)", show_got=False)


def _table(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key, {})
    return value if isinstance(value, Mapping) else {}


def _levels(raw: Mapping[str, Any], problems: Problems) -> tuple[float, float | None, float | None]:
    floor = _number(_table(raw, "guarantee").get("floor"), problems, "guarantee.floor", 0.0)
    est = _table(raw, "estimate").get("benefit")
    estimate = None if est is None else _number(est, problems, "estimate.benefit", floor)
    st = _table(raw, "stretch").get("benefit")
    least = estimate if estimate is not None else floor
    stretch = None if st is None else _number(st, problems, "stretch.benefit", least)
    return floor or 0.0, estimate, stretch


def load_terms(edition: Edition | None = None, path: str | Path | None = None) -> Terms:
    """The edition's guarantee (default: the bundled edition), checked: a floor, floor <=
    estimate <= stretch where printed, every fact sourced.  ``path`` reads another
    ``guarantee.toml`` for the same edition.  Raises :class:`InputError` (every problem at
    once) if the file is bad or the edition links no programme to a guarantee."""
    ed = edition or load_edition()
    file = Path(path) if path is not None else ed.path / "guarantee.toml"
    raw = read_toml(file) if path is not None else ed.guarantee
    pid = programme_of(ed)
    if pid is None:
        raise InputError(ed.path / "edition.toml", "links.guarantee_programme",
                         "the savings programme a guarantee applies to", show_got=False)  # fmt: skip
    problems = Problems(file)
    _check_sources(raw, problems)
    floor, estimate, stretch = _levels(raw, problems)
    years = _table(raw, "horizon").get("years", len(ed.years))
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        problems.add("horizon.years", "a whole number of years", years)
    problems.raise_if_any()
    fee = raw.get("fee", {})
    return Terms(
        programme=pid,
        partner=partner_of(ed),
        years=tuple(ed.years),
        lines=tuple(ed.lines_of(pid)),
        floor=floor,
        estimate=estimate,
        stretch=stretch,
        horizon_years=int(years),
        shortfall_borne_by=str(_table(raw, "guarantee").get("shortfall_borne_by", "")),
        fee_printed=bool(fee.get("cap_printed", False)),
        sources={k: dict(raw[k]["source"]) for k in FACTS if k in raw and "source" in raw[k]},
        texts={k: str(raw[k]["text"]) for k in FACTS if k in raw and "text" in raw[k]},
    )
