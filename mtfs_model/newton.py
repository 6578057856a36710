"""The Newton Europe contingent fee for the DCFSF programme (CF1-CF3), as a model.

What the papers print (``data/newton.toml``, each figure with its source):

* Newton Europe "guaranteed to deliver an annual benefit of £7m" (the **floor**); "it was
  hoped that this would be as much as £9.3m" (the **estimate**, also DCFSF update para
  19); the programme's **stretch** ambition is £13.1m, both "over the next four years".
* "The fee to Newton Europe would be capped and if the savings fell below £7m, additional
  resource would be put in place to remedy this, at a cost to Newton Europe."
* The MTFS books CF1-CF3 at £2.2m in 2021/22 rising to **£13.2m** by 2024/25 -- above
  even the stretch.  The model never types the £13.2m: it sums the scenario's published
  CF1-CF3 lines (Appendix B).

What they do not print, and how the model reads it (each an explicit choice, never a
figure pretending to be published):

* **When the floor applies.**  The guarantee is an *annual* benefit; the estimate and the
  stretch it is compared with are recurring benefits reached over four years, and the
  MTFS profile reaches its full figure in 2024/25.  By default (``floor_phasing =
  "final_year"``) the floor applies in full to the 2024/25 run-rate only; in earlier
  years nothing is guaranteed and any shortfall against the MTFS profile is the
  council's.  ``"pro_rata"`` instead scales the floor by the MTFS profile each year
  (7,000 x 2,200 / 13,200 in 2021/22, ...).  A scenario chooses with ``[newton]
  floor_phasing``.
* **Who bears a shortfall.**  Below the floor the partner adds resource at its own cost
  to remedy it: ``shortfall below the floor (partner bears) = max(floor - delivered, 0)``.
  Between what the council can count on, ``max(delivered, floor)``, and what the MTFS
  books, the gap is the council's.  The paper does not say by when the remedy lands; the
  "net budget counting on the guarantee" row assumes it lands in the same year.
* **The fee.**  Capped, "commensurate to benefits delivered", but neither fee nor cap is
  printed.  A scenario may state ``[newton] fee_rate`` (share of the benefit delivered
  each year) and ``fee_cap_gbp000`` (over the four years) as ASSUMPTIONS; the fee rows
  appear only then, labelled as such.

All money is GBP000 a year, benefits **positive** (a saving delivered), unlike the MTFS's
negative savings lines.  Cumulative rows are running sums over the MTFS years, so their
2024/25 column is the four-year total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from . import revenue
from .data import DATA_DIR, cell, number, read_toml, row_of
from .engine import Result
from .errors import InputError
from .scenarios import NEWTON_FLOOR_PHASINGS, NewtonAssumptions
from .years import YEARS

NEWTON_FILE = DATA_DIR / "newton.toml"
PROGRAMME = "DCFSF"
LAST = YEARS[-1]
EPSILON = 1e-6
"""GBP000 (a thousandth of a pound): a shortfall below the floor smaller than this is float
noise from pro-rata scaling (7,000 / 13,200 x each line), not a shortfall."""

DELIVERED = "DCFSF benefit delivered"
ASSUMED = "MTFS assumes (CF1-CF3)"
GAP = "Gap to the MTFS"
FLOOR = "Guarantee floor applying"
COUNTED = "Benefit the council can count on"
PARTNER = "Shortfall below the floor (partner bears)"
COUNCIL = "Gap the council bears"
NET = "Net budget (as delivered)"
NET_GUARANTEED = "Net budget counting on the guarantee"
CUM_GAP = "Cumulative cost of the gap to the MTFS"
CUM_COUNCIL = "Cumulative gap the council bears"
FEE = "Fee (ASSUMPTION: not printed)"
NET_OF_FEE = "Benefit delivered net of fee (ASSUMPTION)"
MEASURES = (DELIVERED, ASSUMED, GAP, FLOOR, COUNTED, PARTNER, COUNCIL, NET, NET_GUARANTEED, CUM_GAP, CUM_COUNCIL)

SUMMARY_COLUMNS = (
    "delivered_2024_25",
    "mtfs_2024_25",
    "delivered_pct",
    "gap_2024_25",
    "partner_bears_2024_25",
    "council_bears_2024_25",
    "net_budget_2024_25",
    "gap_four_years",
    "council_bears_four_years",
)
"""Columns of :func:`summary` (GBP000, except ``delivered_pct``: a fraction of the MTFS)."""


@dataclass(frozen=True)
class Terms:
    """The contingent-fee arrangement as printed (GBP000 a year, positive benefits)."""

    floor: float
    """Guaranteed annual benefit: 7,000."""
    estimate: float
    """Hoped-for / estimated annual benefit: 9,300."""
    stretch: float
    """Stretch ambition: 13,100."""
    horizon_years: int
    """Years over which the estimate and stretch are reached (4: by 2024/25)."""
    shortfall_borne_by: str
    """Who bears a shortfall below the floor, as printed ("partner")."""
    fee_printed: bool
    """Whether the papers print the fee or its cap (they do not)."""
    sources: dict[str, dict[str, str]]
    """``source`` table (doc, ref, grep) of each fact: guarantee, estimate, stretch, ..."""
    texts: dict[str, str]
    """The sentence each fact is taken from."""


def load_terms(path: Path = NEWTON_FILE) -> Terms:
    """Read and check ``newton.toml``: floor <= estimate <= stretch, every fact sourced."""
    raw = read_toml(path)
    for key in ("guarantee", "estimate", "stretch", "horizon", "mtfs"):
        if not isinstance(raw.get(key), Mapping):
            raise InputError(path, key, "a table", show_got=False)
        src = raw[key].get("source")
        if not isinstance(src, Mapping) or not {"doc", "ref", "grep"} <= set(src):
            raise InputError(path, f"{key}.source", "a source table (doc, ref, grep)", show_got=False)
    floor = number(raw["guarantee"].get("floor"), path, "guarantee.floor", minimum=0.0)
    estimate = number(raw["estimate"].get("benefit"), path, "estimate.benefit", minimum=floor)
    stretch = number(raw["stretch"].get("benefit"), path, "stretch.benefit", minimum=estimate)
    years = raw["horizon"].get("years")
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise InputError(path, "horizon.years", "a whole number of years", years)
    fee = raw.get("fee", {})
    keys = ("guarantee", "estimate", "stretch", "horizon", "programme_end", "mtfs")
    return Terms(
        floor=floor,
        estimate=estimate,
        stretch=stretch,
        horizon_years=years,
        shortfall_borne_by=str(raw["guarantee"].get("shortfall_borne_by", "")),
        fee_printed=bool(fee.get("cap_printed", False)),
        sources={k: dict(raw[k]["source"]) for k in keys if k in raw and "source" in raw[k]},
        texts={k: str(raw[k]["text"]) for k in keys if k in raw and "text" in raw[k]},
    )


def _positive(series: Mapping[str, float]) -> pd.Series:
    return pd.Series({y: -float(series[y]) + 0.0 for y in YEARS}, dtype="float64")


def delivered(result: Result) -> pd.Series:
    """DCFSF (CF1-CF3) benefit the scenario delivers, GBP000 a year by year, positive."""
    return _positive(row_of(result.cumulative, revenue.PROGRAMME_LABELS[PROGRAMME]))


def assumed(result: Result) -> pd.Series:
    """What the MTFS books from CF1-CF3, GBP000 by year, positive: the sum of the lines'
    published Appendix B profiles (whatever the scenario does to them)."""
    lines = [ln for ln in result.scenario.inputs.lines.values() if ln.programme == PROGRAMME]
    return _positive({y: sum(ln.published[y] for ln in lines) for y in YEARS})


def floor_by_year(terms: Terms, mtfs: pd.Series, phasing: str = "final_year") -> pd.Series:
    """The guaranteed floor applying each year, GBP000.

    ``final_year``: the full floor in 2024/25, nothing before.  ``pro_rata``: the floor
    scaled by the MTFS profile's share of its 2024/25 figure.
    """
    if phasing == "final_year":
        return pd.Series({y: terms.floor if y == LAST else 0.0 for y in YEARS}, dtype="float64")
    if phasing == "pro_rata":
        last = float(mtfs[LAST])
        return pd.Series({y: terms.floor * float(mtfs[y]) / last if last > 0 else 0.0 for y in YEARS}, dtype="float64")
    raise ValueError(f"floor_phasing: expected one of {', '.join(NEWTON_FLOOR_PHASINGS)}, got {phasing!r}")


def fee_by_year(benefit: pd.Series, rate: float, cap: float | None = None) -> pd.Series:
    """ASSUMED fee, GBP000 by year: ``rate`` x the benefit delivered that year, the running
    total held at ``cap`` (GBP000 over the four years; None: uncapped)."""
    paid = 0.0
    out = {}
    for y in YEARS:
        fee = rate * max(float(benefit[y]), 0.0)
        if cap is not None:
            fee = min(fee, max(cap - paid, 0.0))
        out[y] = fee
        paid += fee
    return pd.Series(out, dtype="float64")


def guarantee_table(result: Result, terms: Terms | None = None) -> pd.DataFrame:
    """The guarantee against one scenario, GBP000 by year (rows: the ``MEASURES``).

    delivered; what the MTFS assumes; gap = assumed - delivered (positive: the budget
    must find it); the floor applying; what the council can count on = max(delivered,
    floor); the shortfall below the floor, which the partner bears; the gap the council
    bears = assumed - counted on (negative: better than the MTFS); the scenario's net
    budget as delivered and counting on the guarantee (less what the partner bears); the
    cumulative gap and the council's cumulative gap (2024/25 = four-year total).  With a
    scenario's fee ASSUMPTIONS, two more rows: the fee and the benefit net of it.
    """
    terms = terms or load_terms()
    nw: NewtonAssumptions = result.scenario.inputs.newton
    got, mtfs = delivered(result), assumed(result)
    floor = floor_by_year(terms, mtfs, nw.floor_phasing)
    short = floor - got
    partner = short.where(short > EPSILON, 0.0)  # pro-rata scaling leaves float noise at the floor
    counted = got + partner
    council = mtfs - counted
    net = pd.Series(row_of(result.revenue, "Proposed/provisional net budget"), dtype="float64").reindex(list(YEARS))
    rows: dict[str, pd.Series] = {
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
    if nw.fee_rate is not None:
        fee = fee_by_year(got, nw.fee_rate, nw.fee_cap)
        rows[FEE] = fee
        rows[NET_OF_FEE] = got - fee
    frame = pd.DataFrame({k: v.reindex(list(YEARS)) for k, v in rows.items()}).T
    frame.columns = pd.Index(list(YEARS))
    return (frame + 0.0).rename_axis("measure")


def _keyed(results: Sequence[Result]) -> dict[str, Result]:
    out: dict[str, Result] = {}
    for r in results:
        key = r.scenario.name
        while key in out:  # the same scenario twice still gets its own rows
            key += "'"
        out[key] = r
    return out


def guarantee_tables(results: Sequence[Result], terms: Terms | None = None) -> pd.DataFrame:
    """:func:`guarantee_table` for each scenario, stacked: index (scenario, measure)."""
    terms = terms or load_terms()
    parts = {name: guarantee_table(r, terms) for name, r in _keyed(results).items()}
    return pd.concat(parts, names=["scenario", "measure"])


def summary(results: Sequence[Result], terms: Terms | None = None) -> pd.DataFrame:
    """One row per scenario: 2024/25 figures and four-year totals (``SUMMARY_COLUMNS``,
    GBP000; ``delivered_pct`` is delivered / MTFS in 2024/25 as a fraction)."""
    terms = terms or load_terms()
    rows = {}
    for name, r in _keyed(results).items():
        t = guarantee_table(r, terms)
        mtfs = cell(t, ASSUMED, LAST)
        rows[name] = {
            "delivered_2024_25": cell(t, DELIVERED, LAST),
            "mtfs_2024_25": mtfs,
            "delivered_pct": cell(t, DELIVERED, LAST) / mtfs if mtfs else 0.0,
            "gap_2024_25": cell(t, GAP, LAST),
            "partner_bears_2024_25": cell(t, PARTNER, LAST),
            "council_bears_2024_25": cell(t, COUNCIL, LAST),
            "net_budget_2024_25": cell(t, NET, LAST),
            "gap_four_years": cell(t, CUM_GAP, LAST),
            "council_bears_four_years": cell(t, CUM_COUNCIL, LAST),
        }
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(SUMMARY_COLUMNS)).astype("float64")
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
    """The arrangement's three printed levels against what the MTFS books (from the
    result's published CF1-CF3 lines), 2024/25 recurring GBP000: ``benefit``,
    ``mtfs_minus_benefit`` (positive: the MTFS assumes more) and ``benefit_pct`` (the
    level as a fraction of the MTFS figure)."""
    terms = terms or load_terms()
    mtfs = float(assumed(result)[LAST])
    named = {
        "Guarantee (Newton Europe floor)": terms.floor,
        "Estimate": terms.estimate,
        "Stretch ambition": terms.stretch,
        "MTFS assumes (CF1-CF3, Appendix B)": mtfs,
    }
    rows = {
        k: {"benefit": v, "mtfs_minus_benefit": mtfs - v, "benefit_pct": v / mtfs if mtfs else 0.0}
        for k, v in named.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index").astype("float64").rename_axis("level")


def mtfs_above_stretch(result: Result, terms: Terms | None = None) -> float:
    """How far the MTFS's 2024/25 CF1-CF3 figure exceeds the stretch ambition, GBP000
    (100 on the published papers: 13,200 - 13,100)."""
    terms = terms or load_terms()
    return float(assumed(result)[LAST]) - terms.stretch


def phasing_note(phasing: str) -> str:
    """One sentence on how the floor phases in, for a brief's footnote."""
    if phasing == "final_year":
        return (
            "The £7m guarantee is read as the 2024/25 run-rate (the year the estimate, the stretch and the MTFS "
            "profile reach their recurring figures); in earlier years nothing is guaranteed."
        )
    if phasing == "pro_rata":
        return "The £7m guarantee is phased in pro rata to the MTFS's CF1-CF3 profile, every year."
    raise ValueError(f"floor_phasing: expected one of {', '.join(NEWTON_FLOOR_PHASINGS)}, got {phasing!r}")


def sources(terms: Terms | None = None) -> dict[str, Any]:
    """The source tables of the printed facts, by key (for footnotes)."""
    return dict((terms or load_terms()).sources)
