"""The HTML pieces of a scenario brief, one per notebook cell (first half: the answer,
the scenarios, the key figures, reconciliation, sources and the run's parameters; the
guarantee, charts, High Needs and risk are in :mod:`mtfs_model.brief.sections`).

One voice: £m with one decimal in sentences and charts, £000 in detail tables, the unit
in every header, plain-English labels (never a code id or snake_case).  Only what
differs: a column that is the same in every scenario becomes one line under its table,
rows that are the same across scenarios are shown once, "the same in every scenario".

Every piece of text that comes from a scenario file (its name, description, changes and
references) or from the edition is HTML-escaped; a link is kept only if it is
``http(s)``.  Years, programmes, line codes, the partner and the printed labels all come
from the brief's edition.
"""

from __future__ import annotations

import datetime as dt
import html
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from mtfs_model import __version__
from mtfs_model.base import formats
from mtfs_model.brief.figures import SAME, group_rows, same_columns
from mtfs_model.brief.labels import column_labels
from mtfs_model.brief.tables import ENGINE_HOLD, Brief, risk_results, risk_variants, table
from mtfs_model.brief.text import Note, answer_sentence, centres_sentence, m, mtfs_sentence, question, surprises

FIGURES_AS_TEXT = {"printed", "derived", "printed − derived"}
"""Findings' figures already written as the reader sees them (:func:`reader_view`): right-aligned."""

BRIEF_NOTEBOOK = "scenario_brief.ipynb"
KERNEL_NAME = "python3"
INDEX_LABELS = {
    "scenario": "Scenario",
    "figure": "Figure",
    "measure": "Measure",
    "level": "Level",
    "finding": "Finding",
    "number": "No.",
    "property": "Property",
}


def e(text: object) -> str:
    """HTML-escape anything (quotes included)."""
    return html.escape(str(text), quote=True)


def money_m(x: float) -> str:
    """GBP000 as GBP millions to one decimal: 13,200 -> ``£13.2m``."""
    return m(x)


# --- sources and footnote markers -----------------------------------------------------


def _source(table: Any) -> Mapping[str, Any] | None:
    src = table.get("source") if isinstance(table, Mapping) else None
    return src if isinstance(src, Mapping) and src else None


def footnotes(b: Brief) -> list[tuple[str, str, Mapping[str, Any]]]:
    """The brief's source footnotes in order: (key, what it sources, ``source`` table),
    only those the edition has."""
    from mtfs_model.charts import budget as charts
    from mtfs_model.engine import guarantee

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


def cell_text(column: str, value: Any, unit: str = "£000") -> str:
    """A cell for reading, by the kind of figure its column holds
    (:func:`mtfs_model.base.formats.kind_of`): money as £000 (``#,##0``) or, with
    ``unit="£m"``, £m to one decimal, with ``unit="count"`` a count; ``_pct`` columns,
    occupancy and IRR as percentages; paybacks in years to two decimals; a go-live as a
    month; a figure printed to a fraction (a misprinted 58.321) as it is; text as it is."""
    return formats.text(value, _kind(column, unit))


def _kind(column: str, unit: str) -> formats.Kind:
    kind = formats.kind_of(column)
    if kind == "money" and unit in UNIT_KINDS:
        return UNIT_KINDS[unit]
    return kind


UNIT_KINDS: dict[str, formats.Kind] = {"£m": "money_m", "count": "count"}
"""A table's unit for its money columns, when not £000."""


