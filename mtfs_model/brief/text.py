"""The brief's sentences, generated from the figures (plain text; the HTML escapes them).

Nothing here is typed prose about a particular edition or scenario: every clause is
chosen by comparing a scenario's results with the MTFS as published, every number is
read from them (£m with one decimal), every name and year from the edition.  Change a
scenario and its sentence changes.

* :func:`question` -- what the brief answers;
* :func:`mtfs_sentence`, :func:`answer_sentence` -- the answer, one sentence each;
* :func:`surprises` -- a short explanation beside each figure a reader would query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mtfs_model.base import rows
from mtfs_model.base.cells import cell
from mtfs_model.base.rounding import gbp_m, half_up, number
from mtfs_model.brief.figures import council_bears, gap_by_year, hn_final, net_final, partner_bears
from mtfs_model.engine import guarantee, high_needs
from mtfs_model.engine.run import Result
from mtfs_model.risk.evidence import cited_pairs, is_evidence
from mtfs_model.risk.simulate import RiskResult

NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
CLOSE = 0.5
"""GBP000: a level is "reached" within half a thousand pounds."""


def m(x: float) -> str:
    """GBP000 as £m with one decimal: 96,051 -> ``£96.1m`` (a negative as ``-£0.4m``)."""
    return gbp_m(x)


def pct(x: float) -> str:
    """A fraction as a whole percentage: 0.5096 -> ``51 %``; never 0 % or 100 % unless exact."""
    p = int(half_up(float(x) * 100))
    if p == 0 and x > 0:
        return "under 1 %"
    if p == 100 and x < 1:
        return "over 99 %"
    return f"{p} %"


def years_text(n: int) -> str:
    """``4`` -> ``four years``."""
    return f"{NUMBERS[n] if n < len(NUMBERS) else n} year{'s' if n != 1 else ''}"


def display_name(name: str) -> str:
    """A scenario's name for reading: underscores as spaces (``newton_guarantee`` ->
    ``newton guarantee``)."""
    return name.replace("_", " ")


def question(n_scenarios: int, final: str, n_years: int, has_risk: bool) -> str:
    """What the brief answers."""
    count = NUMBERS[n_scenarios] if n_scenarios < len(NUMBERS) else str(n_scenarios)
    who = "this scenario" if n_scenarios <= 1 else f"each of the {count} scenarios"
    q = (
        f"What does {who} do to the {final} net budget and the High Needs deficit, what does it cost the council "
        f"over the {years_text(n_years)} of the MTFS"
    )
    return q + (", and how much contingency would a prudent council hold?" if has_risk else "?")


def _changed(a: float, b: float) -> bool:
    return abs(a - b) > CLOSE


def _programme_clause(r: Result, mtfs: Result, pid: str, terms: guarantee.Terms | None) -> str | None:
    ed, final = r.edition, r.edition.final_year
    prog = ed.programme(pid)
    row = rows.programme_total(pid)
    now, then = -cell(r.cumulative, row, final), -cell(mtfs.cumulative, row, final)
    what = f"the {prog.short or prog.id} programme"
    if not _changed(now, then):
        moved = _over_years(r, mtfs, row)
        if abs(moved) <= CLOSE:
            return None
        n = years_text(len(r.edition.years))
        return f"{what} saves {m(abs(moved))} {'less' if moved > 0 else 'more'} over the {n} (the same by {final})"
    if terms is not None and pid == terms.programme:
        named = (
            (terms.floor, f"delivers only the {m(terms.floor)} {terms.partner} guarantees"),
            (terms.estimate, f"delivers its {m(terms.estimate or 0)} estimate"),
            (terms.stretch, f"delivers its {m(terms.stretch or 0)} stretch ambition"),
        )
        for level, words in named:
            if level is not None and abs(now - level) <= CLOSE:
                return f"{what} {words} by {final} (the MTFS books {m(then)})"
    return f"{what} saves {m(now)} a year by {final} instead of the {m(then)} the MTFS books"


def _line_clause(r: Result, mtfs: Result, code: str) -> str | None:
    final = r.edition.final_year
    now, then = cell(r.cumulative, code, final), cell(mtfs.cumulative, code, final)
    title = str(r.line_info.loc[code, "title"]) if code in r.line_info.index else code
    if not _changed(now, then):
        moved = _over_years(r, mtfs, code)
        if abs(moved) <= CLOSE:
            return None
        n = years_text(len(r.edition.years))
        return f"{title} ({code}) costs {m(abs(moved))} {'more' if moved > 0 else 'less'} over the {n}"
    return f"{title} ({code}) costs {m(now)} a year by {final} instead of {m(then)}"


def _over_years(r: Result, mtfs: Result, row: str, table: str = "cumulative") -> float:
    """A row's change from the MTFS summed over the years (GBP000)."""
    a, b = getattr(r, table), getattr(mtfs, table)
    return sum(cell(a, row, y) - cell(b, row, y) for y in r.edition.years)


