"""A transformation partner's guarantee on a savings programme, as a model.

The edition says which programme the guarantee applies to and who gives it
(``edition.toml`` ``[links] guarantee_programme`` and ``guarantee_partner``) and what the
papers print about it (``guarantee.toml``, each fact with its source).  In the bundled
edition, for example:

* Newton Europe "guaranteed to deliver an annual benefit of £7m" on the DCFSF programme
  (CF1-CF3) -- the **floor** (``[guarantee] floor``); "it was hoped that this would be as
  much as £9.3m" -- the **estimate** (``[estimate] benefit``); the **stretch** ambition
  is £13.1m (``[stretch] benefit``), both reached "over the next four years"
  (``[horizon] years``).
* "The fee to Newton Europe would be capped and if the savings fell below £7m,
  additional resource would be put in place to remedy this, at a cost to Newton Europe"
  (``[fee]``, ``shortfall_borne_by``).
* The MTFS books CF1-CF3 at £2.2m in 2021/22 rising to £13.2m by 2024/25 -- above even
  the stretch.  The model never types what the MTFS books: it sums the published lines
  of the programme (``edition.lines_of(programme)``).

What the papers do not print, and how the model reads it (each an explicit choice, never
a figure pretending to be published):

* **When the floor applies.**  The guarantee is an *annual* benefit; the estimate and
  the stretch it is compared with are recurring benefits reached by the final MTFS year.
  By default (``floor_phasing = "final_year"``) the floor applies in full to the final
  year's run-rate only; in earlier years nothing is guaranteed and any shortfall against
  the MTFS profile is the council's.  ``"pro_rata"`` instead scales the floor by the MTFS
  profile each year (7,000 x 2,200 / 13,200 in 2021/22, ...).  A scenario chooses with
  ``[guarantee] floor_phasing``.
* **Who bears a shortfall.**  Below the floor the partner adds resource at its own cost:
  ``shortfall below the floor (partner bears) = max(floor - delivered, 0)``.  Between
  what the council can count on, ``max(delivered, floor)``, and what the MTFS books, the
  gap is the council's.  The paper does not say by when the remedy lands; the "net
  budget counting on the guarantee" row assumes it lands in the same year.
* **The fee.**  Capped, but neither fee nor cap is printed.  A scenario may state
  ``[guarantee] fee_rate`` (share of the benefit delivered each year) and
  ``fee_cap_gbp000`` (over the MTFS years) as ASSUMPTIONS; the fee rows appear only
  then, labelled as such.

All money is GBP000 a year, benefits **positive** (a saving delivered), unlike the MTFS's
negative savings lines.  Tables are indexed by stable ids (:data:`MEASURES`,
:data:`LEVELS`, :data:`SUMMARY_COLUMNS`); :func:`measure_labels`, :func:`level_labels`
and :func:`summary_labels` give the printed labels, built from the edition.  Cumulative
rows are running sums over the MTFS years, so their final-year column is the total over
the horizon.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from mtfs_model.base import rows
from mtfs_model.base.cells import cell, row_of
from mtfs_model.base.rounding import gbp_m
from mtfs_model.edition.folder import Edition
from mtfs_model.engine.guarantee_terms import Terms, applies, load_terms, partner_of, programme_of
from mtfs_model.engine.run import Result, unique_names
from mtfs_model.scenarios.inputs import FLOOR_PHASINGS, GuaranteeAssumptions

__all__ = [
    "ASSUMED",
    "COUNCIL",
    "COUNTED",
    "CUM_COUNCIL",
    "CUM_GAP",
    "DELIVERED",
    "EPSILON",
    "FEE",
    "FLOOR",
    "FLOOR_PHASINGS",
    "GAP",
    "LEVELS",
    "MEASURES",
    "NET",
    "NET_GUARANTEED",
    "NET_OF_FEE",
    "PARTNER",
    "SUMMARY_COLUMNS",
    "Terms",
    "applies",
    "assumed",
    "compare",
    "delivered",
    "fee_by_year",
    "floor_by_year",
    "guarantee_table",
    "guarantee_tables",
    "labelled",
    "level_labels",
    "levels",
    "lines_text",
    "load_terms",
    "measure_labels",
    "millions",
    "mtfs_above_stretch",
    "partner_of",
    "phasing_note",
    "programme_of",
    "sources",
    "summary",
    "summary_labels",
]

EPSILON = 1e-6
"""GBP000 (a thousandth of a pound): a shortfall below the floor smaller than this is float
noise from pro-rata scaling (7,000 / 13,200 x each line), not a shortfall."""

# Row ids of guarantee_table (labels: measure_labels)
DELIVERED = "delivered"
ASSUMED = "mtfs_assumes"
GAP = "gap"
FLOOR = "floor"
COUNTED = "counted_on"
PARTNER = "partner_bears"
COUNCIL = "council_bears"
NET = "net_budget"
NET_GUARANTEED = "net_budget_guaranteed"
CUM_GAP = "cumulative_gap"
CUM_COUNCIL = "cumulative_council_bears"
FEE = "fee"
NET_OF_FEE = "delivered_net_of_fee"
MEASURES = (DELIVERED, ASSUMED, GAP, FLOOR, COUNTED, PARTNER, COUNCIL, NET, NET_GUARANTEED, CUM_GAP, CUM_COUNCIL)
"""The rows of :func:`guarantee_table` (then :data:`FEE` and :data:`NET_OF_FEE` if a
scenario assumes a fee)."""

LEVELS = ("floor", "estimate", "stretch", "mtfs")
"""Rows of :func:`levels`: the printed levels, then what the MTFS books."""

SUMMARY_COLUMNS = (
    "delivered_final",
    "mtfs_final",
    "delivered_pct",
    "gap_final",
    "partner_bears_final",
    "council_bears_final",
    "net_budget_final",
    "gap_horizon",
    "council_bears_horizon",
)
"""Columns of :func:`summary`: ``_final`` the final MTFS year, ``_horizon`` the total over
the MTFS years (GBP000, except ``delivered_pct``: a fraction of the MTFS)."""


def _terms(result: Result, terms: Terms | None) -> Terms:
    return terms or load_terms(result.edition)


def _positive(series: Mapping[str, float], years: Sequence[str]) -> pd.Series:
    return pd.Series({y: -float(series[y]) + 0.0 for y in years}, dtype="float64")


def delivered(result: Result, terms: Terms | None = None) -> pd.Series:
    """The guaranteed programme's benefit the scenario delivers, GBP000 by year, positive."""
    t = _terms(result, terms)
    return _positive(row_of(result.cumulative, rows.programme_total(t.programme)), result.years)


