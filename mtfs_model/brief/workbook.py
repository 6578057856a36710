"""The auditor workbook of a brief: every total and difference a live Excel formula.

Built from the brief's own results and simulations (:class:`~mtfs_model.brief.tables.Brief`),
so nothing is run twice.  Parts are typed values (GBP000 stored to the pound, the
engine's figures); every total is ``=SUM(...)`` over its parts, every difference
``=B5-C5``, every link to another sheet a reference, so an auditor can trace each figure
to its parts:

* **Growth and savings** (cumulative, £000): each line by scenario; a programme's total
  = SUM of its lines; total growth, total savings and net growth from the totals.
* **Revenue** (the roll-forward): prior-year budget (the previous year's net), transfers,
  growth and savings in the year (= the change in the cumulative totals), net budget =
  SUM of the four, the MTFS's net budget and the gap = net - MTFS.
* **High Needs**: total expenditure, gap before savings, total savings, annual gap and
  the cumulative deficit from their lines.
* **Guarantee levels / by year / summary**: delivered, gap, MAX against the floor, what
  the partner and the council bear, cumulative sums.
* **Change from MTFS**, **Capital**, **Risk** (gap percentiles = net percentile - MTFS),
  **Summary** (the brief's first page), **Inputs** (each scenario's settings), **Sources**
  (paper, place, phrase), **Reconciliation findings** (difference = printed - derived).

Every sheet: a title, a note, the unit in every header, ``#,##0``, print setup (A4, fit
to width, landscape where wide, the header row repeated).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mtfs_model.base import rows
from mtfs_model.base.cells import cell
from mtfs_model.brief.labels import column_labels
from mtfs_model.brief.tables import Brief
from mtfs_model.brief.xlsx import SHARE, Formula, Sheet, new_workbook, ref
from mtfs_model.engine import guarantee, high_needs
from mtfs_model.engine.run import Result

FIRST_YEAR_COL = 3
"""Year columns start at C: A the scenario, B the row."""
ORDER = (
    "Summary",
    "Inputs",
    "Revenue",
    "Growth and savings",
    "Change from MTFS",
    "Guarantee levels",
    "Guarantee summary",
    "Guarantee by year",
    "High Needs",
    "Capital",
    "Properties",
    "Property appraisal",
    "Risk",
    "Risk summary",
    "Risk views",
    "Guarantee worth",
    "Reconciliation",
    "Reconciliation findings",
    "Sources",
    "Scenarios",
)


class Book:
    """The workbook being written and where each figure is: ``at[(sheet, scenario, row id)]``."""

    def __init__(self, b: Brief) -> None:
        self.b = b
        self.wb = new_workbook()
        self.at: dict[tuple[str, str, str], int] = {}
        self.years = list(b.years)

    def yc(self, j: int) -> int:
        return FIRST_YEAR_COL + j

    def cell(self, sheet: str, name: str, row_id: str, j: int, here: str = "") -> str:
        """A reference to a figure written earlier (sheet-qualified unless on ``here``)."""
        return ref(self.at[(sheet, name, row_id)], self.yc(j), None if sheet == here else sheet)

    def year_headers(self, first: str, second: str) -> list[str]:
        return [first, second, *(f"{y} (£000)" for y in self.years)]

    def block(self, sheet: Sheet, name: str, row_id: str, label: str, values: Sequence[Any], bold: bool = False) -> int:
        r = sheet.add([name, label, *values], bold=bold)
        self.at[(sheet.name, name, row_id)] = r
        return r

    def formulas(self, template: str, **cells: Any) -> list[Formula]:
        """One formula a year: ``template`` with ``{c}`` the year's column letter, ``{p}``
        the previous year's, and ``cells`` formatted per year."""
        from mtfs_model.brief.xlsx import col

        out = []
        for j in range(len(self.years)):
            values = {k: v(j) if callable(v) else v for k, v in cells.items()}
            out.append(Formula(template.format(c=col(self.yc(j)), p=col(self.yc(j) - 1), j=j, **values)))
        return out


def _line_label(r: Result, code: str) -> str:
    title = str(r.line_info.loc[code, "title"]) if code in r.line_info.index else code
    return f"{title} ({code})"


