"""The HTML pieces of a scenario brief, one per notebook cell.

Every piece of text that comes from a scenario file (its name, description, changes and
references) or from the edition is HTML-escaped; a link is kept only if it is
``http(s)``.  Years, programmes, line codes, the partner and the printed labels all come
from the brief's edition.  A part the edition lacks (no guarantee, no properties) shrinks
to one line.
"""

from __future__ import annotations

import datetime as dt
import html
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__, charts, guarantee, risk_charts
from .brief_tables import (
    Brief,
    column_labels,
    has_properties,
    risk_results,
    table,
)
from .report import display_frame

BRIEF_NOTEBOOK = "scenario_brief.ipynb"
KERNEL_NAME = "python3"


def e(text: object) -> str:
    """HTML-escape anything (quotes included)."""
    return html.escape(str(text), quote=True)


def _m(x: float) -> str:
    """GBP000 as GBP millions to one decimal: 13,200 -> ``£13.2m``."""
    return f"£{x / 1000:,.1f}m"


# --- sources and footnote markers -----------------------------------------------------


def _source(table: Any) -> Mapping[str, Any] | None:
    src = table.get("source") if isinstance(table, Mapping) else None
    return src if isinstance(src, Mapping) and src else None


def footnotes(b: Brief) -> list[tuple[str, str, Mapping[str, Any]]]:
    """The brief's source footnotes in order: (key, what it sources, ``source`` table),
    only those the edition has."""
    if "footnotes" in b.cache:
        return list(b.cache["footnotes"])
    ed = b.edition
    lines = ed.growth_savings["lines"]
    growth = [c for c, ln in lines.items() if ln["kind"] == "growth"]
    saving = [c for c, ln in lines.items() if ln["kind"] == "saving"]
    codes = ", ".join(x for x in (guarantee.lines_text(growth), guarantee.lines_text(saving)) if x)
    props = ed.cip.get("properties", {})
    found: list[tuple[str, str, Mapping[str, Any] | None]] = [
        ("roll_forward", "Net budget roll-forward", _source(ed.revenue["roll_forward"])),
        ("lines", f"Growth and savings lines {codes}", _source(next(iter(lines.values())))),
    ]
    t = b.terms
    if t is not None:
        prog = ed.programme(t.programme)
        found += [
            (
                "mtfs_programme",
                f"What the MTFS books from the {prog.short or prog.id} programme",
                t.sources.get("mtfs"),
            ),
            ("guarantee", f"{t.partner} guarantee and fee cap", t.sources.get("guarantee")),
            ("estimate", "Estimate", t.sources.get("estimate")),
            ("stretch", "Stretch ambition", t.sources.get("stretch")),
            ("horizon", "Horizon of the estimate and stretch", t.sources.get("horizon")),
        ]
    found += [
        ("high_needs", "High Needs forecast", _source(ed.high_needs["forecast"])),
        ("transfer", "Schools Block transfer", _source(ed.high_needs.get("schools_block_transfer"))),
        ("properties", charts.properties_title(ed), _source(next(iter(props.values()), None))),
        ("capital", "Capital programme", _source(ed.capital["programme"])),
    ]
    b.cache["footnotes"] = [(k, what, src) for k, what, src in found if src]
    return list(b.cache["footnotes"])


def ref(b: Brief, *keys: str) -> str:
    """Footnote markers ``[n]`` for source keys (see :func:`footnotes`); a key the
    edition has no source for is left out."""
    order = [k for k, _, _ in footnotes(b)]
    return "".join(
        f'<sup><a href="#src-{order.index(k) + 1}">[{order.index(k) + 1}]</a></sup>' for k in keys if k in order
    )


# --- tables ---------------------------------------------------------------------------


def _row_cells(parts: tuple[Any, ...], i: int, keys: list[tuple[Any, ...]], levels: int) -> str:
    cells = ""
    for lvl, part in enumerate(parts):
        if levels > 1 and lvl == 0:
            if i > 0 and keys[i - 1][0] == part:
                continue
            span = sum(1 for k in keys if k[0] == part)
            cells += f'<th scope="rowgroup" rowspan="{span}" class="group">{e(part)}</th>'
        else:
            cells += f'<th scope="row">{e(part)}</th>'
    return cells


