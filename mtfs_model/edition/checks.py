"""Checks an edition's files against each other, reporting every problem at once.

The schema (:mod:`mtfs_model.edition.schema`) checks each file alone; here the files
meet the horizon and each other: every year present and no other, signs as published
(costs positive, savings and funding negative), each line's programme declared with the
same kind, driver models registered with their parameters, links naming real parts, the
derived rows labelled, CIP go-live dates near the horizon and property savings that can
never turn into a cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from mtfs_model.base import rows
from mtfs_model.base.errors import InputError, Problems
from mtfs_model.base.schema_types import MAX_GBP000, validate
from mtfs_model.base.years import fy_start
from mtfs_model.edition import drivers as driver_models
from mtfs_model.edition.schema import (
    CapitalFile,
    CipFile,
    EditionFile,
    GrowthSavingsFile,
    GuaranteeFile,
    HighNeedsFile,
    RevenueFile,
)

GO_LIVE_MARGIN_YEARS = 5
"""A property may go live up to this many years either side of the horizon."""
REQUIRED_ROWS = {
    "revenue": rows.REVENUE_ROWS,
    "lines": (rows.TOTAL_SAVINGS, rows.NET_GROWTH),
    "high_needs": (
        rows.HN_TOTAL_EXPENDITURE,
        rows.HN_GAP_PRE_SAVINGS,
        rows.HN_TRANSFER_REFUSED,
        rows.HN_TOTAL_SAVINGS,
        rows.HN_ANNUAL_GAP,
        rows.HN_CUMULATIVE,
    ),
    "capital": ("programme_total", "available", "lcc_requirement", "programme_funding"),
}


def year_map(
    value: Any, years: tuple[str, ...], problems: Problems, key: str, sign: int = 0, extra: tuple[str, ...] = ()
) -> None:
    """Check a ``{year: GBP000}`` table: exactly the horizon's years (plus ``extra``), finite,
    bounded, and of the sign asked (+1 a cost >= 0, -1 a saving or funding <= 0)."""
    if not isinstance(value, Mapping):
        problems.add(key, "a table of the years " + ", ".join(years), value)
        return
    missing = [y for y in years if y not in value]
    if missing:
        problems.add(f"{key}.{missing[0]}", "a value for every year " + ", ".join(years), show_got=False)
    for k, v in value.items():
        if k not in years and k not in extra:
            problems.add(f"{key}.{k}", "only the years " + ", ".join(years + extra), show_got=False)
        elif isinstance(v, bool) or not isinstance(v, int | float) or not abs(v) <= MAX_GBP000:
            problems.add(f"{key}.{k}", f"a finite number of GBP000 within +/-{MAX_GBP000:,.0f}", v)
        elif k in years and sign > 0 and v < 0:
            problems.add(f"{key}.{k}", "a value >= 0 (a cost)", v)
        elif k in years and sign < 0 and v > 0:
            problems.add(f"{key}.{k}", "a value <= 0 (savings and funding are negative, as published)", v)


def go_live_range(years: tuple[str, ...]) -> tuple[int, int]:
    """The first and last calendar year a property may go live in: the horizon widened by
    :data:`GO_LIVE_MARGIN_YEARS` either side (for editions and scenarios alike)."""
    return fy_start(years[0]) - GO_LIVE_MARGIN_YEARS, fy_start(years[-1]) + 1 + GO_LIVE_MARGIN_YEARS


def _model(model: type[BaseModel], data: Any, file: Path, problems: Problems) -> Any:
    try:
        return validate(model, data, file)
    except InputError as exc:
        problems.extend(exc)
        return None


def check_drivers(drivers: Mapping[str, Any], problems: Problems, key: str) -> None:
    """A drivers table: a registered model and each of its parameters a finite number >= 0."""
    model = driver_models.MODELS.get(str(drivers.get("model")))
    if model is None:
        problems.add(
            f"{key}.model", "a driver model, one of " + ", ".join(sorted(driver_models.MODELS)), drivers.get("model")
        )
        return
    for p in model.params:
        v = drivers.get(p)
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= 1e9:
            problems.add(f"{key}.{p}", "a finite number >= 0", v)
        elif p in model.positive and v <= 0:
            problems.add(f"{key}.{p}", "a number above 0 (it divides)", v)


def _check_lines(gs: GrowthSavingsFile, ef: EditionFile, file: Path, problems: Problems) -> None:
    kinds = {p.id: p.kind for p in ef.programmes}
    years = tuple(ef.horizon.years)
    for code, line in gs.lines.items():
        where = f"lines.{code}"
        year_map(line.values, years, problems, f"{where}.values", sign=1 if line.kind == "growth" else -1)
        if line.programme not in kinds:
            problems.add(
                f"{where}.programme", "a programme declared in edition.toml: " + ", ".join(kinds), line.programme
            )
        elif kinds[line.programme] != line.kind:
            problems.add(
                f"{where}.kind", f"{kinds[line.programme]!r}, the kind of programme {line.programme}", line.kind
            )
        if line.drivers is not None:
            check_drivers(line.drivers, problems, f"{where}.drivers")


def _check_edition_file(ef: EditionFile, codes: Mapping[str, str], file: Path, problems: Problems) -> None:
    ids = [p.id for p in ef.programmes]
    if len(set(ids)) != len(ids):
        problems.add("programmes", "each programme id once", ids)
    links = ef.links
    if links.property_savings_line is not None and codes and codes.get(links.property_savings_line) != "saving":
        problems.add("links.property_savings_line", "a savings line code", links.property_savings_line)
    kinds = {p.id: p.kind for p in ef.programmes}
    if links.guarantee_programme is not None and kinds.get(links.guarantee_programme) != "saving":
        problems.add(
            "links.guarantee_programme",
            "a savings programme id, one of " + ", ".join(k for k, v in kinds.items() if v == "saving"),
            links.guarantee_programme,
        )
    for table, needed in REQUIRED_ROWS.items():
        have = getattr(ef.rows, table)
        for r in needed:
            if r not in have:
                problems.add(f"rows.{table}.{r}", "the printed label of this derived row", show_got=False)


def _check_high_needs(hn: HighNeedsFile, years: tuple[str, ...], problems: Problems) -> None:
    fc = hn.forecast
    for group, sign in (("funding", -1), ("expenditure", 1), ("savings", -1)):
        for key, value in getattr(fc, group).items():
            year_map(value, years, problems, f"forecast.{group}.{key}", sign=sign)
    tr = hn.schools_block_transfer
    if tr is not None:
        if tr.year not in years:
            problems.add("schools_block_transfer.year", "a year of the horizon: " + ", ".join(years), tr.year)
        if tr.line not in fc.savings:
            problems.add("schools_block_transfer.line", "a High Needs savings line: " + ", ".join(fc.savings), tr.line)


def _check_cip(cip: CipFile, years: tuple[str, ...], problems: Problems) -> None:
    lo, hi = go_live_range(years)
    for code, p in cip.properties.items():
        where = f"properties.{code}"
        for part in p.saving_occupancy_sensitive:
            if part not in p.saving_parts:
                problems.add(f"{where}.saving_occupancy_sensitive", "names of saving_parts", part)
        if sum(p.saving_parts.values()) < 0:
            problems.add(
                f"{where}.saving_parts",
                "parts summing to a saving >= 0 (a saving may not become a cost)",
                sum(p.saving_parts.values()),
            )
        if not lo <= int(p.go_live[:4]) <= hi:
            problems.add(f"{where}.go_live", f"a month from {lo}-01 to {hi}-12 (near the horizon)", p.go_live)


def _check_capital(cap: Mapping[str, Any], years: tuple[str, ...], problems: Problems) -> None:
    for key, block in cap["programme"].get("blocks", {}).items():
        for i, scheme in enumerate(block.get("schemes", [])):
            if "values" in scheme:
                year_map(scheme["values"], years, problems, f"programme.blocks.{key}.schemes[{i}].values", sign=1)
    for i, res in enumerate(cap["resources"].get("rows", [])):
        year_map(res.get("values"), years, problems, f"resources.rows[{i}].values", sign=1)


def check_files(d: Path, raw: Mapping[str, dict[str, Any]], ef: EditionFile) -> None:
    """Check every file of an edition folder; raise one InputError with every problem."""
    years = tuple(ef.horizon.years)
    found: list[Problems] = []

    def checker(name: str) -> Problems:
        p = Problems(d / name)
        found.append(p)
        return p

    p = checker("growth_savings.toml")
    gs = _model(GrowthSavingsFile, raw["growth_savings.toml"], d / "growth_savings.toml", p)
    codes = {c: ln.kind for c, ln in gs.lines.items()} if gs else {}
    if gs:
        _check_lines(gs, ef, d / "growth_savings.toml", p)
    _check_edition_file(ef, codes, d / "edition.toml", checker("edition.toml"))
    p = checker("revenue.toml")
    rev = _model(RevenueFile, raw["revenue.toml"], d / "revenue.toml", p)
    if rev:
        year_map(rev.roll_forward.budget_transfers, years, p, "roll_forward.budget_transfers")
    p = checker("high_needs.toml")
    hn = _model(HighNeedsFile, raw["high_needs.toml"], d / "high_needs.toml", p)
    if hn:
        _check_high_needs(hn, years, p)
    p = checker("cip.toml")
    cip = _model(CipFile, raw["cip.toml"], d / "cip.toml", p)
    if cip:
        _check_cip(cip, years, p)
    p = checker("capital.toml")
    if _model(CapitalFile, raw["capital.toml"], d / "capital.toml", p):
        _check_capital(raw["capital.toml"], years, p)
    _model(GuaranteeFile, raw["guarantee.toml"], d / "guarantee.toml", checker("guarantee.toml"))
    everything = [x for pr in found for x in pr.found]
    if everything:
        raise InputError.many(everything)
