"""Checks an edition's files against each other, reporting every problem at once.

The schema (:mod:`mtfs_model.edition.schema`) checks each file alone; here the files
meet the horizon and each other: every year present and no other, signs as published
(costs positive, savings and funding negative), each line's programme declared with the
same kind, driver models registered with their parameters, links naming real parts, the
derived rows labelled, every ``source`` naming a paper of ``sources.toml``, every row
naming an Appendix A id or column, a capital summary naming a block, a property's driver
naming a saving part, CIP go-live dates near the horizon and property savings that can
never turn into a cost.  Each problem names the file and key of the reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from mtfs_model.base import rows
from mtfs_model.base.errors import Problem, Problems
from mtfs_model.base.schema_types import MAX_GBP000
from mtfs_model.base.years import fy_start
from mtfs_model.edition import drivers as driver_models
from mtfs_model.edition.capital_schema import CapitalFile, CipFile
from mtfs_model.edition.declared import DATA_ROOTS, Declared, reference_problems
from mtfs_model.edition.paths import table_columns, table_rows
from mtfs_model.edition.schema import (
    EditionFile,
    GrowthSavingsFile,
    GuaranteeFile,
    HighNeedsFile,
    RevenueFile,
    SourcesFile,
)

GO_LIVE_MARGIN_YEARS = 5
"""A property may go live up to this many years either side of the horizon."""
TOTAL = "Total"
"""The key of a printed row's total column."""
REQUIRED_ROWS = {
    "revenue": rows.REVENUE_ROWS,
    "lines": (rows.TOTAL_SAVINGS, rows.NET_GROWTH),
    "high_needs": rows.HN_DERIVED_ROWS,
    "capital": ("programme_total", "available", "lcc_requirement", "programme_funding"),
}
ROLL_FORWARD_KEYS = {"original_prior_year_budget": rows.PRIOR_YEAR_BUDGET, "budget_transfers": rows.TRANSFERS}
"""Keys of ``revenue.toml``'s printed roll-forward that differ from the revenue table's row ids."""
HIGH_NEEDS_KEYS = {"funding_gap_pre_savings": rows.HN_GAP_PRE_SAVINGS}
"""Keys of ``high_needs.toml``'s printed rows that differ from the High Needs table's row ids."""
HIGH_NEEDS_DERIVED = REQUIRED_ROWS["high_needs"]
PROGRAMME_DERIVED = ("programme_total",)
FINANCING_DERIVED = ("available", "lcc_requirement", "programme_funding")


def _listing(names: Iterable[str], most: int = 12) -> str:
    names = list(names)
    return ", ".join(names[:most]) + (", ..." if len(names) > most else "")


def year_map(
    value: Any,
    years: tuple[str, ...],
    problems: Problems,
    key: str,
    sign: int = 0,
    extra: tuple[str, ...] = (),
) -> None:
    """Check a ``{year: GBP000}`` table: exactly the horizon's years (plus ``extra``, such
    as ``Total``), finite, bounded, and of the sign asked (+1 a cost >= 0, -1 a saving or
    funding <= 0)."""
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


def printed_row(value: Mapping[str, float], years: tuple[str, ...], problems: Problems, key: str) -> None:
    """A row of printed figures: every year of the horizon, and optionally its ``Total``."""
    year_map(value, years, problems, key, extra=(TOTAL,))


def go_live_range(years: tuple[str, ...]) -> tuple[int, int]:
    """The first and last calendar year a property may go live in: the horizon widened by
    :data:`GO_LIVE_MARGIN_YEARS` either side (for editions and scenarios alike)."""
    return fy_start(years[0]) - GO_LIVE_MARGIN_YEARS, fy_start(years[-1]) + 1 + GO_LIVE_MARGIN_YEARS


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