def html_table(
    df: pd.DataFrame,
    caption: str = "",
    *,
    caption_html: str = "",
    labels: Mapping[str, str] | None = None,
) -> str:
    """A DataFrame as an HTML table: figures with thousands separators (``_pct``
    columns as percentages), right-aligned; a two-level row index grouped with
    ``rowspan``.  ``labels`` maps column names to headers.  Every label and cell is
    escaped; ``caption_html`` is trusted markup (footnote markers) appended to the
    escaped ``caption``."""
    labels = dict(labels or {})
    shown = display_frame(df)
    numeric = {str(c) for c in df.select_dtypes("number").columns}
    names = [n or "" for n in df.index.names]
    head = "".join(f'<th scope="col">{e(n)}</th>' for n in names)
    head += "".join(
        f'<th scope="col" class="{"num" if str(c) in numeric else "text"}">{e(labels.get(str(c), c))}</th>'
        for c in df.columns
    )
    body = []
    keys: list[tuple[Any, ...]] = [k if isinstance(k, tuple) else (k,) for k in df.index]
    for i, (parts, row) in enumerate(zip(keys, shown.itertuples(index=False), strict=True)):
        cells = _row_cells(parts, i, keys, df.index.nlevels)
        for c, v in zip(df.columns, row, strict=True):
            cells += f'<td class="{"num" if str(c) in numeric else "text"}">{e(v)}</td>'
        body.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{e(caption)}{caption_html}</caption>" if caption or caption_html else ""
    table = f'<table class="figures">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    return f'<div class="table">{table}</div>'


def _table(b: Brief, df: pd.DataFrame, caption: str, **kw: Any) -> str:
    """:func:`html_table` with the edition's column headers."""
    labels = {**column_labels(b.edition), **kw.pop("labels", {})}
    return html_table(df, caption, labels=labels, **kw)


def _section(title: str, *parts: str) -> str:
    return f"<section><h2>{e(title)}</h2>{''.join(parts)}</section>"


# --- the pieces -----------------------------------------------------------------------


def _link(reference: Mapping[str, str]) -> str:
    title = e(reference.get("title", ""))
    href = str(reference.get("href", ""))
    if href.startswith(("https://", "http://")):
        return f'<a href="{e(href)}" rel="noopener noreferrer">{title}</a>'
    return title


def published(b: Brief) -> str:
    """When the edition's MTFS was published (its first paper's date), e.g. "19 January 2021"."""
    papers = b.edition.meta.get("papers") or []
    date = papers[0].get("date") if papers else None
    return f"{date.day} {date:%B %Y}" if isinstance(date, dt.date) else ""


def html_header(b: Brief) -> str:
    """Title, date and the scenarios in one line each."""
    names = ", ".join(e(r.scenario.name) for r in b.results) or "the MTFS as published only"
    when = f" ({e(published(b))})" if published(b) else ""
    return (
        f'<header class="brief"><h1>{e(b.title)}</h1>'
        f'<p class="meta">Date: <time datetime="{e(b.run_date)}">{e(b.run_date)}</time> &middot; '
        f"Scenarios: {names} &middot; against the MTFS as published{when}. "
        "Money in £000 (GBP thousands) unless stated; savings negative, as published.</p></header>"
    )


def html_scenarios(b: Brief) -> str:
    """Each scenario's description, its changes from the baseline and its references."""
    out = ["<section><h2>Scenarios and their changes from the MTFS as published</h2>"]
    for r in b.results:
        s = r.scenario
        changes = "".join(f"<li>{e(c)}</li>" for c in s.changes) or "<li>No changes: the MTFS as published.</li>"
        refs = "".join(f"<li>{_link(x)}</li>" for x in s.references)
        out.append(
            f'<div class="scenario"><h3>{e(s.name)}</h3><p>{e(s.description)}</p>'
            f"<p><strong>Changes from the baseline</strong></p><ul>{changes}</ul>"
            + (f'<p><strong>References</strong></p><ul class="refs">{refs}</ul>' if refs else "")
            + "</div>"
        )
    if not b.results:
        out.append("<p>No scenario asked for: the brief shows the MTFS as published.</p>")
    out.append("</section>")
    return "".join(out)