def growth_and_savings(k: Book) -> None:
    b, ed = k.b, k.b.edition
    s = Sheet(
        k.wb,
        "Growth and savings",
        "Growth and savings by line, cumulative (£000)",
        "Lines as the engine derives them; each programme's total = SUM of its lines.",
    )
    s.header(k.year_headers("Scenario", "Line"), index_cols=2)
    for name, r in zip(b.names, b.all_results, strict=True):
        totals: dict[str, list[int]] = {"growth": [], "saving": []}
        for prog in ed.programmes:
            codes = ed.lines_of(prog.id)
            first = s.row
            for code in codes:
                k.block(s, name, code, _line_label(r, code), [cell(r.cumulative, code, y) for y in k.years])
            last = s.row - 1
            total = k.formulas("=SUM({c}{a}:{c}{z})", a=first, z=last) if codes else [0.0] * len(k.years)
            pid = rows.programme_total(prog.id)
            totals[prog.kind].append(k.block(s, name, pid, prog.label or f"Total {prog.short}", total, bold=True))
        for kind, rid, label in (
            ("growth", "growth_total", "All growth lines"),
            ("saving", rows.TOTAL_SAVINGS, ed.line_label(rows.TOTAL_SAVINGS)),
        ):
            parts = totals[kind]
            expr = "+".join(f"{{c}}{r_}" for r_ in parts) or "0"
            k.block(s, name, rid, label, k.formulas("=" + expr), bold=True)
        g, t = (
            k.at[("Growth and savings", name, "growth_total")],
            k.at[("Growth and savings", name, rows.TOTAL_SAVINGS)],
        )
        k.block(
            s, name, rows.NET_GROWTH, ed.line_label(rows.NET_GROWTH), k.formulas("={c}{a}+{c}{z}", a=g, z=t), bold=True
        )
        s.gap()
    s.finish()


def revenue(k: Book) -> None:
    b, ed = k.b, k.b.edition
    s = Sheet(
        k.wb,
        "Revenue",
        "Net budget roll-forward by scenario (£000)",
        "Net budget = prior-year budget + transfers + growth + savings; growth and savings in the year are "
        "the change in the cumulative totals (Growth and savings sheet); gap = net budget - the MTFS's.",
    )
    s.header(k.year_headers("Scenario", "Row"), index_cols=2)
    gs = "Growth and savings"
    mtfs = b.names[0]
    for name, r in zip(b.names, b.all_results, strict=True):
        first = s.row
        prior: list[Any] = [cell(r.revenue, rows.PRIOR_YEAR_BUDGET, k.years[0])]
        prior += k.formulas("={p}{a}", a=first + 4)[1:]
        label = "Prior-year budget (then last year's net)"  # the first year's is as published
        k.block(s, name, rows.PRIOR_YEAR_BUDGET, label, prior)
        k.block(
            s,
            name,
            rows.TRANSFERS,
            ed.label("revenue", rows.TRANSFERS),
            [cell(r.revenue, rows.TRANSFERS, y) for y in k.years],
        )
        for rid, src in ((rows.GROWTH, "growth_total"), (rows.SAVINGS, rows.TOTAL_SAVINGS)):
            now = k.formulas("={x}", x=lambda j, src=src, name=name: k.cell(gs, name, src, j))
            change = k.formulas(
                "={x}-{y}",
                x=lambda j, src=src, name=name: k.cell(gs, name, src, j),
                y=lambda j, src=src, name=name: k.cell(gs, name, src, max(j - 1, 0)),
            )
            k.block(s, name, rid, ed.label("revenue", rid) + " (in the year)", [now[0], *change[1:]])
        net = k.block(
            s,
            name,
            rows.NET_BUDGET,
            ed.label("revenue", rows.NET_BUDGET),
            k.formulas("=SUM({c}{a}:{c}{z})", a=first, z=first + 3),
            bold=True,
        )
        mrow = k.at[("Revenue", mtfs, rows.NET_BUDGET)]
        k.block(s, name, "mtfs", "MTFS net budget (as published)", k.formulas("={c}{a}", a=mrow))
        k.block(
            s,
            name,
            "gap",
            "Gap to the MTFS (net budget - MTFS)",
            k.formulas("={c}{a}-{c}{z}", a=net, z=net + 1),
            bold=True,
        )
        s.gap()
    s.finish()