def assumed(result: Result, terms: Terms | None = None) -> pd.Series:
    """What the MTFS books from the programme, GBP000 by year, positive: the sum of its
    lines' published profiles (whatever the scenario does to them)."""
    t = _terms(result, terms)
    lines = [ln for ln in result.scenario.inputs.lines.values() if ln.programme == t.programme]
    return _positive({y: sum(ln.published[y] for ln in lines) for y in result.years}, result.years)


def _bad_phasing(phasing: str) -> ValueError:
    return ValueError(f"floor_phasing: expected one of {', '.join(FLOOR_PHASINGS)}, got {phasing!r}")


def floor_by_year(terms: Terms, mtfs: pd.Series, phasing: str = "final_year") -> pd.Series:
    """The guaranteed floor applying each year of ``mtfs`` (its index: the years), GBP000.

    ``final_year``: the full floor in the final year, nothing before.  ``pro_rata``: the
    floor scaled by the MTFS profile's share of its final-year figure.
    """
    years = [str(y) for y in mtfs.index]
    last = years[-1]
    if phasing == "final_year":
        return pd.Series({y: terms.floor if y == last else 0.0 for y in years}, dtype="float64")
    if phasing == "pro_rata":
        final = float(mtfs[last])
        return pd.Series(
            {y: terms.floor * float(mtfs[y]) / final if final > 0 else 0.0 for y in years}, dtype="float64"
        )
    raise _bad_phasing(phasing)


def fee_by_year(benefit: pd.Series, rate: float, cap: float | None = None) -> pd.Series:
    """ASSUMED fee, GBP000 by year of ``benefit``: ``rate`` x the benefit delivered that
    year, the running total held at ``cap`` (GBP000 over the years; None: uncapped)."""
    paid = 0.0
    out = {}
    for y in benefit.index:
        fee = rate * max(float(benefit[y]), 0.0)
        if cap is not None:
            fee = min(fee, max(cap - paid, 0.0))
        out[str(y)] = fee
        paid += fee
    return pd.Series(out, dtype="float64")


