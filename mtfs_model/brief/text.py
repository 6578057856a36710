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
        text += f" ({terms.partner} bears a further {m(partner)} under its guarantee)"
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
        off = [d for d in first.spec.distributions if abs(d.p50 - 1.0) > 1e-9]
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
        why = "reference class" if short else f"reference class: how {count} comparable budgets fared"
        return f"{name} {pct(abs(d.p50 - 1))} {side} the paper's figure ({why})"
    why = "a judgement" if short else "a judgement stated in the edition's risk file"
    return f"{name} at {pct(d.p50)} of the paper's figure ({why})"


def centres_sentence(evidence: RiskResult, paper: RiskResult) -> str:
    """Why the MTFS as published carries the contingency it does, in one sentence: which
    inputs the (default, evidence-adjusted) simulation centres away from the paper and on
    what evidence, and the contingency were every input centred on the paper's figures."""
    from mtfs_model.brief.figures import CONTINGENCY_LEVELS, contingency

    lo, hi = CONTINGENCY_LEVELS
    held = f"{m(contingency(evidence, lo))} (P{lo:g}) or {m(contingency(evidence, hi))} (P{hi:g})"
    paper_held = f"{m(contingency(paper, lo))} or {m(contingency(paper, hi))}"
    off = [d for d in evidence.spec.distributions if abs(d.p50 - 1.0) > 1e-9]
    if not off:
        return (
            f"The published MTFS carries a contingency of {held} because its costs' upside is wider than their "
            f"downside: no input is centred away from the paper's figures."
        )
    return (
        f"The published MTFS carries a contingency of {held} because the simulation centres "
        + _joined([_centre_clause(d) for d in off])
        + f"; centred on the paper's own figures (as the paper assumes) it would carry {paper_held}."
    )


def guarantee_sentence(worth: Any, terms: guarantee.Terms, final: str, n_years: int) -> str:
    """What the partner's guarantee is worth to the MTFS as published, in one sentence,
    from :func:`~mtfs_model.brief.figures.guarantee_worth` (its two rows: honoured, failed)."""
    on, off = worth.iloc[0], worth.iloc[1]
    p90_less = float(off["net_p90_final"] - on["net_p90_final"])
    held_less = float(off["contingency_p90"] - on["contingency_p90"])
    return (
        f"The {terms.partner} guarantee of {m(terms.floor)} a year binds in {pct(float(on['binds_pct']))} of simulated "
        f"futures; on average it covers {m(float(on['covered_horizon']))} of shortfall over the {years_text(n_years)}, "
        f"and it lowers the {final} P90 net budget by {m(p90_less)} ({m(float(on['net_p90_final']))} against "
        f"{m(float(off['net_p90_final']))} if the partner fails) and the P90 contingency by {m(held_less)}. "
        "Its fee is not modelled: the papers print neither the fee nor its cap."
    )
