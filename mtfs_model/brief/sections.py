"""The HTML pieces of a scenario brief, second half: the partner's guarantee, the charts,
High Needs and the properties, and budget risk (see :mod:`mtfs_model.brief.html`).

Only what differs: a chart whose series are the same in every scenario is drawn once,
labelled so; a section the scenarios do not touch shrinks to one line; each bridge
explains the move from the MTFS to that scenario.
"""

from __future__ import annotations

from mtfs_model.base.cells import cell
from mtfs_model.base.rounding import number, pct
from mtfs_model.brief.figures import group_rows, untouched
from mtfs_model.brief.html import brief_table, collapsed, e, marks_of, money_m, one_line, ref, section_html
from mtfs_model.brief.tables import Brief, has_properties, risk_results, sheet_names, table
from mtfs_model.brief.text import (
    centre_groups,
    guarantee_sentence,
    paper_view_sentence,
    worst_sentence,
)
from mtfs_model.charts import budget as charts
from mtfs_model.charts import risk as risk_charts
from mtfs_model.engine import guarantee, high_needs
from mtfs_model.risk.tail import reserve_table

# --- the partner's guarantee -----------------------------------------------------------


def _headline(b: Brief, t: guarantee.Terms) -> str:
    """The MTFS's figure for the programme against each printed level, in £m."""
    mtfs = float(guarantee.assumed(b.baseline, t).iloc[-1])
    prog = b.edition.programme(t.programme)

    def versus(level: float, what: str, key: str, even: str = "") -> str:
        d = mtfs - level
        word = "above" if d > 0 else "below" if d < 0 else "level with"
        return f"{money_m(abs(d))} {word} {even if d > 0 else ''}the {money_m(level)} {what}{ref(b, key)}"

    parts = []
    if t.stretch is not None:
        parts.append(f"<strong>{versus(t.stretch, 'stretch ambition', 'stretch', 'even ')}</strong>")
    if t.estimate is not None:
        parts.append(versus(t.estimate, "estimate", "estimate"))
    parts.append(versus(t.floor, f"{e(t.partner)} guarantees", "guarantee"))
    said = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return (
        f'<p class="headline">The MTFS books <strong>{money_m(mtfs)}</strong> a year from the '
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
            f"Fee ASSUMED (not printed) at {pct(g.fee_rate)} of the benefit delivered each year"
            + (f", capped at £{number(g.fee_cap)}k over the {n} MTFS years" if g.fee_cap is not None else ", uncapped")
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
    summary (columns the same in every scenario said once) and its year-by-year table
    (rows the same in every scenario shown once), and how the unprinted terms are read.
    One line if the edition links no programme to a guarantee."""
    t = b.terms
    if t is None:
        return one_line("The partner's guarantee", "This edition links no savings programme to a guarantee.")
    prog = b.edition.programme(t.programme)
    by_year = table(b, "Guarantee by year")
    if b.results:
        by_year = by_year.loc[b.names[1:]]
    final = t.final_year
    shown = group_rows(by_year.swaplevel().sort_index(level=0, sort_remaining=False), level="scenario")
    order = list(dict.fromkeys(by_year.index.get_level_values("measure")))
    shown = shown.reindex(order, level=0)
    return section_html(
        f"The {prog.short or prog.id} programme against the {t.partner} guarantee",
        _headline(b, t),
        brief_table(b, table(b, "Guarantee levels"), f"The printed levels against the MTFS (£000 a year by {final})"),
        collapsed(
            b,
            table(b, "Guarantee summary"),
            "Each scenario against the guarantee (£000; benefits positive)",
            caption_html=ref(b, "guarantee", "horizon"),
            css="wide",
        ),
        brief_table(
            b, shown, f"Year by year (£000; cumulative rows: {final} is the {len(b.years)}-year total)", css="wide"
        ),
        _guarantee_notes(b, t),
    )


"""The name the first briefs used."""


# --- charts ---------------------------------------------------------------------------


def html_charts(b: Brief) -> str:
    """The net budget path by scenario, and one bridge per scenario from the MTFS as
    published to the scenario's final-year net budget (each an embedded PNG with alt
    text and a caption)."""
    res, ed = list(b.all_results), b.edition
    first, final = ed.base_year, ed.final_year
    figs = [
        charts.figure_html(
            charts.net_budget_path(res, names=b.names),
            f"Line chart: net budget by scenario, {first} base to {final}, £m",
            "Net budget by scenario (£m); lines the same in several scenarios are drawn once.",
        )
    ]
    if b.results:
        figs.append(
            charts.figure_html(
                charts.mtfs_bridges(b.results, b.baseline, names=b.names[1:]),
                f"Waterfall charts: from the MTFS's {final} net budget to each scenario's, £m",
                f"From the MTFS to each scenario (£m): the MTFS's {final} net budget, each change the scenario "
                "makes (growth lines and savings programmes, cumulative), and the scenario's net budget.",
            )
        )
    return section_html("The net budget: from the MTFS to each scenario", *figs)


# --- High Needs and the properties -------------------------------------------------------


def _high_needs(b: Brief) -> str:
    final = b.edition.final_year
    if untouched([r.high_needs for r in b.all_results]):
        hn = b.baseline.high_needs
        return one_line(
            "High Needs",
            f"No scenario changes the High Needs forecast: the cumulative deficit reaches "
            f"{money_m(cell(hn, high_needs.CUMULATIVE, final))} by the end of {final} in every scenario "
            f"(annual gap {money_m(cell(hn, high_needs.ANNUAL_GAP, final))} in {final}).",
        )
    return section_html(
        "High Needs",
        brief_table(
            b,
            group_rows(table(b, "High Needs")),
            "High Needs Block: annual gap and cumulative deficit (£000)",
            caption_html=ref(b, "high_needs", "transfer"),
        ),
        charts.figure_html(
            charts.high_needs_deficit(list(b.all_results), names=b.names),
            "Line chart: High Needs cumulative deficit by scenario, £m",
            "High Needs cumulative deficit by scenario (£m).",
        ),
    )


def _properties(b: Brief) -> str:
    ed = b.edition
    title = charts.properties_title(ed)
    if not has_properties(b.baseline):
        return one_line("Invest-to-save properties", "No invest-to-save properties in this edition.")
    line = ed.links.get("property_savings_line")
    if untouched([r.cip_cash for r in b.all_results]) and (
        not line or untouched([r.cumulative.loc[[line]] for r in b.all_results])
    ):
        be = charts.cip_break_even([b.baseline]).iloc[0]
        return one_line(
            title,
            f"No scenario changes the properties: their cash breaks even in {be['break_even']} and reaches "
            f"{money_m(float(be['cash_end']))} by {ed.appraisal_last_year} in every scenario.",
        )
    props = table(b, "Properties")
    what = (
        f"{line} savings line (£000, negative) and the properties' cash break-even"
        if line
        else ("The properties' cash break-even (£000)")
    )
    return section_html(
        title,
        collapsed(b, props, what, caption_html=ref(b, "properties"), css="wide"),
        charts.figure_html(
            charts.cip_cash(list(b.all_results), names=b.names),
            "Line chart: the properties' cumulative cash by financial year, break-even marked, £m",
            f"{title}: cumulative cash, all the properties (£m); stars mark break-even.",
        ),
    )


def html_high_needs_cip(b: Brief) -> str:
    """High Needs and the properties, each one line if no scenario touches it (or the
    edition has no properties)."""
    return _high_needs(b) + _properties(b)


# --- budget risk ------------------------------------------------------------------------


def _tornado_differences(b: Brief) -> str:
    """One line: which inputs swing differently in each scenario from the MTFS."""
    risk = risk_results(b)
    base = risk[0].tornado["net_swing"]
    labels = {d.name: risk_charts.input_label(d) for d in risk[0].spec.distributions}
    said = []
    for name, rr in zip(b.names[1:], risk[1:], strict=True):
        swing = rr.tornado["net_swing"].reindex(base.index)
        moved = [k for k in base.index if abs(float(swing[k]) - float(base[k])) > 0.5]
        if moved:
            said.append(
                f"{name}: "
                + "; ".join(
                    f"{labels.get(str(k), k)} swings {money_m(float(swing[k]))} (MTFS {money_m(float(base[k]))})"
                    for k in moved
                )
            )
    if not b.results:
        return ""
    if not said:
        return '<p class="same">The tornado is the same in every scenario.</p>'
    return '<p class="same">Each scenario\'s tornado is this one but for: ' + e(". ".join(said)) + ".</p>"


def _views(b: Brief) -> str:
    """The MTFS as published in both views: the paper's figure, the P50s, the contingency."""
    views = table(b, "Risk views")
    if views.empty:
        return ""
    return brief_table(
        b, views, f"The MTFS as published, two views ({b.edition.final_year}; £000, chances in %): as the paper "
        "assumes (every input centred on the published figures) and evidence-adjusted (the default)", css="wide",
    ) + f"<p>{e(paper_view_sentence(views.iloc[0], b.edition.final_year, b.terms))}</p>"  # fmt: skip