def header(column: str, labels: Mapping[str, str], unit: str, numeric: bool = True) -> str:
    """A column's header with its unit: the label given (or the id in words), and the
    unit of the figures it holds if the label does not say one -- ``unit`` for money,
    ``%`` for a share, ``years`` for a payback (:func:`mtfs_model.base.formats.header`)."""
    kind = _kind(column, unit)
    if not numeric and kind != "month":  # a month is written as text (``2021-12``)
        kind = "text"
    if column in labels:
        text = labels[column]
        if unit != "£000" and "(£000)" in text:
            return text.replace("(£000)", f"({unit})")
    elif column.endswith("_pct"):
        text = column[:-4].replace("_", " ").capitalize()
    else:
        text = column.replace("_", " ")
        if kind in ("money", "money_m", "count"):
            return f"{text} ({unit})"
    return formats.header(text, kind)


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
    unit: str = "£000",
    marks: Mapping[tuple[str, str], str] | None = None,
    css: str = "",
) -> str:
    """A DataFrame as an HTML table: figures right-aligned in ``unit`` (£000 with
    thousands separators, or £m to one decimal), ``_pct`` columns as percentages, a
    two-level row index grouped with ``rowspan``.  ``labels`` maps column names to
    headers (each with its unit); ``marks`` puts a note marker on a (row, column) cell.
    Every label and cell is escaped; ``caption_html`` is trusted markup (footnote
    markers) appended to the escaped ``caption``."""
    labels = dict(labels or {})
    marks = dict(marks or {})
    figures = {str(c) for c in df.select_dtypes("number").columns}
    numeric = figures | FIGURES_AS_TEXT  # right-aligned
    names = [INDEX_LABELS.get(str(n), str(n).replace("_", " ").capitalize()) if n else "" for n in df.index.names]
    head = "".join(f'<th scope="col">{e(n)}</th>' for n in names)
    head += "".join(
        f'<th scope="col" class="{"num" if str(c) in numeric else "text"}">'
        f"{e(header(str(c), labels, unit, str(c) in figures))}</th>"
        for c in df.columns
    )
    body = []
    keys: list[tuple[Any, ...]] = [k if isinstance(k, tuple) else (k,) for k in df.index]
    for i, (parts, row) in enumerate(zip(keys, df.itertuples(index=False), strict=True)):
        cells = _row_cells(parts, i, keys, df.index.nlevels)
        for c, v in zip(df.columns, row, strict=True):
            kind = "num" if str(c) in numeric else "text"
            mark = marks.get((str(parts[-1]), str(c)))
            sup = f'<sup class="mark">{e(mark)}</sup>' if mark else ""
            cells += f'<td class="{kind}">{e(cell_text(str(c), v, unit))}{sup}</td>'
        body.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{e(caption)}{caption_html}</caption>" if caption or caption_html else ""
    cls = f"figures {css}".strip()
    table = f'<table class="{cls}">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    return f'<div class="table">{table}</div>'


def collapsed(
    b: Brief, df: pd.DataFrame, caption: str, *, unit: str = "£000", keep: Sequence[str] = (), **kw: Any
) -> str:
    """:func:`html_table` with the edition's headers, the columns that are the same in
    every row (but ``keep``) taken out and said once underneath, "the same in every
    scenario"."""
    labels = {**column_labels(b.edition), **kw.pop("labels", {})}
    same = [c for c in same_columns(df) if c not in keep] if len(df) > 1 else []
    shown = df.drop(columns=same)
    out = html_table(shown, caption, labels=labels, unit=unit, **kw) if len(shown.columns) else ""
    if same:
        first = df.iloc[0]
        numeric = {str(c) for c in df.select_dtypes("number").columns}
        marks = kw.get("marks") or {}
        said = []
        for c in same:
            mark = next((v for (_row, column), v in marks.items() if column == c), "")
            sup = f'<sup class="mark">{e(mark)}</sup>' if mark else ""
            said.append(f"{e(header(c, labels, unit, c in numeric))}: {e(cell_text(c, first[c], unit))}{sup}")
        out += f'<p class="same">{"; ".join(said)} &mdash; {SAME}.</p>'
    return out


def brief_table(b: Brief, df: pd.DataFrame, caption: str, **kw: Any) -> str:
    """:func:`html_table` with the edition's column headers."""
    labels = {**column_labels(b.edition), **kw.pop("labels", {})}
    return html_table(df, caption, labels=labels, **kw)


