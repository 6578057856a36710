"""Local-authority tables from DfE statistics: High Needs budgets against outturns, and
how often a council's DSG deficit shrank.

Two extracts ship in ``mtfs_model/evidence/data/`` (provenance in its ``README.md``;
Open Government Licence), both from files DfE's SEND-AP-Inclusion-Dashboard repository
last changed in January 2024 -- so both were PUBLISHED in January 2024
(:data:`LA_DATA_PUBLISHED`), whatever years they cover, and an edition dated before then
may not use them (:mod:`mtfs_model.evidence` applies the rule).

* :func:`s251_log_ratios`: per authority, ln(High Needs outturn / budget) excluding place
  funding (the two blocks are on different bases for places).  CAUTION, from the README:
  the budget block is 2021-22 and the outturn block may be 2020-21, so a ratio mixes a
  year's growth with the forecast error.  The calibration therefore uses it only as a
  pooled prior for ``hn_spend`` worth :data:`S251_PRIOR_PAIRS` pairs, never as pairs.
* :func:`deficit_reversals`: for every authority in deficit at the end of a year, whether
  its cumulative DSG deficit (as a % of its DSG allocation) was smaller a year later, by
  how much, and whether it turned to a surplus: the evidence on the High Needs deficit's
  lower tail.

The rows of the bundled council (Leicestershire, DfE number 855) are not in the extracts;
:func:`check_tables` refuses any row that names an edition's council, as the reference
class's rule does.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from mtfs_model.base.errors import InputError, Problem
from mtfs_model.base.rounding import pct
from mtfs_model.evidence.reference_class import OwnCouncil, normalised_name

DATA = Path(__file__).resolve().parent / "data"
S251_FILE = DATA / "dfe_high_needs_s251_budget_outturn_by_la.csv"
DSG_BALANCE_FILE = DATA / "dfe_dsg_cumulative_balance_pct_by_la_2019-20_to_2021-22.csv"
LA_DATA_PUBLISHED = dt.date(2024, 1, 31)
"""When both tables were published: January 2024 (the source files' last change), read as
the month's last day, as :func:`~mtfs_model.evidence.reference_class.published_by` reads a month."""
S251_PRIOR_PAIRS = 3.0
"""How many pairs the s251 table's spread counts as in the ``hn_spend`` prior: few, because
its budget and outturn may be different years (a judgement, stated)."""
S251_HEADINGS = (
    "topup_maintained_academies_FE",
    "topup_nonmaintained_independent",
    "sen_support_inclusion_services",
    "alternative_provision_services",
    "hospital_education",
    "therapies_health",
)
"""The High Needs headings compared (all but place funding, whose basis differs between the blocks)."""


def _names(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].fillna("").astype(str).map(normalised_name)


def check_tables(own: OwnCouncil | None) -> None:
    """Refuse (one :class:`InputError`, a line per row) any row of the two tables that
    names ``own``'s council (normalised name): its figures must stay out of the evidence.

    Parameters
    ----------
    own
        The edition's council, or None (nothing to check).

    Raises
    ------
    InputError
        A row naming the council, a line each (file, row, column).
    """
    if own is None:
        return
    found: list[Problem] = []
    target = normalised_name(own.name)
    for file, column in ((S251_FILE, "la_name"), (DSG_BALANCE_FILE, "la_name")):
        frame = pd.read_csv(file)
        for i in np.flatnonzero(_names(frame, column).to_numpy() == target):
            found.append(
                Problem(
                    str(file),
                    f"row {int(i) + 2}.{column}",
                    f"no row of the edition's own council ({own.name})",
                    frame.iloc[int(i)][column],
                    True,
                )
            )
    if found:
        raise InputError.many(found)


@lru_cache(maxsize=1)
def s251_log_ratios() -> pd.Series:
    """ln(outturn / budget) of each authority's High Needs spend excluding place funding,
    indexed by authority name (authorities with a zero total on either side left out).

    Returns
    -------
    pandas.Series
        ln(outturn / budget), dimensionless, by authority name.
    """
    frame = pd.read_csv(S251_FILE)
    budget = frame[[f"s251_budget_{h}" for h in S251_HEADINGS]].sum(axis=1)
    outturn = frame[[f"s251_outturn_{h}" for h in S251_HEADINGS]].sum(axis=1)
    ok = (budget > 0) & (outturn > 0)
    ratios = (outturn[ok] / budget[ok]).to_numpy(dtype=np.float64)
    return pd.Series(np.log(ratios), index=frame.loc[ok, "la_name"].str.strip(), name="log_ratio")


@dataclass(frozen=True)
class S251Prior:
    """The s251 table summarised as a prior for ``hn_spend``: a centre and a spread of
    the log ratio (median; 1.4826 x the median absolute deviation, a spread robust to the
    table's outliers), worth ``pairs`` pairs."""

    loc: float
    scale: float
    authorities: int
    pairs: float


def s251_prior(excluding: str | None = None) -> S251Prior:
    """The s251 table's prior for ``hn_spend`` (see :class:`S251Prior`), without the row
    of council ``excluding`` (normalised name; the leave-one-council-out check).

    Parameters
    ----------
    excluding
        A council's name whose row is left out, or None.

    Returns
    -------
    S251Prior
    """
    ratios = s251_log_ratios()
    if excluding:
        ratios = ratios[[normalised_name(str(n)) != normalised_name(excluding) for n in ratios.index]]
    x = ratios.to_numpy()
    med = float(np.median(x))
    mad = float(np.median(np.abs(x - med)))
    return S251Prior(med, 1.4826 * mad, len(x), S251_PRIOR_PAIRS)


REVERSAL_COLUMNS = (
    "authority",
    "from_year",
    "to_year",
    "deficit_from_pct",
    "deficit_to_pct",
    "shrank",
    "shrink_share",
    "to_surplus",
)


@dataclass(frozen=True)
class DeficitReversals:
    """How often, and by how much, a council's cumulative DSG deficit shrank in a year.

    ``table`` has a row per authority and year in deficit at the start (a deficit above 0
    % of its DSG allocation) with a figure a year later: ``shrank`` (the deficit a year
    later smaller), ``shrink_share`` (the fall as a share of the starting deficit: 1 =
    cleared; above 1 = turned to a surplus) and ``to_surplus``.  The deficits are a % of
    each year's allocation, so a share compares percentages of two slightly different
    allocations (a stated approximation).  ``published`` is the tables' date;
    ``usable`` whether an edition's fan may use them (published by its ``as_of``).
    """

    table: pd.DataFrame
    published: dt.date
    as_of: dt.date
    usable: bool

    @property
    def transitions(self) -> int:
        """Authority-years in deficit at the start."""
        return len(self.table)

    @property
    def share_shrank(self) -> float:
        """The share of them whose deficit was smaller a year later."""
        return float(self.table["shrank"].mean()) if len(self.table) else math.nan

    @property
    def share_to_surplus(self) -> float:
        """The share of them in surplus a year later."""
        return float(self.table["to_surplus"].mean()) if len(self.table) else math.nan

    def shrink_quantile(self, q: float) -> float:
        """The ``q`` quantile of the fall, as a share of the starting deficit, among those
        that shrank (0.5: the median reversal)."""
        shrank = self.table.loc[self.table["shrank"], "shrink_share"]
        return float(shrank.quantile(q)) if len(shrank) else math.nan

    def statement(self) -> str:
        """The evidence in one paragraph, and whether the fan may use it."""
        text = (
            f"Of {self.transitions} council-years in DSG deficit (DfE, 2019-20 to 2021-22), the deficit was smaller "
            f"a year later in {pct(self.share_shrank, 0)}, by a median {pct(self.shrink_quantile(0.5), 0)} of it; "
            f"{pct(self.share_to_surplus, 0)} turned to a surplus."
        )
        if self.usable:
            return text
        return (
            f"{text} Published {self.published:%B %Y}, after the evidence date {self.as_of.day} {self.as_of:%B %Y}: "
            "the fan may not "
            "use it, so the deficit's lower tail rests on a stated judgement, not on this table."
        )


@lru_cache(maxsize=1)
def _reversal_table() -> pd.DataFrame:
    frame = pd.read_csv(DSG_BALANCE_FILE)
    la = frame[frame["geographic_level"] == "Local authority"]
    wide = la.pivot_table(index="la_name", columns="financial_year", values="deficit", aggfunc="first")
    years = sorted(wide.columns)
    rows = []
    for start, end in itertools.pairwise(years):
        both = wide[[start, end]].dropna()
        for name, (a, b) in both[both[start] > 0].iterrows():
            rows.append([str(name).strip(), start, end, float(a), float(b), bool(b < a), (a - b) / a, bool(b <= 0)])
    return pd.DataFrame(rows, columns=list(REVERSAL_COLUMNS))


def deficit_reversals(as_of: dt.date) -> DeficitReversals:
    """The DSG deficit reversals in the local-authority table (see :class:`DeficitReversals`).

    Parameters
    ----------
    as_of
        The evidence date of the fan asking.

    Returns
    -------
    DeficitReversals
    """
    return DeficitReversals(_reversal_table(), LA_DATA_PUBLISHED, as_of, as_of >= LA_DATA_PUBLISHED)
