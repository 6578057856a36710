"""The auditor workbook's other sheets and its assembly (see :mod:`mtfs_model.brief.workbook`):
changes from the MTFS, capital, properties, risk, the first page's summary, inputs,
reconciliation, sources and scenarios; :func:`auditor_workbook` writes them all."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from mtfs_model.base import rows
from mtfs_model.base.cells import cell
from mtfs_model.brief.figures import CONTINGENCY_LEVELS, contingency
from mtfs_model.brief.findings import why
from mtfs_model.brief.html import footnotes
from mtfs_model.brief.labels import column_labels
from mtfs_model.brief.tables import (
    Brief,
    has_properties,
    paper_titles,
    risk_results,
    sheet_names,
    table,
)
from mtfs_model.brief.workbook import ORDER, Book, growth_and_savings, guarantee_sheets, high_needs_sheet, revenue
from mtfs_model.brief.xlsx import COUNT, EXACT, SHARE, Formula, Sheet, col, frame_sheet, to_bytes
from mtfs_model.engine import capital, guarantee, high_needs
from mtfs_model.engine.labels import row_labels
from mtfs_model.risk.percentiles import PERCENTILE_LABELS

RISK_PERCENTILES = tuple(f"P{q}" for q in (5, 10, 50, 80, 90, 95))
"""The net budget percentiles the Risk sheet shows (P80 added to the simulation's own)."""


def changes(k: Book) -> None:
    b, ed = k.b, k.b.edition
    s = Sheet(
        k.wb,
        "Change from MTFS",
        "Each scenario less the MTFS as published (£000)",
        "Every cell = the scenario's figure - the MTFS's (Revenue, Growth and savings, High Needs sheets).",
    )
    s.header(k.year_headers("Scenario", "Figure"), index_cols=2)
    figures = [
        ("Revenue", rows.NET_BUDGET, ed.label("revenue", rows.NET_BUDGET)),
        ("Growth and savings", "growth_total", "All growth lines"),
    ]
    figures += [
        ("Growth and savings", rows.programme_total(p.id), p.label or p.id) for p in ed.programmes if p.kind == "saving"
    ]
    figures += [
        ("Growth and savings", rows.TOTAL_SAVINGS, ed.line_label(rows.TOTAL_SAVINGS)),
        ("High Needs", high_needs.ANNUAL_GAP, ed.hn_label(high_needs.ANNUAL_GAP)),
        ("High Needs", high_needs.CUMULATIVE, ed.hn_label(high_needs.CUMULATIVE)),
    ]
    mtfs = b.names[0]
    for name in b.names[1:]:
        for sheet, rid, label in figures:
            k.block(
                s,
                name,
                rid,
                label,
                k.formulas(
                    "={x}-{y}",
                    x=lambda j, sh=sheet, r=rid, n=name: k.cell(sh, n, r, j),
                    y=lambda j, sh=sheet, r=rid: k.cell(sh, mtfs, r, j),
                ),
            )
        s.gap()
    s.finish()


def capital_sheet(k: Book) -> None:
    b, ed = k.b, k.b.edition
    r = b.baseline
    s = Sheet(
        k.wb,
        "Capital",
        "Capital programme and its funding (£000)",
        "Programme total = SUM of the blocks; resources available = SUM of the groups; the council's "
        "requirement = programme - resources; Total = SUM of the years.",
    )
    s.header(["Row", *(f"{y} (£000)" for y in k.years), "Total (£000)"], index_cols=1)
    n = len(k.years)
    last = col(1 + n)

    def put(label: str, values: list[Any], bold: bool = False) -> int:
        row = s.row
        return s.add([label, *values, Formula(f"=SUM(B{row}:{last}{row})")], bold=bold)

    prog = r.capital_programme
    names = {**row_labels(r, "capital_programme"), **row_labels(r, "capital_financing")}  # blocks by their labels
    blocks = [i for i in prog.index if i != capital.PROGRAMME_TOTAL]
    first = s.row
    for i in blocks:
        put(names.get(str(i), ed.label("capital", str(i))), [cell(prog, i, y) for y in k.years])
    total = put(
        ed.label("capital", capital.PROGRAMME_TOTAL),
        [Formula(f"=SUM({col(2 + j)}{first}:{col(2 + j)}{s.row - 1})") for j in range(n)],
        True,
    )
    fin = r.capital_financing
    groups = [i for i in fin.index if i not in (capital.AVAILABLE, capital.LCC, capital.PROGRAMME_FUNDING)]
    first = s.row
    for i in groups:
        put(names.get(str(i), ed.label("capital", str(i))), [cell(fin, i, y) for y in k.years])
    avail = put(
        ed.label("capital", capital.AVAILABLE),
        [Formula(f"=SUM({col(2 + j)}{first}:{col(2 + j)}{s.row - 1})") for j in range(n)],
        True,
    )
    put(
        ed.label("capital", capital.LCC), [Formula(f"={col(2 + j)}{total}-{col(2 + j)}{avail}") for j in range(n)], True
    )
    s.finish()


def risk_sheets(k: Book) -> None:
    b = k.b
    results = risk_results(b)
    if not results:
        return
    s = Sheet(
        k.wb,
        "Risk",
        f"Budget risk: {b.risk_n:,} simulated futures a scenario, seed {b.risk_seed} (£000)",
        "Percentiles of the simulated net budget and High Needs deficit (values from the simulation); "
        "gap to the MTFS = the net budget percentile - the MTFS's net budget (Revenue sheet).",
    )
    s.header(k.year_headers("Scenario", "Percentile"), index_cols=2)
    mtfs = b.names[0]
    for name, rr in zip(b.names, results, strict=True):
        # one partition a year's (contiguous) column for every percentile: numpy's values
        by_year = [
            np.percentile(rr.samples.net[:, j], [float(q[1:]) for q in RISK_PERCENTILES]) for j in range(len(k.years))
        ]
        net = {q: [float(v[i]) for v in by_year] for i, q in enumerate(RISK_PERCENTILES)}
        for q in RISK_PERCENTILES:
            k.block(s, name, f"net_{q}", f"Net budget, {q}", list(net[q]))
        m = k.block(
            s,
            name,
            "mtfs",
            "MTFS net budget (as published)",
            k.formulas("={x}", x=lambda j: k.cell("Revenue", mtfs, rows.NET_BUDGET, j)),
        )
        for q in RISK_PERCENTILES:
            k.block(
                s,
                name,
                f"gap_{q}",
                f"Gap to the MTFS, {q}",
                k.formulas("={c}{a}-{c}{z}", a=k.at[("Risk", name, f"net_{q}")], z=m),
                bold=q == "P90",
            )
        for q in PERCENTILE_LABELS:
            k.block(s, name, f"hn_{q}", f"High Needs deficit, {q}", [cell(rr.hn_deficit, q, y) for y in k.years])
        s.gap()
    s.finish()
    labels = column_labels(b.edition)
    sm = Sheet(
        k.wb,
        "Risk summary",
        f"Budget risk by scenario, {b.edition.final_year}",
        "Chances and contingencies from the simulation's per-trajectory figures; the P90 gap links to the Risk sheet.",
    )
    keys = ["above_pct", "guarantee_binds_pct", "gap_p90", "contingency_p80", "contingency_p90"]
    sm.header(
        ["Scenario", *(labels[x] for x in keys)],
        formats={labels["above_pct"]: SHARE, labels["guarantee_binds_pct"]: SHARE},
    )
    final = len(k.years) - 1
    for name, rr in zip(b.names, results, strict=True):
        binds = rr.p_guarantee_binds if rr.p_guarantee_binds is not None else "no guarantee"
        r_ = sm.add(
            [
                name,
                rr.p_exceeds_mtfs,
                binds,
                Formula("=" + k.cell("Risk", name, "gap_P90", final)),
                *(contingency(rr, q) for q in CONTINGENCY_LEVELS),
            ]
        )
        k.at[("Risk summary", name, "row")] = r_
    sm.finish()
    views = table(b, "Risk views")
    if not views.empty:
        frame_sheet(k.wb, "Risk views", views, labels, f"The MTFS as published, two views, {b.edition.final_year}",
                    "As the paper assumes: every input centred on the published figures; evidence-adjusted (the "
                    "default): the reference class's multipliers drawn too (README, Risk from evidence).")  # fmt: skip
    if "Guarantee worth" in sheet_names(b):
        worth = table(b, "Guarantee worth")
        if not worth.empty:
            frame_sheet(k.wb, "Guarantee worth", worth, labels, "What the guarantee is worth to the MTFS as published",
                        "The same draws with the guarantee honoured and with the partner failing; the fee is not "
                        "modelled (the papers print neither fee nor cap).")  # fmt: skip


def summary_sheet(k: Book) -> None:
    b, ed = k.b, k.b.edition
    final, n = len(k.years) - 1, len(k.years)
    labels = column_labels(ed)
    risk = bool(risk_results(b))
    s = Sheet(
        k.wb,
        "Summary",
        f"{b.title}: the answer in figures ({ed.final_year}, £000)",
        "Each figure links to its sheet; above the MTFS = net - MTFS; cost to the council = the gap summed "
        "over the years - what the guarantee's partner bears.",
    )
    heads = [
        "Scenario",
        f"Net budget {ed.final_year} (£000)",
        f"MTFS net budget {ed.final_year} (£000)",
        labels["above_final"],
        f"Gap to the MTFS over {n} years (£000)",
        f"Partner bears over {n} years (£000)",
        labels["council_horizon"],
        labels["hn_final"],
    ]
    if risk:
        heads += [labels[x] for x in ("above_pct", "gap_p90", "contingency_p80", "contingency_p90")]
    s.header(heads, formats={labels["above_pct"]: SHARE} if risk else {})
    first, last = col(k.yc(0)), col(k.yc(final))
    for name in b.names:
        r_ = s.row
        gap_row = k.at[("Revenue", name, "gap")]
        partner: Any = 0.0
        if b.terms is not None:
            prow = k.at[("Guarantee by year", name, guarantee.PARTNER)]
            partner = Formula(f"=SUM('Guarantee by year'!{first}{prow}:{last}{prow})")
        values: list[Any] = [
            name,
            Formula("=" + k.cell("Revenue", name, rows.NET_BUDGET, final)),
            Formula("=" + k.cell("Revenue", name, "mtfs", final)),
            Formula(f"=B{r_}-C{r_}"),
            Formula(f"=SUM(Revenue!{first}{gap_row}:{last}{gap_row})"),
            partner,
            Formula(f"=E{r_}-F{r_}"),
            Formula("=" + k.cell("High Needs", name, high_needs.CUMULATIVE, final)),
        ]
        if risk:
            rr_ = k.at[("Risk summary", name, "row")]
            values += [Formula(f"='Risk summary'!{c}{rr_}") for c in ("B", "D", "E", "F")]
        s.add(values, bold=name == b.names[0])
    s.finish()


def inputs_sheet(k: Book) -> None:
    b = k.b
    labels = column_labels(b.edition)
    frame_sheet(
        k.wb,
        "Inputs",
        table(b, "Inputs"),
        labels,
        "What each scenario changes",
        "Each setting's value in the MTFS as published and in the scenario, with the scenario's reference.",
    )


def findings_sheet(k: Book) -> None:
    b = k.b
    f = table(b, "Reconciliation findings")
    s = Sheet(
        k.wb,
        "Reconciliation findings",
        "The papers' checks that are not exact, worst first",
        "£000 unless the table says £; printed - derived is a formula; the tolerance is half a printed unit "
        "for each rounded figure; a misprint shows the figure as printed.",
    )
    heads = [
        "Finding",
        "Table",
        "Row",
        "Column",
        "Printed (£000 or £)",
        "Derived from the parts (£000 or £)",
        "Printed - derived (£000 or £)",
        "Tolerance (£000 or £)",
        "Severity",
        "Why they differ",
        "Check",
        "Source",
    ]
    s.header(heads, formats={h: EXACT for h in heads[4:8]} | {"Finding": COUNT})
    for i, row in zip(f.index, f.itertuples(index=False), strict=True):
        r_ = s.row
        s.add(
            [
                int(i),
                row.table,
                row.row,
                row.column,
                row.actual,
                row.expected,
                Formula(f"=E{r_}-F{r_}"),
                row.tolerance,
                row.severity,
                _why(row),
                row.check,
                row.source,
            ]
        )
    s.finish()


ROUNDING_WHY = "Within the papers' rounding: no more than half a printed unit apart for each rounded figure."
NOTE_WHY = "A note, not a disagreement (the check says what to look at)."


def _why(row: Any) -> str:
    """Why a finding's printed and derived figures differ, in a sentence (the brief's words
    for a disagreement; a rounding difference or a note said as such)."""
    if row.severity == "rounding":
        return ROUNDING_WHY
    if row.severity != "disagreement":
        return NOTE_WHY
    printed_as = row.printed_as if isinstance(row.printed_as, str) else ""
    return why(str(row.check), str(row.table), printed_as, float(row.expected), float(row.actual))


def sources_sheet(k: Book) -> None:
    b = k.b
    docs = b.edition.sources.get("documents", {})
    s = Sheet(
        k.wb,
        "Sources",
        "Where the figures come from",
        "Each source: the paper (sources.toml), the place in it and a phrase to search for.",
    )
    s.header(["What", "Paper", "Place", "Phrase to search for", "Publisher"])
    for _key, what, src in footnotes(b):
        doc = docs.get(src.get("doc", ""), {})
        s.add(
            [
                what,
                doc.get("title", src.get("doc", "")),
                src.get("ref", ""),
                src.get("grep", ""),
                doc.get("publisher", ""),
            ]
        )
    s.finish()


def small_sheets(k: Book) -> None:
    b = k.b
    labels = column_labels(b.edition)
    scen = table(b, "Scenarios").drop(columns=["changes"])
    frame_sheet(
        k.wb, "Scenarios", scen, labels, "The scenarios", "What each asks; its settings are on the Inputs sheet."
    )
    frame_sheet(k.wb, "Reconciliation", table(b, "Reconciliation"), labels, "Checks by scenario (count)")
    if has_properties(b.baseline):
        frame_sheet(k.wb, "Properties", table(b, "Properties"), labels, "Properties by scenario (£000)")
        cip = b.baseline.cip
        app = cip.loc[:, [c for c in cip.columns if c in _APPRAISAL]]
        if "name" in cip.columns:
            app = app.rename(index=dict(zip(cip.index, cip["name"], strict=True))).rename_axis("Property")
        frame_sheet(
            k.wb,
            "Property appraisal",
            app,
            {**labels, **_APPRAISAL},
            "Property appraisal, MTFS as published",
            "Money in £000; occupancy and the internal rate of return as percentages; paybacks in years; "
            "go-live as a month.",
        )


_APPRAISAL = {
    "capital_cost": "Capital cost (£000)",
    "net_investment": "Net investment (£000)",
    "annual_saving": "Annual saving (£000)",
    "occupancy": "Occupancy (%)",
    "go_live": "Go-live (month)",
    "simple_payback_gross": "Simple payback, gross (years)",
    "simple_payback_net": "Simple payback, net (years)",
    "discounted_payback": "Discounted payback (years)",
    "npv": "Net present value (£000)",
    "irr": "Internal rate of return (%)",
}


def auditor_workbook(b: Brief) -> bytes:
    """The auditor workbook's bytes (see :mod:`mtfs_model.brief.workbook`)."""
    k = Book(b)
    growth_and_savings(k)
    revenue(k)
    high_needs_sheet(k)
    guarantee_sheets(k)
    changes(k)
    capital_sheet(k)
    risk_sheets(k)
    summary_sheet(k)
    inputs_sheet(k)
    findings_sheet(k)
    sources_sheet(k)
    small_sheets(k)
    return to_bytes(k.wb, ORDER, created=run_date(b))


def run_date(b: Brief) -> dt.date:
    """The workbook's created date: the brief's date (``--date``), so the same brief
    gives the same bytes."""
    return dt.date.fromisoformat(b.run_date)


__all__ = ["auditor_workbook", "paper_titles"]