def html_key_figures(b: Brief) -> str:
    """The key-figures table and each scenario's change from the MTFS (one line if no
    scenario changes a key figure)."""
    changes = table(b, "Change from MTFS")
    out = [
        _table(
            b,
            table(b, "Key figures"),
            "Key figures by scenario (£000)",
            caption_html=ref(b, "roll_forward", "lines", "high_needs", "capital"),
        )
    ]
    if len(changes):
        caption = "Change from the MTFS as published (£000; figures no scenario changes are left out)"
        out.append(_table(b, changes, caption))
    elif b.results:
        out.append("<p>No scenario changes a key figure: each is the MTFS as published in this table.</p>")
    return _section("Key figures", *out)


def _headline(b: Brief, t: guarantee.Terms) -> str:
    """The MTFS's figure for the programme against each printed level, in £m."""
    mtfs = float(guarantee.assumed(b.baseline, t).iloc[-1])
    prog = b.edition.programme(t.programme)

    def versus(level: float, what: str, key: str, even: str = "") -> str:
        d = mtfs - level
        word = "above" if d > 0 else "below" if d < 0 else "level with"
        return f"{_m(abs(d))} {word} {even if d > 0 else ''}the {_m(level)} {what}{ref(b, key)}"

    parts = []
    if t.stretch is not None:
        parts.append(f"<strong>{versus(t.stretch, 'stretch ambition', 'stretch', 'even ')}</strong>")
    if t.estimate is not None:
        parts.append(versus(t.estimate, "estimate", "estimate"))
    parts.append(versus(t.floor, f"{e(t.partner)} guarantees", "guarantee"))
    said = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return (
        f'<p class="headline">The MTFS books <strong>{_m(mtfs)}</strong> a year from the '
        f"{e(prog.short or prog.id)} programme by {e(t.final_year)}{ref(b, 'mtfs_programme', 'lines')}: "
        f"{said}.</p>"
    )


def _guarantee_notes(b: Brief, t: guarantee.Terms) -> str:
    """How each scenario reads the unprinted terms, and who bears a shortfall."""
    n = len(b.years)
    notes: dict[str, list[str]] = {}
    for name, r in zip(b.names, b.all_results, strict=True):
        g = r.scenario.inputs.guarantee
        fee = (
            f"Fee ASSUMED (not printed) at {g.fee_rate:.1%} of the benefit delivered each year"
            + (f", capped at £{g.fee_cap:,.0f}k over the {n} MTFS years" if g.fee_cap is not None else ", uncapped")
            if g.fee_rate is not None
            else "Fee not modelled: the papers say it is capped but print neither the fee nor the cap"
        )
        notes.setdefault(f"{guarantee.phasing_note(g.floor_phasing, t)} {fee}.", []).append(name)
    items = [
        f"<li><strong>{e('All scenarios' if len(notes) == 1 else ', '.join(names))}</strong>: {e(note)}</li>"
        for note, names in notes.items()
    ]
    counting = guarantee.measure_labels(b.edition)[guarantee.NET_GUARANTEED]
    items.append(
        f"<li>Below the floor, {e(t.partner)} puts in additional resource at its own cost; the paper does not say "
        f"by when. &lsquo;{e(counting)}&rsquo; assumes the remedy lands in the same year.</li>"
    )
    return "<ul class='notes'>" + "".join(items) + "</ul>"