def section_html(title: str, *parts: str, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f"<section{cls}><h2>{e(title)}</h2>{''.join(parts)}</section>"


def one_line(title: str, text: str) -> str:
    """A section the scenarios do not touch: its title and one line."""
    return f'<section><p class="one-line"><strong>{e(title)}.</strong> {e(text)}</p></section>'


# --- the first page -------------------------------------------------------------------


def published(b: Brief) -> str:
    """When the edition's MTFS was published (its first paper's date), e.g. "19 January 2021"."""
    papers = b.edition.meta.get("papers") or []
    date = papers[0].get("date") if papers else None
    return f"{date.day} {date:%B %Y}" if isinstance(date, dt.date) else ""


def html_header(b: Brief) -> str:
    """Title, date and the scenarios in one line."""
    names = ", ".join(e(n) for n in b.names[1:]) or "the MTFS as published only"
    when = f" ({e(published(b))})" if published(b) else ""
    return (
        f'<header class="brief"><h1>{e(b.title)}</h1>'
        f'<p class="meta">Date: <time datetime="{e(b.run_date)}">{e(b.run_date)}</time> &middot; '
        f"Scenarios: {names} &middot; against the MTFS as published{when}. "
        "Text and charts in £m; detail tables in £000; savings negative, as published.</p></header>"
    )


MARK_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def notes_for(b: Brief) -> list[Note]:
    """The brief's explanations of surprising figures (computed once)."""
    if "notes" not in b.cache:
        b.cache["notes"] = surprises(b.all_results, b.names, risk_results(b), b.terms)
    return list(b.cache["notes"])


def marks_of(b: Brief, table_name: str) -> tuple[dict[tuple[str, str], str], str]:
    """Note markers for a table's cells and the notes list to put under it."""
    notes = [n for n in notes_for(b) if n.table == table_name]
    start = sum(1 for n in notes_for(b) if n.table < table_name)  # a letter per note across the brief
    marks = {(n.row, n.column): MARK_LETTERS[(start + i) % 26] for i, n in enumerate(notes)}
    items = "".join(
        f"<li><strong>({MARK_LETTERS[(start + i) % 26]})</strong> {e(n.text)}</li>" for i, n in enumerate(notes)
    )
    return marks, (f'<ul class="notes">{items}</ul>' if items else "")


def html_answer(b: Brief) -> str:
    """The first page: the question, the answer in one sentence a scenario (generated
    from the figures), one summary table (£m) and a note beside each surprising figure."""
    ed = b.edition
    risk = risk_results(b)
    sentences = [f"<li>{e(mtfs_sentence(b.baseline, risk[0] if risk else None))}</li>"]
    for name, r in zip(b.names[1:], b.results, strict=True):
        sentences.append(f"<li><strong>{e(name)}.</strong> {e(answer_sentence(r, b.baseline, b.terms))}</li>")
    marks, notes = marks_of(b, "answer")
    figures = table(b, "Answer")
    asked = question(len(b.results), ed.final_year, len(ed.years), bool(risk))
    parts = [
        f'<p class="question"><strong>The question.</strong> {e(asked)}</p>',
        f'<ol class="answer">{"".join(sentences)}</ol>',
        collapsed(b, figures, "The answer in figures (£m)", unit="£m", marks=marks, css="answer"),
    ]
    if risk:
        paper = risk_variants(b)["paper"]
        parts.insert(2, f'<p class="why"><strong>Why.</strong> {e(centres_sentence(risk[0], paper))}</p>')
        applied = (
            f" The {b.terms.partner} guarantee is applied: below its floor the partner makes up the shortfall."
            if b.terms is not None
            else ""
        )
        parts.append(
            f'<p class="same">Simulation: {b.risk_n:,} futures a scenario, evidence-adjusted (inputs centred where '
            "comparable forecasts landed; the risk section shows both views). Contingency: the reserve that covers "
            f"the overspend against the MTFS, summed over the {len(ed.years)} years, in 8 (P80) or 9 (P90) futures "
            f"out of 10.{applied}</p>"
        )
    parts.append(notes)
    return section_html("The answer", *parts, css="first-page")


# --- scenarios and key figures ----------------------------------------------------------


def _link(reference: Mapping[str, str]) -> str:
    title = e(reference.get("title", ""))
    href = str(reference.get("href", ""))
    if href.startswith(("https://", "http://")):
        return f'<a href="{e(href)}" rel="noopener noreferrer">{title}</a>'
    return title


def html_scenarios(b: Brief) -> str:
    """Each scenario's description and what it changes: each setting's value in the MTFS
    as published and in the scenario, with the scenario's references."""
    if not b.results:
        return section_html("The scenarios", "<p>No scenario asked for: the brief shows the MTFS as published.</p>")
    rows = []
    inputs = table(b, "Inputs")
    for name, r in zip(b.names[1:], b.results, strict=True):
        s = r.scenario
        refs = "; ".join(_link(x) for x in s.references)
        settings = inputs.xs(name, level="scenario") if name in inputs.index.get_level_values(0) else inputs.iloc[:0]
        items = "".join(
            f"<li>{e(x.setting)}: {e(x.mtfs_value)} &rarr; <strong>{e(x.scenario_value)}</strong></li>"
            if x.mtfs_value or x.scenario_value
            else f"<li>{e(x.setting)}</li>"
            for x in settings.itertuples()
        )
        rows.append(
            f'<tr><th scope="row">{e(name)}</th><td class="text">{e(s.description)}</td>'
            f'<td class="text"><ul class="changes">{items}</ul></td><td class="text">{refs}</td></tr>'
        )
    head = "".join(
        f'<th scope="col">{h}</th>'
        for h in ("Scenario", "What it asks", "Changes (£000 unless stated): MTFS &rarr; scenario", "References")
    )
    return section_html(
        "The scenarios",
        f'<div class="table"><table class="figures scenarios"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody>"
        "</table></div>",
    )


def html_key_figures(b: Brief) -> str:
    """The key figures some scenario changes (£000 by year; rows the same across
    scenarios shown once) and, in one line, those no scenario changes."""
    kf = table(b, "Key figures")
    grouped = group_rows(kf)
    final = b.edition.final_year
    unchanged = [
        f
        for f in dict.fromkeys(grouped.index.get_level_values(0))
        if len(grouped.loc[f]) == 1 and (len(b.all_results) > 1)
    ]
    changed = grouped.drop(index=unchanged, level=0) if unchanged else grouped
    out = []
    if len(changed):
        out.append(
            brief_table(
                b,
                changed,
                "Key figures the scenarios change (£000)",
                caption_html=ref(b, "roll_forward", "lines", "high_needs", "capital"),
            )
        )
    elif b.results:
        out.append("<p>No scenario changes a key figure: each is the MTFS as published.</p>")
    if unchanged:
        said = "; ".join(f"{f} {money_m(float(kf.loc[(f, b.names[0]), final]))}" for f in unchanged)
        out.append(f'<p class="same">The same in every scenario ({e(final)}): {e(said)}.</p>')
    return section_html("Key figures", *out)


# --- reconciliation, sources, footer ----------------------------------------------------


def html_reconciliation(b: Brief) -> str:
    """The reconciler's status: the engine identities (which must all hold), the papers'
    own disagreements counted apart, and a table of those disagreements with the unit of
    each figure and why it differs."""
    rec = table(b, "Reconciliation")
    ok = bool((rec["engine_identities"] == ENGINE_HOLD).all())
    dis = table(b, "Paper disagreements")
    counts = collapsed(b, rec, "Checks by scenario (count)", unit="count")
    return section_html(
        "Reconciliation",
        "<p>The engine's identities (every total = the sum of its parts, net = prior + transfers + growth + "
        f"savings, ...): <strong>{'every one holds' if ok else 'FAILED'}</strong> in every scenario. "
        f"The papers disagree with themselves beyond their printed precision in "
        f"<strong>{len(dis)}</strong> places, listed below with the reason; the model keeps the printed "
        "parts and never corrects them.</p>",
        counts,
        brief_table(
            b,
            dis,
            "The papers' disagreements (each figure in the unit of its table)",
            labels=DISAGREEMENT_LABELS,
            css="wide findings",
        ),
    )


DISAGREEMENT_LABELS = {
    "where": "Where in the papers",
    "unit": "Unit",
    "printed": "Printed",
    "derived": "Derived from the parts",
    "printed − derived": "Printed − derived",
    "why": "Why they differ",
}
"""Headers of the papers' disagreements (the unit is a column of its own: £ or £000)."""


def html_sources(b: Brief) -> str:
    """Numbered source footnotes: the paper's title, the place in it and a phrase to search for."""
    docs = b.edition.sources.get("documents", {})
    items = []
    for i, (_key, what, s) in enumerate(footnotes(b), start=1):
        doc = docs.get(s.get("doc", ""), {})
        items.append(
            f'<li id="src-{i}"><strong>{e(what)}</strong>: {e(doc.get("title", s.get("doc", "")))}, '
            f"{e(s.get('ref', ''))}; search for &ldquo;{e(s.get('grep', ''))}&rdquo;.</li>"
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