def guarantee_table(result: Result, terms: Terms | None = None) -> pd.DataFrame:
    """The guarantee against one scenario, GBP000 by year (rows: the :data:`MEASURES`).

    delivered; what the MTFS assumes; gap = assumed - delivered (positive: the budget
    must find it); the floor applying; what the council can count on = max(delivered,
    floor); the shortfall below the floor, which the partner bears; the gap the council
    bears = assumed - counted on (negative: better than the MTFS); the scenario's net
    budget as delivered and counting on the guarantee (less what the partner bears); the
    cumulative gap and the council's cumulative gap (final year = the horizon's total).
    With a scenario's fee ASSUMPTIONS, two more rows: the fee and the benefit net of it.
    """
    t = _terms(result, terms)
    years = list(result.years)
    g: GuaranteeAssumptions = result.scenario.inputs.guarantee
    got, mtfs = delivered(result, t), assumed(result, t)
    floor = floor_by_year(t, mtfs, g.floor_phasing)
    short = floor - got
    partner = short.where(short > EPSILON, 0.0)  # pro-rata scaling leaves float noise at the floor
    counted = got + partner
    council = mtfs - counted
    net = result.net_budget.astype("float64").reindex(years)
    table: dict[str, pd.Series] = {
        DELIVERED: got,
        ASSUMED: mtfs,
        GAP: mtfs - got,
        FLOOR: floor,
        COUNTED: counted,
        PARTNER: partner,
        COUNCIL: council,
        NET: net,
        NET_GUARANTEED: net - partner,
        CUM_GAP: (mtfs - got).cumsum(),
        CUM_COUNCIL: council.cumsum(),
    }
    if g.fee_rate is not None:
        fee = fee_by_year(got, g.fee_rate, g.fee_cap)
        table[FEE] = fee
        table[NET_OF_FEE] = got - fee
    frame = pd.DataFrame({k: v.reindex(years) for k, v in table.items()}).T
    frame.columns = pd.Index(years)
    return (frame + 0.0).rename_axis("measure")


def _keyed(results: Sequence[Result]) -> dict[str, Result]:
    return dict(zip(unique_names(results), results, strict=True))


def guarantee_tables(results: Sequence[Result], terms: Terms | None = None) -> pd.DataFrame:
    """:func:`guarantee_table` for each scenario, stacked: index (scenario, measure)."""
    parts = {name: guarantee_table(r, terms) for name, r in _keyed(results).items()}
    return pd.concat(parts, names=["scenario", "measure"])


def summary(results: Sequence[Result], terms: Terms | None = None) -> pd.DataFrame:
    """One row per scenario: final-year figures and totals over the MTFS years
    (:data:`SUMMARY_COLUMNS`, GBP000; ``delivered_pct`` is delivered / MTFS in the final
    year as a fraction).  Headers for display: :func:`summary_labels`."""
    table = {}
    for name, r in _keyed(results).items():
        t = guarantee_table(r, terms)
        last = r.years[-1]
        mtfs = cell(t, ASSUMED, last)
        table[name] = {
            "delivered_final": cell(t, DELIVERED, last),
            "mtfs_final": mtfs,
            "delivered_pct": cell(t, DELIVERED, last) / mtfs if mtfs else 0.0,
            "gap_final": cell(t, GAP, last),
            "partner_bears_final": cell(t, PARTNER, last),
            "council_bears_final": cell(t, COUNCIL, last),
            "net_budget_final": cell(t, NET, last),
            "gap_horizon": cell(t, CUM_GAP, last),
            "council_bears_horizon": cell(t, CUM_COUNCIL, last),
        }
    frame = pd.DataFrame.from_dict(table, orient="index", columns=list(SUMMARY_COLUMNS)).astype("float64")
    return frame.rename_axis("scenario")


def compare(results: Sequence[Result], terms: Terms | None = None) -> pd.DataFrame:
    """:func:`summary` with, for each scenario after the first, its difference from the
    first (rows ``"<scenario> - <first>"``, GBP000; ``delivered_pct`` in fractions)."""
    table = summary(results, terms)
    first = table.iloc[0]
    diffs = {f"{name} - {table.index[0]}": table.loc[name] - first for name in table.index[1:]}
    if not diffs:
        return table
    return pd.concat([table, pd.DataFrame(diffs).T.rename_axis("scenario")])


def levels(result: Result, terms: Terms | None = None) -> pd.DataFrame:
    """The printed levels (the floor, and the estimate and stretch where printed) against
    what the MTFS books from the programme's published lines, final-year recurring
    GBP000; rows :data:`LEVELS`: ``benefit``, ``mtfs_minus_benefit`` (positive: the MTFS
    assumes more) and ``benefit_pct`` (the level as a fraction of the MTFS figure)."""
    t = _terms(result, terms)
    mtfs = float(assumed(result, t).iloc[-1])
    named = {"floor": t.floor, "estimate": t.estimate, "stretch": t.stretch, "mtfs": mtfs}
    table = {
        k: {"benefit": v, "mtfs_minus_benefit": mtfs - v, "benefit_pct": v / mtfs if mtfs else 0.0}
        for k, v in named.items()
        if v is not None
    }
    return pd.DataFrame.from_dict(table, orient="index").astype("float64").rename_axis("level")