def _hn_clause(r: Result, mtfs: Result) -> str | None:
    ed = r.edition
    keys = [k for k in r.high_needs.index if k not in (high_needs.CUMULATIVE,)]
    moved = []
    for k in keys:
        if k in mtfs.high_needs.index and any(
            _changed(cell(r.high_needs, k, y), cell(mtfs.high_needs, k, y)) for y in ed.years
        ):
            moved.append(k)
    parts = [
        k
        for k in moved
        if k not in (rows.HN_TOTAL_EXPENDITURE, rows.HN_GAP_PRE_SAVINGS, rows.HN_TOTAL_SAVINGS, rows.HN_ANNUAL_GAP)
    ]
    if not parts:
        return None
    n = years_text(len(ed.years))
    said = []
    for k in parts:
        change = _over_years(r, mtfs, k, "high_needs")
        said.append(f"{ed.hn_label(k).lower()} cost {m(abs(change))} {'more' if change > 0 else 'less'}")
    return f"High Needs {_joined(said)} over the {n}"


def causes(r: Result, mtfs: Result, terms: guarantee.Terms | None) -> list[str]:
    """What the scenario changes, in words, from its figures: each savings programme and
    growth line whose final-year figure moves, and the High Needs lines that move."""
    ed = r.edition
    out: list[str] = []
    for prog in ed.programmes:
        if prog.kind == "saving":
            clause = _programme_clause(r, mtfs, prog.id, terms)
        else:
            clause = None
            for code in ed.lines_of(prog.id):
                line = _line_clause(r, mtfs, code)
                if line:
                    out.append(line)
        if clause:
            out.append(clause)
    hn = _hn_clause(r, mtfs)
    if hn:
        out.append(hn)
    return out