def html_guarantee(b: Brief) -> str:
    """The partner's guarantee: the printed levels against the MTFS, each scenario's
    summary and its year-by-year table, and how the unprinted terms are read.  One line
    if the edition links no programme to a guarantee."""
    t = b.terms
    if t is None:
        return _section("The partner's guarantee", "<p>This edition links no savings programme to a guarantee.</p>")
    prog = b.edition.programme(t.programme)
    by_year = table(b, "Guarantee by year")
    final = t.final_year
    return _section(
        f"The {prog.short or prog.id} programme against the {t.partner} guarantee",
        _headline(b, t),
        _table(b, table(b, "Guarantee levels"), f"The printed levels against the MTFS (£000 a year by {final})"),
        _table(
            b,
            table(b, "Guarantee summary"),
            "Each scenario against the guarantee (£000; benefits positive)",
            caption_html=ref(b, "guarantee", "horizon"),
        ),
        _table(
            b,
            by_year.loc[b.names[1:]] if b.results else by_year,
            f"Year by year (£000; cumulative rows: {final} is the {len(b.years)}-year total)",
        ),
        _guarantee_notes(b, t),
    )


html_newton = html_guarantee
"""The name the first briefs used."""


def html_charts(b: Brief) -> str:
    """The charts, each an embedded PNG with alt text and a caption: net budget path, a
    bridge per scenario, High Needs deficit, the properties' cash (if any)."""
    res, ed = list(b.all_results), b.edition
    first, final = ed.base_year, ed.final_year
    figs = [
        charts.figure_html(
            charts.net_budget_path(res),
            f"Line chart: net budget by scenario, {first} base to {final}, £000",
            "Net budget path by scenario (£000).",
        )
    ]
    for r in b.results or (b.baseline,):
        name = r.scenario.name
        figs.append(
            charts.figure_html(
                charts.growth_savings_bridge(r),
                f"Waterfall chart: {first} base to {final} net budget, {name}, £000",
                f"Growth and savings bridge, {name}: {first} base + transfers + growth + savings "
                f"= {final} net budget (£000).",
            )
        )
    figs.append(
        charts.figure_html(
            charts.high_needs_deficit(res),
            "Line chart: High Needs cumulative deficit by scenario, £000",
            "High Needs cumulative DSG deficit by scenario (£000).",
        )
    )
    if has_properties(b.baseline):
        n = len(b.baseline.scenario.inputs.properties)
        figs.append(
            charts.figure_html(
                charts.cip_cash(res),
                "Line chart: the properties' cumulative cash by fiscal year, break-even marked, £000",
                f"{charts.properties_title(ed)}: cumulative cash, all {n} properties (£000); stars mark break-even.",
            )
        )
    else:
        figs.append("<p>No invest-to-save properties in this edition: no cash chart.</p>")
    return _section("Charts", *figs)


def _risk_charts(name: str, rr: Any, final: str) -> list[str]:
    return [
        f"<h3>{e(name)}</h3>",
        charts.figure_html(
            risk_charts.fan_chart(rr, "net_budget"),
            f"Fan chart: net budget, 5th to 95th percentile by year, {name}, £m",
            f"Net budget, {name}: median with 10th-90th and 5th-95th percentile bands; dashed, the MTFS as published.",
        ),
        charts.figure_html(
            risk_charts.fan_chart(rr, "hn_deficit"),
            f"Fan chart: High Needs cumulative deficit, 5th to 95th percentile by year, {name}, £m",
            f"High Needs cumulative deficit, {name}: median and bands; dashed, the deterministic forecast.",
        ),
        charts.figure_html(
            risk_charts.tornado_chart(rr, "net"),
            f"Tornado chart: {final} net budget with each input at its P10 and P90, {name}, £m",
            f"Which inputs move the {final} net budget most, {name}: each at its P10 and P90, the others at "
            "their medians.",
        ),
    ]