def _worth(b: Brief) -> str:
    """What the partner's guarantee is worth: one sentence and its table (if the edition has one)."""
    if b.terms is None or "Guarantee worth" not in sheet_names(b):
        return ""
    worth = table(b, "Guarantee worth")
    if worth.empty:
        return ""
    sentence = guarantee_sentence(worth, b.terms, b.edition.final_year, len(b.years), risk_results(b)[0])
    return f"<p>{e(sentence)} (The workbook's sheet Guarantee worth has both cases in full.)</p>"


def _centres(b: Brief) -> str:
    """How each scenario's fan is centred: a sentence each (declared in its [risk] table)."""
    said = " ".join(f"{text[0].upper()}{text[1:]}" for text in centre_groups(b.names, risk_results(b)))
    return f"<strong>How each scenario's fan is centred.</strong> {e(said)}"


def _reserve(b: Brief) -> str:
    """What each reserve figure is (the MTFS as published) and what went wrong in the worst futures."""
    rr = risk_results(b)[0]
    table = reserve_table(rr)
    return brief_table(
        b, table, "The reserve the MTFS as published would need: its overspend against the MTFS (£000; the years "
        "together are each future's sum)",
    ) + f"<p>{e(worst_sentence(rr))}</p>"  # fmt: skip


def html_risk(b: Brief) -> str:
    """Budget risk: the risk table (£000; columns the same in every scenario said once,
    notes beside surprising figures), the net budget fans side by side, the High Needs
    fan (once if the same in every scenario) and the MTFS's tornado with how each
    scenario's differs."""
    results = risk_results(b)
    if not results:
        return ""
    final = b.edition.final_year
    marks, notes = marks_of(b, "risk")
    parts = [
        f"<p>{b.risk_n:,} simulated futures a scenario (seed {b.risk_seed}): every growth line's drivers, every "
        "savings line's delivery and the High Needs costs and savings drawn from the distributions in the "
        f"edition's risk file ({e(b.edition.id)}; each with its source or reason), evidence-adjusted: where the "
        "reference class (comparable councils' budgets against outturns, as it stood when the MTFS was set) "
        "reaches an input, it also gets a multiplier drawn from its predictive Student-t, year t t years ahead. "
        + _centres(b)
        + "</p>",
        _views(b),
        _reserve(b),
        _worth(b),
        collapsed(
            b, table(b, "Risk"), f"Budget risk by scenario ({final}; £000, chances in %)", marks=marks, css="wide"
        ),
        notes,
        charts.figure_html(
            risk_charts.fan_panels(results, b.names, "net_budget"),
            "Fan charts: net budget by year, 5th to 95th percentile, by scenario, £m",
            "Net budget: median with the 10th-90th and 5th-95th percentile bands; dashed, the MTFS as published.",
        ),
        charts.figure_html(
            risk_charts.fan_panels(results, b.names, "hn_deficit"),
            "Fan chart: High Needs cumulative deficit by year, 5th to 95th percentile, £m",
            "High Needs cumulative deficit: median and bands; dashed, the deterministic forecast.",
        ),
        charts.figure_html(
            risk_charts.tornado_chart(results[0], "net", top=8, name=b.names[0]),
            f"Tornado chart: {final} net budget with each input at its P10 and P90, MTFS as published, £m",
            f"What moves the {final} net budget most (the MTFS as published): each input at its P10 and P90, the "
            "others at their medians.",
        ),
        _tornado_differences(b),
    ]
    return section_html("Budget risk", *parts)


def html_backtest(b: Brief) -> str:
    """The back-test of the MTFS as published against the edition's outturns (PIT ranks,
    P10-P90 coverage, the fan with the outturns overlaid); nothing when the edition
    records no outturn or the brief has no risk section (``risk_n = 0``)."""
    from mtfs_model.charts.backtest import backtest_html
    from mtfs_model.forecast.backtest import backtest
    from mtfs_model.forecast.outturns import load_outturns

    if b.risk_n <= 0 or load_outturns(b.edition).empty:
        return ""
    result = backtest(b.baseline.scenario, n=b.risk_n, seed=b.risk_seed, edition=b.edition)
    return backtest_html(result)