def _joined(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _versus(x: float, what: str = "the MTFS") -> str:
    if abs(x) < 50:  # under £0.05m: "the same" to one decimal
        return f"the same as {what}"
    return f"{m(abs(x))} {'above' if x > 0 else 'below'} {what}"


def answer_sentence(r: Result, mtfs: Result, terms: guarantee.Terms | None) -> str:
    """One sentence: if <what the scenario changes>, the final-year net budget is <£m>,
    <£m above/below> the MTFS, and the council bears <£m> over the MTFS years (and the
    High Needs deficit, if it moves)."""
    ed = r.edition
    final, n = ed.final_year, len(ed.years)
    net, gap = net_final(r), net_final(r) - net_final(mtfs)
    cost = council_bears(r, mtfs, terms)
    partner = partner_bears(r, terms)
    why = causes(r, mtfs, terms)
    still = abs(float(gap_by_year(r, mtfs).abs().sum())) <= CLOSE and not _changed(hn_final(r), hn_final(mtfs))
    opening = f"If {_joined(why)}, the" if why else "This scenario moves no budget figure: the" if still else "The"
    text = f"{opening} {final} net budget is {m(net)}, {_versus(gap)}"
    if abs(cost) < 50:
        text += f", and over the {years_text(n)} it costs the council no more than the MTFS"
    else:
        more = "more" if cost > 0 else "less"
        text += f", and the council bears {m(abs(cost))} {more} than the MTFS over the {years_text(n)}"
    if partner > CLOSE and terms is not None:
        text += f" ({terms.partner}'s guarantee calls for its extra effort on a further {m(partner)})"
    hn, hn_mtfs = hn_final(r), hn_final(mtfs)
    if _changed(hn, hn_mtfs):
        text += (
            f"; the High Needs deficit reaches {m(hn)} by the end of {final}, {_versus(hn - hn_mtfs, 'the forecast')}"
        )
    return text + "."


def mtfs_sentence(mtfs: Result, rr: RiskResult | None) -> str:
    """The MTFS as published in one sentence, with the simulated chance of overspending it."""
    final = mtfs.edition.final_year
    text = (
        f"As published, the MTFS sets the {final} net budget at {m(net_final(mtfs))} and forecasts a High Needs "
        f"deficit of {m(hn_final(mtfs))} by the end of {final}"
    )
    if rr is not None:
        text += f"; in {pct(rr.p_exceeds_mtfs)} of simulated futures the {final} net budget ends above it"
    return text + "."


@dataclass(frozen=True)
class Note:
    """A short explanation beside a surprising figure: the row (scenario) and column it
    explains in a table of the brief, and the words."""

    table: str
    row: str
    column: str
    text: str


def _plain(d: Any) -> str:
    """An input's plain-English name (a High Needs line in lower case after its block)."""
    from mtfs_model.charts.risk import input_label

    return input_label(d).replace("High Needs: ", "High Needs ").replace(":", "")


def surprises(
    results: Sequence[Result], names: Sequence[str], risk: Sequence[RiskResult], terms: guarantee.Terms | None
) -> list[Note]:
    """Explanations for the figures a reader would query, each only when the figures
    call for it: a guarantee whose chance of binding is about even (the scenario sits at
    the floor), a simulated High Needs P90 far above the forecast (walks compound), and
    an MTFS more likely than not to be overspent (inputs centred away from it)."""
    notes: list[Note] = []
    if not risk:
        return notes
    final = results[0].edition.final_year
    first = risk[0]
    if first.p_exceeds_mtfs > 0.5:
        off = _off_centre(first)
        why = (
            "the simulation centres " + _joined([_centre_clause(d, short=True) for d in off])
            if off
            else "the costs' upside is wider than their downside"
        )
        notes.append(
            Note(
                "answer",
                names[0],
                "above_pct",
                (f"Even the MTFS as published ends above itself in {pct(first.p_exceeds_mtfs)} of futures: {why}."),
            )
        )
    for name, r, rr in zip(names, results, risk, strict=True):
        if terms is None or rr.p_guarantee_binds is None:
            continue
        benefit = -cell(r.cumulative, rows.programme_total(terms.programme), final)
        if abs(benefit - terms.floor) <= CLOSE:
            notes.append(
                Note(
                    "risk",
                    name,
                    "guarantee_binds_pct",
                    (
                        f"About even ({pct(rr.p_guarantee_binds)}): this scenario puts the {final} benefit exactly "
                        f"at the {m(terms.floor)} floor, and the simulation centres on the scenario's own figure, so "
                        "about half the simulated futures fall below the floor and call on the guarantee."
                    ),
                )
            )
    walks = [d for d in first.spec.distributions if d.kind == "high_needs" and d.evolution == "walk"]
    hn_p90 = cell(first.hn_deficit, "P90", final)
    hn_det = hn_final(results[0])
    if hn_det > 0 and hn_p90 > 1.5 * hn_det:
        what = _joined([_plain(d) for d in walks]) if walks else "the High Needs costs"
        evidence = [d for d in first.spec.distributions if d.kind == "high_needs" and is_evidence(d)]
        wide = "".join(
            f" The reference class also puts {_plain(d).replace(', reference class', '')} at {pct(d.p50)} of the "
            f"forecast, {pct(d.p10)} to {pct(d.p90)} at P10-P90: only {len(cited_pairs(d))} comparable budgets "
            "stand behind it, so its spread is wide on purpose."
            for d in evidence
        )
        notes.append(
            Note(
                "risk",
                names[0],
                "hn_p90",
                (
                    f"The High Needs deficit at P90 ({m(hn_p90)}) is {number(hn_p90 / hn_det, 1)} times the forecast "
                    f"({m(hn_det)}): {what} follow a random walk, so one year's rise carries into every later "
                    f"year, and the deficit adds each year's gap to the last.{wide}"
                ),
            )
        )
    return notes


# --- where each centre comes from, and what the guarantee is worth (issue 15) ---------------


def _centre_clause(d: Any, short: bool = False) -> str:
    """Where an input's median sits against the paper's figure, and on what evidence."""
    name = _plain(d).replace(", reference class", "")
    if d.kind == "driver" and ", " in name:  # "... (G1) unit cost, £ a week": the unit is not needed here
        name = name.rsplit(", ", 1)[0]
    if is_evidence(d):
        n = len(cited_pairs(d))
        count = NUMBERS[n] if n < len(NUMBERS) else str(n)
        side = "above" if d.p50 > 1 else "below"
        budgets = "budget" if n == 1 else "budgets"
        why = "reference class" if short else f"reference class: how {count} comparable {budgets} fared"
        by = " by the final year" if d.evolution == "horizon" else ""  # its centre grows with the horizon
        return f"{name} {pct(abs(d.p50 - 1))} {side} the paper's figure{by} ({why})"
    why = "a judgement" if short else "a judgement stated in the edition's risk file"
    return f"{name} at {pct(d.p50)} of the paper's figure ({why})"


def _off_centre(rr: RiskResult) -> list[Any]:
    """The inputs centred away from the paper's figure (the guarantee's effectiveness is a
    share of a shortfall, not a multiplier of a paper figure)."""
    return [d for d in rr.spec.distributions if abs(d.p50 - 1.0) > 1e-9 and d.kind != "guarantee"]


def centres_sentence(evidence: RiskResult, paper: RiskResult) -> str:
    """Why the MTFS as published would need the reserve it does, in one sentence: which
    inputs the (default, evidence-adjusted) simulation centres away from the paper and on
    what evidence, and the reserve were every input centred on the paper's figures."""
    from mtfs_model.brief.figures import CONTINGENCY_LEVELS, contingency

    lo, hi = CONTINGENCY_LEVELS
    period = f"{evidence.years[0]}-{evidence.years[-1]}"
    held = f"{m(contingency(evidence, lo))} (P{lo:g}) or {m(contingency(evidence, hi))} (P{hi:g})"
    paper_held = f"{m(contingency(paper, lo))} or {m(contingency(paper, hi))}"
    off = _off_centre(evidence)
    if not off:
        return (
            f"Over {period} the published MTFS would need a reserve of {held} because its costs' upside is wider "
            "than their downside: no input is centred away from the paper's figures."
        )
    return (
        f"Over {period} the published MTFS would need a reserve of {held} because the simulation centres "
        + _joined([_centre_clause(d) for d in off])
        + f"; centred on the paper's own figures (as the paper assumes) it would need {paper_held}."
    )


def floored_years(rr: RiskResult) -> list[str]:
    """The years whose guaranteed-programme benefit the simulation floors (empty without a
    guarantee): by default only the final year (:mod:`mtfs_model.risk.guarantee`)."""
    from mtfs_model.risk.guarantee import floors

    pid = rr.edition.links.get("guarantee_programme")
    if not pid or rr.guarantee_floor is None:
        return []
    by_year = floors(rr.scenario.inputs, str(pid))
    return [y for y, f in zip(rr.years, by_year, strict=True) if f > 0]


def _effort_words(rr: RiskResult) -> str:
    """The partner's effort as the simulation draws it: its median share and P10-P90."""
    d = next((d for d in rr.spec.distributions if d.kind == "guarantee"), None)
    if d is None:
        return "recovers the whole shortfall"
    return (
        f"recovers {pct(d.p50)} of a shortfall at the median ({pct(d.p10)}-{pct(d.p90)} at P10-P90, a judgement: "
        "the papers record no such remedy)"
    )


def guarantee_sentence(
    worth: Any, terms: guarantee.Terms, final: str, n_years: int, rr: RiskResult | None = None
) -> str:
    """The partner's guarantee as the papers write it and what it is worth to the MTFS as
    published, from :func:`~mtfs_model.brief.figures.guarantee_worth` (its two rows: the
    partner's effort made, and none)."""
    on, off = worth.iloc[0], worth.iloc[1]
    p90_less = float(off["net_p90_final"] - on["net_p90_final"])
    held_less = float(off["contingency_p90"] - on["contingency_p90"])
    years = floored_years(rr) if rr is not None else [final]
    which = _joined(years) if years else final
    only = " only" if len(years) == 1 and n_years > 1 else ""
    effort = _effort_words(rr) if rr is not None else "recovers the shortfall"
    return (
        f'{terms.partner} "guaranteed to deliver an annual benefit of {m(terms.floor)}"; below it "additional '
        f'resource would be put in place to remedy this, at a cost to {terms.partner}": effort, not cash. The '
        f"simulation floors the programme's {which} benefit{only} (the papers give no phasing; its estimate is "
        f'reached "over the next four years"), and the effort {effort}. The floor binds in '
        f"{pct(float(on['binds_pct']))} of futures; with the effort the guarantee covers "
        f"{m(float(on['covered_horizon']))} on average over the {years_text(n_years)}, lowering the {final} P90 net "
        f"budget by {m(p90_less)} and the P90 reserve by {m(held_less)}; without it, nothing. No fee is deducted: "
        'the benefits are "net annually recurring".'
    )


def centre_sentence(name: str, rr: RiskResult) -> str:
    """How a scenario's fan is centred, in one sentence: the inputs it states as outcomes
    (their fan centred on its figure) and that every other figure is read as a plan."""
    return f"{name}: {centre_words(rr)}"


def centre_words(rr: RiskResult) -> str:
    """:func:`centre_sentence` without the name (scenarios read alike share it)."""
    outcome = [d for d in rr.spec.distributions if "(outcome)" in d.origin and not is_evidence(d)]
    if rr.scenario.overrides.get("risk", {}).get("view") == "paper":
        return (
            "as the paper assumes -- every input centred on the paper's figure with no skew, no evidence "
            "multiplier, the guarantee made good in full, the programme's upside capped at its stretch."
        )
    if not outcome:
        return (
            "read as a plan -- every judgement's centre (a programme at its own estimate) and the reference "
            "class's view of how such plans turn out apply on top of its figures."
        )
    what = _joined([_plain(d) for d in outcome])
    return (
        f"{what} is a stated outcome, so that fan is centred on the scenario's figure (the default's centre is not "
        "applied again); every other figure is read as a plan, with the evidence's view on top."
    )


def centre_groups(names: Sequence[str], risk: Sequence[RiskResult]) -> list[str]:
    """One sentence per way of reading a scenario's figures, naming the scenarios read that way."""
    groups: dict[str, list[str]] = {}
    for name, rr in zip(names, risk, strict=True):
        groups.setdefault(centre_words(rr), []).append(name)
    return [f"{_joined(who)}: {words}" for words, who in groups.items()]


def reserve_paragraph(rr: RiskResult, worth: Any | None, terms: guarantee.Terms | None) -> str:
    """Page 1's reserve paragraph: what the MTFS as published would need, for which
    period, what of it recurs, and what the guarantee is worth (GBP m)."""
    from mtfs_model.risk.tail import reserve_table

    table = reserve_table(rr)
    years = rr.years
    total = table.iloc[len(years)]
    structural = table.iloc[len(years) + 1]
    text = (
        f"To cover its overspend against the MTFS over the {years_text(len(years))} {years[0]}-{years[-1]} in 9 "
        f"futures out of 10, the MTFS as published would need a reserve of {m(max(float(total['P90']), 0.0))} "
        f"({m(max(float(total['P80']), 0.0))} in 4 out of 5); it holds none for this. Of that, the {years[-1]} "
        f"overspend ({m(max(float(structural['P90']), 0.0))} at P90) is structural: it recurs after the MTFS unless "
        "savings close it, so a reserve only buys time."
    )
    if worth is not None and terms is not None and len(worth) >= 2:
        less = float(worth.iloc[1]["contingency_p90"] - worth.iloc[0]["contingency_p90"])
        text += (
            f" {terms.partner}'s guarantee, its extra effort below the {m(terms.floor)} floor "
            f"({_joined(floored_years(rr))} only), lowers that reserve by {m(less)}."
        )
    return text


def worst_sentence(rr: RiskResult) -> str:
    """What went wrong in the worst 10 % of futures, in one sentence (@RISK's scenario
    analysis: each input's median percentile there)."""
    worst = rr.worst_futures()
    wrong = worst[worst["went_wrong"]]
    if wrong.empty:
        return "In the worst 10% of futures no single input stands out: they are bad on many small counts."
    by_name = {d.name: d for d in rr.spec.distributions}
    parts = []
    for name, row in wrong.head(5).iterrows():
        d = by_name[str(name)]
        words = _plain(d)
        if is_evidence(d) and "reference class" not in words:
            words += " (reference class)"
        parts.append(f"{words} at its P{number(float(row['median_percentile']))}")
    return (
        "What went wrong in the worst 10% of futures (by the overspend over the MTFS years), each input's median "
        "percentile there: " + _joined(parts) + "; every other input about as usual."
    )


def paper_view_sentence(row: Any, final: str, terms: guarantee.Terms | None = None) -> str:
    """Why the paper view's P50s sit where they do (a row of
    :func:`~mtfs_model.brief.figures.view_figures`, GBP000): each input is centred on the
    paper's figure with no skew, so each P50 is the paper's within what the shapes leave."""
    net, hn = float(row["p50_final"] - row["mtfs_net_final"]), float(row["hn_p50"] - row["hn_forecast"])
    return (
        f"As the paper assumes, each input is centred on the paper's figure with no skew: the {final} High Needs "
        f"deficit's P50 is {m(abs(hn))} {'above' if hn >= 0 else 'below'} the forecast (simulation noise, and costs "
        "walking symmetrically in logs rise a little more than they fall), the net budget's "
        f"{m(abs(net))} {'above' if net >= 0 else 'below'} the MTFS ("
        + (
            f"the {terms.programme} programme's upside is capped at its {m(terms.stretch)} stretch ambition; "
            if terms is not None and terms.stretch is not None
            else ""
        )
        + "unit costs that walk symmetrically in logs skew it the same way)."
    )