def _unique(items: Iterable[str], problems: Problems, key: str, what: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item in seen:
            problems.add(f"{key}[{i}]", f"each {what} once", item)
        seen.add(item)


# --- sources -------------------------------------------------------------------------


def sources_in(node: Any, key: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every ``source`` (or ``*_source``) table in a parsed file, with its dotted key."""
    if isinstance(node, Mapping):
        for k, v in node.items():
            where = f"{key}.{k}" if key else str(k)
            if (k == "source" or str(k).endswith("_source")) and isinstance(v, Mapping):
                yield where, v
            else:
                yield from sources_in(v, where)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from sources_in(v, f"{key}[{i}]")


def check_source_docs(data: Any, documents: Mapping[str, Any], problems: Problems) -> None:
    """Every source's ``doc`` names a paper of ``sources.toml``."""
    for where, src in sources_in(data):
        doc = src.get("doc")
        if doc is not None and (not isinstance(doc, str) or doc not in documents):
            problems.add(f"{where}.doc", "a document of sources.toml: " + _listing(documents), doc)


# --- one file each ----------------------------------------------------------------


def check_edition_file(ef: EditionFile, codes: Mapping[str, str], docs: Mapping[str, Any], problems: Problems) -> None:
    """Check ``edition.toml`` against the other files: unique programmes, links to lines that exist and are of the
    right kind, papers in ``sources.toml``."""
    _unique([p.id for p in ef.programmes], problems, "programmes", "programme id")
    links = ef.links
    if links.property_savings_line is not None and codes and codes.get(links.property_savings_line) != "saving":
        problems.add(
            "links.property_savings_line",
            "a savings line code: " + _listing(c for c, k in codes.items() if k == "saving"),
            links.property_savings_line,
        )
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
    if docs:
        for i, paper in enumerate(ef.edition.papers):
            if paper.doc not in docs:
                problems.add(f"edition.papers[{i}].doc", "a document of sources.toml: " + _listing(docs), paper.doc)


def check_lines(gs: GrowthSavingsFile, ef: EditionFile, problems: Problems) -> None:
    """Check ``growth_savings.toml``: every year of the horizon, signs (savings negative), programmes declared,
    printed totals naming lines."""
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
            check_drivers(line.drivers.model_dump(exclude_none=True), problems, f"{where}.drivers")
        if code.startswith("total:") or code in REQUIRED_ROWS["lines"]:
            problems.add(where, "a line code that is not a derived row id", code)
    for key, tot in gs.printed_totals.items():
        for i, part in enumerate(tot.parts):
            if part not in gs.lines:
                problems.add(f"printed_totals.{key}.parts[{i}]", "a line code: " + _listing(gs.lines), part)
        printed_row(tot.values, years, problems, f"printed_totals.{key}.values")


def check_revenue(
    rev: RevenueFile, years: tuple[str, ...], appendix: tuple[tuple[str, ...], tuple[str, ...]] | None, p: Problems
) -> None:
    """``appendix``: the ids and the columns of ``appendix_a.csv`` (None: no such file)."""
    rf = rev.roll_forward
    year_map(rf.budget_transfers, years, p, "roll_forward.budget_transfers")
    known = [*rows.REVENUE_ROWS, *ROLL_FORWARD_KEYS]
    for key, row in rf.printed.items():
        if ROLL_FORWARD_KEYS.get(key, key) not in rows.REVENUE_ROWS:
            p.add(f"roll_forward.printed.{key}", "a row of the roll-forward: " + ", ".join(known), key)
        printed_row(row, years, p, f"roll_forward.printed.{key}")
    spec = rev.appendix_a
    if spec is not None:
        _unique(spec.columns, p, "appendix_a.columns", "column")
        for i, ident in enumerate(spec.identities):
            for field, name in [("total", ident.total), *((f"parts[{j}]", c) for j, c in enumerate(ident.parts))]:
                if name not in spec.columns:
                    p.add(f"appendix_a.identities[{i}].{field}", "a column of appendix_a.columns", name)
        if appendix is None:
            p.add("appendix_a", "an appendix_a.csv file beside revenue.toml (or no [appendix_a] table)", show_got=False)
    elif appendix is not None:
        p.add("appendix_a", "an [appendix_a] table declaring the columns of appendix_a.csv", show_got=False)
    sa = rev.service_areas
    if sa is None:
        return
    if spec is None or appendix is None:
        p.add("service_areas", "an [appendix_a] table and appendix_a.csv the areas are derived from", show_got=False)
        return
    ids = appendix[0]
    if sa.column not in spec.columns:
        p.add("service_areas.column", "a money column of appendix_a.csv: " + _listing(spec.columns), sa.column)
    labels = [r.label for r in sa.rows]
    _unique(labels, p, "service_areas.rows", "label")
    total_label = sa.printed_total_label or TOTAL
    if total_label in labels:
        p.add("service_areas.printed_total_label", "a label other than the rows' labels", total_label)
    id_set = set(ids)
    for i, area in enumerate(sa.rows):
        for j, rid in enumerate(area.appendix_a):
            if rid not in id_set:
                p.add(f"service_areas.rows[{i}].appendix_a[{j}]", "a row id of appendix_a.csv", rid)


def check_high_needs(hn: HighNeedsFile, years: tuple[str, ...], problems: Problems) -> None:
    """Check ``high_needs.toml``: every year of the horizon, signs, keys unique across funding, expenditure and
    savings."""
    fc = hn.forecast
    seen: dict[str, str] = {}
    for group, sign in (("funding", -1), ("expenditure", 1), ("savings", -1)):
        for key, value in getattr(fc, group).items():
            year_map(value, years, problems, f"forecast.{group}.{key}", sign=sign)
            if key in seen:
                problems.add(f"forecast.{group}.{key}", f"a key not already used in forecast.{seen[key]}", key)
            elif key in HIGH_NEEDS_DERIVED:
                problems.add(f"forecast.{group}.{key}", "a key other than a derived row id", key)
            seen[key] = group
    for key in fc.brought_forward:
        if key in seen or key in HIGH_NEEDS_DERIVED:
            problems.add(f"forecast.brought_forward.{key}", "a key no other High Needs row uses", key)
        seen[key] = "brought_forward"
    for key in fc.labels:
        if key not in seen:
            problems.add(f"forecast.labels.{key}", "a High Needs line key: " + _listing(seen), key)
    for key, row in fc.printed.items():
        if HIGH_NEEDS_KEYS.get(key, key) not in HIGH_NEEDS_DERIVED:
            names = [*HIGH_NEEDS_DERIVED, *HIGH_NEEDS_KEYS]
            problems.add(f"forecast.printed.{key}", "a derived High Needs row: " + ", ".join(names), key)
        printed_row(row, years, problems, f"forecast.printed.{key}")
    tr = hn.schools_block_transfer
    if tr is not None:
        if tr.year not in years:
            problems.add("schools_block_transfer.year", "a year of the horizon: " + ", ".join(years), tr.year)
        if tr.line not in fc.savings:
            problems.add("schools_block_transfer.line", "a High Needs savings line: " + ", ".join(fc.savings), tr.line)


def check_capital(cap: CapitalFile, years: tuple[str, ...], problems: Problems) -> None:
    """Check ``capital.toml``: block ids, every year of the horizon, summaries naming blocks and resource groups."""
    blocks = cap.programme.blocks
    for key, block in blocks.items():
        where = f"programme.blocks.{key}"
        if key in PROGRAMME_DERIVED:
            problems.add(where, "a block id other than a derived row id", key)
        if block.printed or block.use_printed_years:
            printed_row(block.printed, years, problems, f"{where}.printed")
        for i, scheme in enumerate(block.schemes):
            if scheme.values is not None:
                year_map(scheme.values, years, problems, f"{where}.schemes[{i}].values", sign=1)
            elif not block.use_printed_years:
                problems.add(
                    f"{where}.schemes[{i}].values",
                    "the scheme's values by year (or use_printed_years = true on the block)",
                    show_got=False,
                )
    if cap.programme.printed_overall_total is not None:
        printed_row(
            cap.programme.printed_overall_total.values, years, problems, "programme.printed_overall_total.values"
        )
    if cap.summary is not None:
        s = cap.summary
        if s.total:
            printed_row(s.total, years, problems, "summary.total")
        for i, row in enumerate(s.rows):
            if row.block not in blocks:
                problems.add(f"summary.rows[{i}].block", "a block of programme.blocks: " + _listing(blocks), row.block)
            printed_row(row.values, years, problems, f"summary.rows[{i}].values")
            for col in s.total:
                if col not in row.values:
                    problems.add(f"summary.rows[{i}].values.{col}", "every column summary.total has", show_got=False)
    groups = []
    for i, res in enumerate(cap.resources.rows):
        year_map(res.values, years, problems, f"resources.rows[{i}].values", sign=1)
        if res.group in FINANCING_DERIVED:
            problems.add(f"resources.rows[{i}].group", "a group id other than a derived row id", res.group)
        groups.append(res.group)
    for key in ("printed_total", "printed_net_funding_required"):
        value = getattr(cap.resources, key)
        if value:
            printed_row(value, years, problems, f"resources.{key}")
    rs = cap.resources_summary
    if rs is not None:
        for i, srow in enumerate(rs.rows):
            if srow.group not in groups:
                problems.add(
                    f"resources_summary.rows[{i}].group",
                    "a group of resources.rows: " + _listing(dict.fromkeys(groups)),
                    srow.group,
                )
            printed_row(srow.values, years, problems, f"resources_summary.rows[{i}].values")
        for key in ("total_available", "lcc_requirement", "total_funding"):
            value = getattr(rs, key)
            if value:
                printed_row(value, years, problems, f"resources_summary.{key}")


def check_cip(cip: CipFile, years: tuple[str, ...], problems: Problems) -> None:
    """Check ``cip.toml``: parts named by the occupancy-sensitive list and drivers, go-live months in range."""
    lo, hi = go_live_range(years)
    for code, p in cip.properties.items():
        where = f"properties.{code}"
        for i, part in enumerate(p.saving_occupancy_sensitive):
            if part not in p.saving_parts:
                problems.add(f"{where}.saving_occupancy_sensitive[{i}]", "a key of saving_parts", part)
        for i, part in enumerate(p.capital_cash_parts or ()):
            if part not in p.capital_parts:
                problems.add(f"{where}.capital_cash_parts[{i}]", "a key of capital_parts", part)
        if p.saving_parts and sum(p.saving_parts.values()) <= 0:
            problems.add(
                f"{where}.saving_parts",
                "parts summing to a saving above 0 (a saving may not become a cost; "
                "leave saving_parts empty if none is printed)",
                sum(p.saving_parts.values()),
            )
        if not lo <= int(p.go_live[:4]) <= hi:
            problems.add(f"{where}.go_live", f"a month from {lo}-01 to {hi}-12 (near the horizon)", p.go_live)
        if p.driver is not None:
            if p.driver.part not in p.saving_parts:
                problems.add(
                    f"{where}.driver.part", "a key of saving_parts: " + _listing(p.saving_parts), p.driver.part
                )
            if p.weekly_differential_gbp is None:
                problems.add(f"{where}.weekly_differential_gbp", "the weekly figure the driver uses", show_got=False)
        if p.stated_payback is not None and p.stated_payback.basis == "net" and not p.saving_parts:
            problems.add(f"{where}.stated_payback.basis", '"gross" (no saving is printed to pay back net)', "net")


def check_guarantee(g: GuaranteeFile, codes: Mapping[str, str], problems: Problems) -> None:
    """Check ``guarantee.toml``: estimate and stretch at or above the floor (GBP000), lines that exist."""
    if g.estimate is not None and g.estimate.benefit < g.guarantee.floor:
        problems.add("estimate.benefit", f"a benefit >= the floor ({g.guarantee.floor:,.0f})", g.estimate.benefit)
    least = g.estimate.benefit if g.estimate is not None else g.guarantee.floor
    if g.stretch is not None and g.stretch.benefit < least:
        problems.add("stretch.benefit", f"a benefit >= {least:,.0f} (the estimate or floor)", g.stretch.benefit)
    if g.mtfs is not None and codes:
        for i, code in enumerate(g.mtfs.lines):
            if code not in codes:
                problems.add(f"mtfs.lines[{i}]", "a line code of growth_savings.toml: " + _listing(codes), code)


def documents_of(sources: SourcesFile | None) -> dict[str, Any]:
    """The documents of ``sources.toml`` by key (none when the file is missing)."""
    return dict(sources.documents) if sources is not None else {}


# --- the whole edition ----------------------------------------------------------------


def check_edition(
    folder: Path,
    raw: Mapping[str, Any],
    models: Mapping[str, Any],
    appendix: pd.DataFrame | None,
    declared: Declared,
) -> list[Problem]:
    """Every problem between an edition's files (``raw``: file name -> parsed TOML;
    ``models``: file name -> its validated model, for the files that validated;
    ``appendix``: ``appendix_a.csv`` as read, None if absent or unreadable)."""
    ef: EditionFile | None = models.get("edition.toml")
    if ef is None:
        return []
    years = tuple(ef.horizon.years)
    found: dict[str, Problems] = {}

    def at(name: str) -> Problems:
        return found.setdefault(name, Problems(folder / name))

    gs: GrowthSavingsFile | None = models.get("growth_savings.toml")
    rev: RevenueFile | None = models.get("revenue.toml")
    hn: HighNeedsFile | None = models.get("high_needs.toml")
    cap: CapitalFile | None = models.get("capital.toml")
    cip: CipFile | None = models.get("cip.toml")
    guarantee: GuaranteeFile | None = models.get("guarantee.toml")
    sources: SourcesFile | None = models.get("sources.toml")
    codes = {c: ln.kind for c, ln in gs.lines.items()} if gs else {}
    docs = documents_of(sources)
    check_edition_file(ef, codes, docs, at("edition.toml"))
    if gs:
        check_lines(gs, ef, at("growth_savings.toml"))
    if rev:
        shape = None if appendix is None else (tuple(map(str, appendix.index)), tuple(map(str, appendix.columns)))
        check_revenue(rev, years, shape, at("revenue.toml"))
    if hn:
        check_high_needs(hn, years, at("high_needs.toml"))
    if cap:
        check_capital(cap, years, at("capital.toml"))
    if cip:
        check_cip(cip, years, at("cip.toml"))
    if guarantee:
        check_guarantee(guarantee, codes, at("guarantee.toml"))
    if docs:
        for name, data in raw.items():
            check_source_docs(data, docs, at(name))
    problems = [p for pr in found.values() for p in pr.found]
    parts = (gs, rev, hn, cap, cip)
    if declared and all(m is not None for m in parts):
        assert gs and rev and hn and cap and cip
        fc = hn.forecast
        areas = rev.service_areas
        rows_of = table_rows(
            lines=list(gs.lines),
            programmes=[p.id for p in ef.programmes],
            high_needs=[*fc.funding, *fc.expenditure, *fc.savings, *fc.brought_forward],
            service_areas=[*(r.label for r in areas.rows), areas.printed_total_label or TOTAL]
            if areas and appendix is not None
            else [],
            blocks=list(cap.programme.blocks),
            groups=[r.group for r in cap.resources.rows],
            properties=list(cip.properties),
            appendix_a=[] if appendix is None else [str(i) for i in appendix.index],
        )
        roots = {root: raw.get(f"{root}.toml", {}) for root in DATA_ROOTS}
        driver_lines = [c for c, ln in gs.lines.items() if ln.drivers is not None]
        spec = rev.appendix_a
        columns_of = table_columns(years, [] if appendix is None or spec is None else spec.columns)
        problems += reference_problems(folder, declared, roots, years, rows_of, columns_of, driver_lines)
    return problems