def high_needs_sheet(k: Book) -> None:
    b, ed = k.b, k.b.edition
    s = Sheet(
        k.wb,
        "High Needs",
        "High Needs Block forecast by scenario (£000)",
        "Total expenditure = SUM of costs; gap before savings = funding + total expenditure; annual gap = gap "
        "before savings + total savings; cumulative deficit = last year's + deficits brought forward + the "
        "annual gap.",
    )
    s.header(k.year_headers("Scenario", "Row"), index_cols=2)
    for name, r in zip(b.names, b.all_results, strict=True):
        inp, hn = r.scenario.inputs, r.high_needs

        def put(rid: str, values: Sequence[Any], bold: bool = False, name: str = name) -> int:
            return k.block(s, name, rid, ed.hn_label(rid), values, bold)

        def lines(keys: Sequence[str], hn: Any = hn, put: Any = put) -> tuple[int, int]:
            first = s.row
            for key in keys:
                put(key, [cell(hn, key, y) for y in k.years])
            return first, s.row - 1

        f0, f1 = lines(list(inp.hn_funding))
        e0, e1 = lines(list(inp.hn_expenditure))
        tot = put(high_needs.TOTAL_EXPENDITURE, k.formulas("=SUM({c}{a}:{c}{z})", a=e0, z=e1), True)
        pre = put(high_needs.GAP_PRE_SAVINGS, k.formulas("=SUM({c}{a}:{c}{z})+{c}{t}", a=f0, z=f1, t=tot), True)
        s0, _ = lines(list(inp.hn_savings))
        s1 = put(high_needs.TRANSFER_REFUSED, [cell(hn, high_needs.TRANSFER_REFUSED, y) for y in k.years])
        sav = put(high_needs.TOTAL_SAVINGS, k.formulas("=SUM({c}{a}:{c}{z})", a=s0, z=s1), True)
        gap = put(high_needs.ANNUAL_GAP, k.formulas("={c}{a}+{c}{z}", a=pre, z=sav), True)
        b0, b1 = lines(high_needs.brought_forward_rows(inp))
        bf = "+SUM({c}{b0}:{c}{b1})" if b1 >= b0 else ""
        cum = s.row
        first = k.formulas("={c}{g}" + bf, g=gap, b0=b0, b1=b1)[:1]
        later = k.formulas("={p}{m}+{c}{g}" + bf, m=cum, g=gap, b0=b0, b1=b1)[1:]
        put(high_needs.CUMULATIVE, [*first, *later], True)
        s.gap()
    s.finish()


