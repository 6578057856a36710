"""The workbook's sheets: which part of which edition file each shows, and how.

:data:`LAYOUT` is the template, in the order the sheets appear; every key of a file no
sheet claims goes to the file's home sheet (the last :class:`Listing` of the file, or a
sheet named after the file), so every value has exactly one cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mtfs_model.edition.folder import OPTIONAL_FILES, REQUIRED_FILES
from mtfs_model.edition.workbook.layout import Path_


@dataclass(frozen=True)
class Grid:
    """One row per item of a collection.

    ``at`` is the collection's path in ``file`` (``*`` matches any table key: one key
    column each); a table's items get a key column headed ``key``, a list's are in order.
    ``where``: instead, every table under ``at`` holding that key is an item, named by its
    path.  ``only`` / ``exclude``: the sub-keys an item shows here (prefixes).
    """

    sheet: str
    file: str
    at: Path_
    key: str | None = None
    wild: tuple[str, ...] = ()
    where: str | None = None
    only: tuple[Path_, ...] = ()
    exclude: tuple[Path_, ...] = ()
    title: str = ""
    note: str = ""
    lists: Mapping[str, str] = field(default_factory=dict)
    """Column field -> ``Sheet`` whose key column lists the codes it may hold."""
    unit: str = ""
    """The unit of the sheet's figures by year, named in an error (``a number in £000``)."""

    @property
    def key_headers(self) -> tuple[str, ...]:
        """The headers of the columns that identify a row (the wildcard keys, then the key)."""
        keys = tuple(self.wild)
        if self.where is not None:
            return (*keys, "key")
        return (*keys, self.key) if self.key else keys


@dataclass(frozen=True)
class Listing:
    """One row per key of ``file`` under ``at`` (``only`` / ``exclude`` prefixes)."""

    sheet: str
    file: str
    at: Path_ = ()
    only: tuple[Path_, ...] = ()
    exclude: tuple[Path_, ...] = ()
    title: str = ""
    note: str = ""
    unit: str = ""


Sheet = Grid | Listing

SIGN = "Savings and funding are negative, costs and growth positive, as the papers print them."
SRC = "source: doc (a document on the Sources sheet), ref (paragraph or appendix), grep (a phrase to find in it)."