def mtfs_above_stretch(result: Result, terms: Terms | None = None) -> float:
    """How far the MTFS's final-year figure for the programme exceeds the stretch
    ambition (or, if none is printed, the floor), GBP000 (100 in the bundled edition:
    13,200 - 13,100)."""
    t = _terms(result, terms)
    level = t.stretch if t.stretch is not None else t.floor
    return float(assumed(result, t).iloc[-1]) - level


def lines_text(codes: Sequence[str]) -> str:
    """``["CF1", "CF2", "CF3"]`` -> ``"CF1-CF3"``; two or one line codes joined by ``", "``."""
    return f"{codes[0]}-{codes[-1]}" if len(codes) > 2 else ", ".join(codes)


def _programme_text(edition: Edition, pid: str) -> str:
    return lines_text(edition.lines_of(pid)) or pid


def measure_labels(edition: Edition) -> dict[str, str]:
    """Printed labels of :func:`guarantee_table`'s rows, built from the edition."""
    pid = programme_of(edition) or ""
    short = (edition.programme(pid).short or pid) if pid else "Programme"
    return {
        DELIVERED: f"{short} benefit delivered",
        ASSUMED: f"MTFS assumes ({_programme_text(edition, pid)})" if pid else "MTFS assumes",
        GAP: "Gap to the MTFS",
        FLOOR: "Guarantee floor applying",
        COUNTED: "Benefit the council can count on",
        PARTNER: "Shortfall below the floor (partner bears)",
        COUNCIL: "Gap the council bears",
        NET: "Net budget (as delivered)",
        NET_GUARANTEED: "Net budget counting on the guarantee",
        CUM_GAP: "Cumulative cost of the gap to the MTFS",
        CUM_COUNCIL: "Cumulative gap the council bears",
        FEE: "Fee (ASSUMPTION: not printed)",
        NET_OF_FEE: "Benefit delivered net of fee (ASSUMPTION)",
    }


def level_labels(edition: Edition) -> dict[str, str]:
    """Printed labels of :func:`levels`' rows."""
    pid = programme_of(edition) or ""
    return {
        "floor": f"Guarantee ({partner_of(edition)} floor)",
        "estimate": "Estimate",
        "stretch": "Stretch ambition",
        "mtfs": f"MTFS assumes ({_programme_text(edition, pid)})" if pid else "MTFS assumes",
    }


def summary_labels(edition: Edition) -> dict[str, str]:
    """Display headers of :data:`SUMMARY_COLUMNS` and of :func:`levels`' columns, with the
    edition's final year and the number of MTFS years."""
    final, n = edition.final_year, len(edition.years)
    return {
        "delivered_final": f"Delivered {final}",
        "mtfs_final": f"MTFS assumes {final}",
        "delivered_pct": "Delivered, % of MTFS",
        "gap_final": f"Gap to MTFS {final}",
        "partner_bears_final": f"Partner bears {final}",
        "council_bears_final": f"Council bears {final}",
        "net_budget_final": f"Net budget {final}",
        "gap_horizon": f"Gap to MTFS, {n} years",
        "council_bears_horizon": f"Council bears, {n} years",
        "benefit": f"Recurring by {final}",
        "mtfs_minus_benefit": "MTFS minus this",
        "benefit_pct": "% of MTFS",
    }


def labelled(table: pd.DataFrame, edition: Edition) -> pd.DataFrame:
    """A table of this module (by measure, by level, or stacked by scenario and measure)
    with its row ids replaced by the printed labels (display only)."""
    level = "level" if "level" in table.index.names else "measure"
    names = level_labels(edition) if level == "level" else measure_labels(edition)
    if isinstance(table.index, pd.MultiIndex):
        return table.rename(index=lambda i: names.get(str(i), str(i)), level=level)
    return table.rename(index=lambda i: names.get(str(i), str(i)))


def millions(x: float) -> str:
    """GBP000 as GBP millions: 7,000 -> ``£7m``, 13,100 -> ``£13.1m``."""
    return gbp_m(x).replace(".0m", "m")


def phasing_note(phasing: str, terms: Terms | None = None) -> str:
    """One sentence on how the floor phases in, for a brief's footnote."""
    t = terms or load_terms()
    floor = millions(t.floor)
    if phasing == "final_year":
        return (
            f"The {floor} guarantee is read as the {t.final_year} run-rate (the year the estimate, the stretch and "
            "the MTFS profile reach their recurring figures); in earlier years nothing is guaranteed."
        )
    if phasing == "pro_rata":
        return f"The {floor} guarantee is phased in pro rata to the MTFS's {lines_text(t.lines)} profile, every year."
    raise _bad_phasing(phasing)


def sources(terms: Terms | None = None) -> dict[str, Any]:
    """The source tables of the printed facts, by key (for footnotes)."""
    return dict((terms or load_terms()).sources)