def guarantee_sheets(k: Book) -> None:
    b, t = k.b, k.b.terms
    if t is None:
        return
    ed, gs = b.edition, "Growth and savings"
    labels = guarantee.measure_labels(ed)
    pid = rows.programme_total(t.programme)
    mtfs = b.names[0]
    s = Sheet(
        k.wb,
        "Guarantee by year",
        f"The {t.partner} guarantee by scenario and year (£000, benefits positive)",
        "Delivered = - the programme's total; gap = MTFS - delivered; partner bears = MAX(floor - delivered, 0); "
        "council bears = MTFS - (delivered + partner); cumulative rows are running SUMs.",
    )
    s.header(k.year_headers("Scenario", "Measure"), index_cols=2)
    for name, r in zip(b.names, b.all_results, strict=True):
        g = guarantee.guarantee_table(r, t)

        def put(rid: str, values: Sequence[Any], bold: bool = False, name: str = name) -> int:
            return k.block(s, name, rid, labels[rid], values, bold)

        d = put(guarantee.DELIVERED, k.formulas("=-{x}", x=lambda j, name=name: k.cell(gs, name, pid, j)))
        a = put(guarantee.ASSUMED, k.formulas("=-{x}", x=lambda j: k.cell(gs, mtfs, pid, j)))
        gp = put(guarantee.GAP, k.formulas("={c}{a}-{c}{z}", a=a, z=d), True)
        f = put(guarantee.FLOOR, [cell(g, guarantee.FLOOR, y) for y in k.years])
        pt = s.row + 1
        put(guarantee.COUNTED, k.formulas("={c}{a}+{c}{z}", a=d, z=pt))
        put(guarantee.PARTNER, k.formulas("=MAX({c}{a}-{c}{z},0)", a=f, z=d))
        c = put(guarantee.COUNCIL, k.formulas("={c}{a}-{c}{z}", a=a, z=pt - 1), True)
        n = put(guarantee.NET, k.formulas("={x}", x=lambda j, name=name: k.cell("Revenue", name, rows.NET_BUDGET, j)))
        put(guarantee.NET_GUARANTEED, k.formulas("={c}{a}-{c}{z}", a=n, z=pt))
        first = col_letter(k.yc(0))
        put(guarantee.CUM_GAP, k.formulas("=SUM(${f}{a}:{c}{a})", f=first, a=gp))
        put(guarantee.CUM_COUNCIL, k.formulas("=SUM(${f}{a}:{c}{a})", f=first, a=c), True)
        if guarantee.FEE in g.index:
            fee = put(guarantee.FEE, [cell(g, guarantee.FEE, y) for y in k.years])
            put(guarantee.NET_OF_FEE, k.formulas("={c}{a}-{c}{z}", a=d, z=fee))
        s.gap()
    s.finish()
    final = len(k.years) - 1
    lv = Sheet(
        k.wb,
        "Guarantee levels",
        f"The printed levels against the MTFS ({t.final_year}, £000 a year)",
        "Floor, estimate and stretch as printed (see Sources); MTFS = - the programme's published total.",
    )
    lab = guarantee.level_labels(ed)
    lv.header(
        ["Level", f"Recurring by {t.final_year} (£000)", "MTFS minus this (£000)", "Share of the MTFS (%)"],
        formats={"Share of the MTFS (%)": SHARE},
    )
    mrow = lv.row + sum(1 for x in (t.floor, t.estimate, t.stretch) if x is not None)
    for key, value in (("floor", t.floor), ("estimate", t.estimate), ("stretch", t.stretch)):
        if value is not None:
            r_ = lv.row
            lv.add([lab[key], value, Formula(f"=B{mrow}-B{r_}"), Formula(f"=B{r_}/B{mrow}")])
    lv.add(
        [
            lab["mtfs"],
            Formula("=" + k.cell("Guarantee by year", mtfs, guarantee.ASSUMED, final)),
            Formula(f"=B{mrow}-B{mrow}"),
            Formula(f"=B{mrow}/B{mrow}"),
        ],
        bold=True,
    )
    lv.finish()
    cols = column_labels(ed)
    sm = Sheet(
        k.wb,
        "Guarantee summary",
        f"Each scenario against the {t.partner} guarantee (£000)",
        "Links to the Guarantee by year sheet; delivered % = delivered / MTFS.",
    )
    keys = list(guarantee.SUMMARY_COLUMNS)
    sm.header(["Scenario", *(cols[x] for x in keys)], formats={cols["delivered_pct"]: SHARE})
    where = {
        "delivered_final": guarantee.DELIVERED,
        "mtfs_final": guarantee.ASSUMED,
        "gap_final": guarantee.GAP,
        "partner_bears_final": guarantee.PARTNER,
        "council_bears_final": guarantee.COUNCIL,
        "net_budget_final": guarantee.NET,
        "gap_horizon": guarantee.CUM_GAP,
        "council_bears_horizon": guarantee.CUM_COUNCIL,
    }
    for name in b.names:
        r_ = sm.row
        values: list[Any] = [name]
        for x in keys:
            if x == "delivered_pct":
                values.append(Formula(f"=B{r_}/C{r_}"))
            else:
                values.append(Formula("=" + k.cell("Guarantee by year", name, where[x], final)))
        sm.add(values)
    sm.finish()


def col_letter(j: int) -> str:
    from mtfs_model.brief.xlsx import col

    return col(j)