LAYOUT: tuple[Sheet, ...] = (
    Listing(
        "Edition",
        "edition.toml",
        exclude=(("programmes",),),
        title="The edition: id, title, papers, horizon, links between parts, printed row labels",
        note="horizon.years[] is the MTFS years, in order; base_year the year before the first.",
    ),
    Grid(
        "Programmes",
        "edition.toml",
        ("programmes",),
        title="Programmes, in the papers' order",
        note="kind: growth or saving; label: the subtotal row as printed; short: chart label.",
    ),
    Grid(
        "Growth",
        "growth_savings.toml",
        ("lines",),
        key="code",
        exclude=(("narrative",), ("drivers",)),
        unit="£000",
        title="Growth and savings lines: cumulative £000 by year",
        note=f"Cumulative £000 by year (each year's figure includes the years before). {SIGN} {SRC}",
        lists={"programme": "Programmes", "doc": "Sources"},
    ),
    Grid(
        "Narratives",
        "growth_savings.toml",
        ("lines",),
        key="code",
        only=(("narrative",),),
        title="The papers' narrative for each line (£000)",
        note="The sentence that states a line's figures, and the figures it states.",
        lists={"code": "Growth", "doc": "Sources"},
    ),
    Listing(
        "Drivers",
        "growth_savings.toml",
        ("lines",),
        only=(("*", "drivers"),),
        title="Driver models of growth lines",
        note="One driver figure a row, in the unit its key names (gbp_week: £ a week; gbp000: £000).",
    ),
    Grid(
        "Printed totals",
        "growth_savings.toml",
        ("printed_totals",),
        key="key",
        unit="£000",
        title="Appendix B totals as printed (£000): read only by the reconciler",
        note=f"parts[]: the line codes the total adds up. {SRC}",
        lists={"doc": "Sources"},
    ),
    Listing(
        "Revenue",
        "revenue.toml",
        exclude=(("service_areas", "rows"),),
        unit="£000",
        title="Revenue: opening budget, transfers, printed roll-forward (£000)",
        note="original_prior_year_budget and budget_transfers feed the engine; printed rows are reconciled.",
    ),
    Grid(
        "Service areas",
        "revenue.toml",
        ("service_areas", "rows"),
        title="Net budget by service area (£000)",
        note="appendix_a[]: the Appendix A rows each area corresponds to.",
    ),
    Listing(
        "High Needs",
        "high_needs.toml",
        unit="£000",
        title="Dedicated Schools Grant and the High Needs forecast (£000 unless a key says otherwise)",
        note=f"forecast.funding / expenditure / savings lines feed the engine. {SIGN}",
    ),
    Listing(
        "Capital",
        "capital.toml",
        exclude=(
            ("programme", "blocks", "*", "schemes"),
            ("resources", "rows"),
            ("summary", "rows"),
            ("resources_summary", "rows"),
        ),
        unit="£000",
        title="Capital programme blocks, printed totals and summaries (£000)",
        note="The scheme and resource lines are on their own sheets.",
    ),
    Grid(
        "Capital schemes",
        "capital.toml",
        ("programme", "blocks", "*", "schemes"),
        wild=("block",),
        unit="£000",
        title="Capital programme schemes by block (£000)",
        note="values: by year; total: the scheme total as printed.",
    ),
    Grid(
        "Capital resources",
        "capital.toml",
        ("resources", "rows"),
        unit="£000",
        title="Capital resources (£000)",
        note="group: grants, s106 or receipts; inferred: a year not printed, with its note.",
    ),
    Grid(
        "Capital summaries",
        "capital.toml",
        ("summary", "rows"),
        unit="£000",
        title="Capital programme summary as printed (£000)",
    ),
    Grid(
        "Resources summary",
        "capital.toml",
        ("resources_summary", "rows"),
        unit="£000",
        title="Capital resources summary as printed (£000)",
    ),
    Listing(
        "Appraisal",
        "cip.toml",
        ("defaults",),
        title="Residential properties: appraisal defaults",
        note="discount_rate and life_years for NPV and discounted payback; the capital envelope (£000).",
    ),
    Grid(
        "Properties",
        "cip.toml",
        ("properties",),
        key="property",
        exclude=(("capital_parts",), ("saving_parts",)),
        title="Residential properties: places, occupancy, values, go-live, stated paybacks",
        note=f"£000 unless a key says otherwise (gbp: £). {SRC}",
        lists={"doc": "Sources"},
    ),
    Listing(
        "Property parts",
        "cip.toml",
        title="Residential properties: capital and saving parts (£000)",
        note="properties.<id>.capital_parts / saving_parts: one part a row.",
    ),
    Listing("Guarantee", "guarantee.toml", title="The transformation partner's guarantee (£000)"),
    Grid(
        "Risk",
        "risk.toml",
        (),
        where="p50",
        title="Budget risk inputs: multipliers of the scenario's figure",
        note="P10 / P50 / P90 multipliers; shape normal or lognormal; evolution level, walk or independent.",
        lists={"doc": "Sources"},
    ),
    Grid(
        "Correlations",
        "risk.toml",
        ("correlation",),
        title="Correlations between risk inputs (Gaussian copula)",
        note="between[]: two input keys from the Risk sheet; rho in [-1, 1].",
        lists={"doc": "Sources"},
    ),
    Listing("Risk settings", "risk.toml", title="Budget risk: settings"),
    Grid(
        "Headlines",
        "headlines.toml",
        ("headline",),
        title="Headline sentences the reconciler checks",
        note="value: the figure as printed, to precision; computed: the engine figure it states.",
        lists={"doc": "Sources"},
    ),
    Grid(
        "Checks",
        "checks.toml",
        ("check",),
        title="Further reconciler checks",
        note="kind: sum_of_parts, equals, within_printed_precision, driver_implied (README: Checks as data).",
        lists={"doc": "Sources"},
    ),
    Grid(
        "Outturns",
        "outturns.toml",
        ("outturn",),
        title="Outturns and re-forecasts: what happened, and when it was known",
        note="figure: an engine cell (table, row, year) or a key (lines.<code>...); kind: outturn or reforecast.",
    ),
    Grid(
        "Outturn sources",
        "outturns.toml",
        ("documents",),
        key="doc",
        title="The papers the outturns are read from",
    ),
    Grid(
        "Sources",
        "sources.toml",
        ("documents",),
        key="doc",
        title="The papers every figure is transcribed from",
        note="doc: the key every source.doc names.",
    ),
)

CSV_SHEETS = {"appendix_a.csv": "Appendix A"}
TEXT_SHEETS = {"README.md": "Folder README"}
NOTES = "(file notes)"
"""Key of the files' header comments (file -> text) among an edition's files."""
NOTES_SHEET = "File notes"
COMMENTS = "(comments)"
"""Key of the comments inside the files (file -> key path -> text): cell notes in a book."""
FILE_ORDER = (*REQUIRED_FILES, *OPTIONAL_FILES, "outturns.toml")


def matches(path: Path_, pattern: Path_) -> bool:
    """``path`` starts with ``pattern`` (``*`` matching any one key)."""
    return len(path) >= len(pattern) and all(p == "*" or p == s for p, s in zip(pattern, path, strict=False))


def home_sheet(file: str) -> str:
    """The list sheet that takes a file's keys no other sheet shows."""
    for spec in reversed(LAYOUT):
        if isinstance(spec, Listing) and spec.file == file and not spec.only and spec.at == ():
            return spec.sheet
    return file


def sheets_of(file: str) -> list[Sheet]:
    """The sheets showing ``file``, in claiming order (the home sheet last)."""
    specs = [s for s in LAYOUT if s.file == file]
    home = home_sheet(file)
    if not any(s.sheet == home for s in specs):
        specs.append(Listing(home, file, title=f"{file}: every key"))
    return [s for s in specs if s.sheet != home] + [s for s in specs if s.sheet == home]


def sheet_rank(file: str) -> dict[str, int]:
    """The order a file's keys are written in: its sheets in the template's order (a sheet
    named after the file last), whatever order the sheets have in a book."""
    names = [s.sheet for s in LAYOUT if s.file == file]
    if home_sheet(file) not in names:
        names.append(home_sheet(file))
    return {name: i for i, name in enumerate(names)}