def html_risk(b: Brief) -> str:
    """Budget risk: the probabilities, the final-year gap percentiles, and for each
    scenario the fan charts of net budget and High Needs deficit and the tornado."""
    results = risk_results(b)
    if not results:
        return ""
    parts = [
        f"<p>{b.risk_n:,} simulated trajectories a scenario (seed {b.risk_seed}): every growth line's drivers, "
        "every savings line's delivery and the High Needs costs and savings drawn from the distributions in "
        f"the edition's <code>risk.toml</code> ({e(b.edition.id)}; each with its source or reason). The gap is "
        "the simulated net budget less the MTFS as published.</p>",
        _table(b, table(b, "Risk"), "Risk by scenario (£000; probabilities as percentages)"),
    ]
    for name, rr in zip(b.names, results, strict=True):
        parts += _risk_charts(name, rr, b.edition.final_year)
    return _section("Budget risk", *parts)


def html_high_needs_cip(b: Brief) -> str:
    """High Needs by scenario and the properties' paybacks by scenario (one line if the
    edition has no properties)."""
    ed = b.edition
    hn = _table(
        b,
        table(b, "High Needs"),
        "High Needs Block: annual gap and cumulative deficit (£000)",
        caption_html=ref(b, "high_needs", "transfer"),
    )
    props = table(b, "Properties")
    if props.empty:
        return _section("High Needs", hn, "<p>No invest-to-save properties in this edition.</p>")
    line = ed.links.get("property_savings_line")
    what = "The properties' cash break-even (£000)"
    if line:
        what = f"{line} savings line (£000, negative) and the properties' cash break-even"
    return _section(
        f"High Needs and the {charts.properties_title(ed)}",
        hn,
        _table(b, props, what, caption_html=ref(b, "properties")),
    )


def html_reconciliation(b: Brief) -> str:
    """The reconciler's status: the papers' own disagreements and the engine identities."""
    rec = table(b, "Reconciliation")
    ok = bool((rec["engine_identities"] == "all ok").all())
    dis = table(b, "Paper disagreements")[["table", "row", "column", "expected", "actual", "difference"]]
    return _section(
        "Reconciliation status",
        "<p>Engine identities (every total = the sum of its parts, net = prior + transfers + growth + savings, "
        f"...): <strong>{'all ok' if ok else 'FAILED'}</strong> for every scenario. "
        f"The papers disagree with themselves beyond their printed precision in "
        f"<strong>{len(dis)}</strong> places (difference = printed - derived); the model keeps the printed parts "
        "and never corrects them.</p>",
        _table(b, rec, "Checks by scenario (count)"),
        _table(
            b,
            dis,
            "The papers' disagreements (£000 unless the table says GBP)",
            labels={"expected": "derived from the parts", "actual": "printed", "difference": "printed - derived"},
        ),
    )


def html_sources(b: Brief) -> str:
    """Numbered source footnotes: document, place and a phrase to search for."""
    docs = b.edition.sources.get("documents", {})
    items = []
    for i, (_key, what, s) in enumerate(footnotes(b), start=1):
        doc = docs.get(s.get("doc", ""), {})
        items.append(
            f'<li id="src-{i}"><strong>{e(what)}</strong>: {e(doc.get("title", s.get("doc", "")))} '
            f"({e(doc.get('file', ''))}), {e(s.get('ref', ''))}; search for &ldquo;{e(s.get('grep', ''))}&rdquo;.</li>"
        )
    return "<section><h2>Sources</h2><ol class='sources'>" + "".join(items) + "</ol></section>"


def html_footer(b: Brief) -> str:
    """The run's parameters: scenarios as asked for, date, title, edition, package version."""
    asked = ", ".join(e(Path(s).name) for s in b.requested) or "(none)"
    return (
        '<footer class="run"><p>Run parameters: scenarios = ' + asked + f"; run_date = {e(b.run_date)}; "
        f"title = &ldquo;{e(b.title)}&rdquo;; edition = {e(b.edition.id)}; risk_n = {b.risk_n:,}; "
        f"risk_seed = {b.risk_seed}; notebook = {e(BRIEF_NOTEBOOK)} (papermill, kernel "
        f"{e(KERNEL_NAME)}); mtfs_model {e(__version__)}; Python {e(sys.version.split()[0])}.</p></footer>"
    )
