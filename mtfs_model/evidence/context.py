"""The evidence an edition's fan may use, as it stood at the edition's date.

:meth:`EvidenceContext.for_edition` is the one door every fan goes through (simulate,
brief, backtest, what-if): it reads the bundled reference class and any ``--reference-class``
files, applies the out-of-sample rule (a record of the edition's own council, recognised by
its GSS code or name, is refused; a national sum that may include it is flagged and left
out unless ``include_national``), keeps only pairs published by the evidence date
``as_of``, and calibrates every subject with the pooled, horizon-aware model of
:mod:`mtfs_model.evidence.pooled`.  :meth:`EvidenceContext.predictive` gives one subject's
Student-t predictive of the log error; :meth:`EvidenceContext.used_pairs` every pair with
its publication date and whether this fan uses it (and why not).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from mtfs_model.base.errors import InputError
from mtfs_model.base.schema_types import read_toml
from mtfs_model.edition.folder import Edition
from mtfs_model.evidence import la_data, pooled
from mtfs_model.evidence.pooled import HorizonRule, SubjectFit, fit_all, prepare
from mtfs_model.evidence.reference_class import (
    OwnCouncil,
    ReferenceClass,
    Screened,
    load_reference_class,
    own_council,
    screen,
    stamp,
)

DF_FLOOR = 2.0
"""The fewest degrees of freedom a predictive is given: a Student-t with 1 has no mean
(its CRPS is infinite); with 2 it still has very heavy tails."""


@dataclass(frozen=True)
class Predictive:
    """How far one more forecast of ``subject`` may miss:
    ``log(outturn / forecast) ~ loc_at(h) + scale_at(h) * T(df)``.

    ``loc`` and ``scale`` are one year ahead; ``loc_at(h) = loc * min(h, 1)`` (the bias
    accrues up to a year and is then held; ``loc * h`` where ``bias_growth`` is
    ``proportional``, a sensitivity) and ``scale_at(h) = scale * h ** gamma`` (``horizon_rule`` says in
    words whether ``gamma`` is estimated or a judgement).  ``pairs`` are the pair ids
    behind it, ``excluded`` the pairs of its family left out or down-weighted, with why.
    """

    subject: str
    loc: float
    scale: float
    df: float
    horizon_rule: str
    pairs: tuple[str, ...]
    excluded: tuple[tuple[str, str], ...]
    n_councils: int
    as_of: dt.date
    gamma: float = 0.5
    prior: str = ""
    own_pairs: float = 0.0
    bias_growth: str = pooled.BIAS_HELD

    def loc_at(self, horizon_years: float) -> float:
        """The centre of the log error ``horizon_years`` ahead (ln of a multiplier).

        Parameters
        ----------
        horizon_years
            Years from the forecast to the end of the period it is for (>= 0).

        Returns
        -------
        float
            ``loc * min(horizon_years, 1)`` (``loc * horizon_years`` under the
            ``proportional`` rule): see :data:`mtfs_model.evidence.pooled.BIAS_GROWTH`.
        """
        return self.loc * float(pooled.bias_horizon(horizon_years, self.bias_growth))

    def scale_at(self, horizon_years: float) -> float:
        """The Student-t scale of the log error ``horizon_years`` ahead.

        Parameters
        ----------
        horizon_years
            Years from the forecast to the end of the period it is for (>= 0).

        Returns
        -------
        float
            ``scale * horizon_years ** gamma``.
        """
        return self.scale * float(horizon_years) ** self.gamma

    def ppf(self, q: float | npt.ArrayLike, horizon_years: float) -> np.ndarray:
        """The multiplier (outturn / forecast) at quantile ``q``, ``horizon_years`` ahead.

        Parameters
        ----------
        q
            Quantile(s) in (0, 1).
        horizon_years
            Years from the forecast to the end of the period it is for.

        Returns
        -------
        numpy.ndarray
            ``exp(loc_at(h) + scale_at(h) * t.ppf(q, df))``, the shape of ``q``.
        """
        from scipy.stats import t as student  # type: ignore[import-untyped]

        z = student.ppf(np.asarray(q, dtype=np.float64), self.df)
        return np.asarray(np.exp(self.loc_at(horizon_years) + self.scale_at(horizon_years) * z))

    def cdf(self, multiplier: float | npt.ArrayLike, horizon_years: float) -> np.ndarray:
        """The probability that the outturn is at most ``multiplier`` times the forecast.

        Parameters
        ----------
        multiplier
            Outturn / forecast (> 0).
        horizon_years
            Years from the forecast to the end of the period it is for (> 0).

        Returns
        -------
        numpy.ndarray
            The Student-t CDF of the log multiplier, the shape of ``multiplier``.
        """
        from scipy.stats import t as student

        x = np.log(np.asarray(multiplier, dtype=np.float64))
        return np.asarray(student.cdf((x - self.loc_at(horizon_years)) / self.scale_at(horizon_years), self.df))


USED_COLUMNS = (
    "subject",
    "horizon_years",
    "level",
    "unit",
    "published",
    "log_error",
    "weight",
    "used_by_fan",
    "why_not",
    "weight_reason",
)


def papers_date(edition: Edition) -> dt.date:
    """The latest date of ``edition``'s papers (``edition.toml`` ``[edition] papers``): the
    evidence date a back-test always uses, whatever ``risk.toml`` ``evidence_as_of`` says.

    Parameters
    ----------
    edition
        The edition.

    Returns
    -------
    datetime.date

    Raises
    ------
    InputError
        The edition lists no dated paper (naming ``edition.toml``).
    """
    papers = edition.meta.get("papers") or []
    dates = [p["date"] for p in papers if isinstance(p, dict) and isinstance(p.get("date"), dt.date)]
    if not dates:
        raise InputError(
            edition.path / "edition.toml",
            "edition.papers",
            "the papers' dates (the evidence date of the fan), or risk.toml evidence_as_of",
        )
    return max(dates)


def evidence_date(edition: Edition) -> tuple[dt.date, str]:
    """An edition's evidence date and where it comes from: ``risk.toml`` ``evidence_as_of``
    if set, else the latest date of its papers (``edition.toml`` ``[edition] papers``).

    Raises
    ------
    InputError
        The edition has neither (naming ``edition.toml``).

    Parameters
    ----------
    edition
        The edition.

    Returns
    -------
    tuple
        The date and where it comes from, in words.
    """
    risk_file = edition.path / "risk.toml"
    if risk_file.is_file():
        declared = read_toml(risk_file).get("evidence_as_of")
        if isinstance(declared, dt.date) and not isinstance(declared, dt.datetime):
            return declared, f"{risk_file.name} evidence_as_of"
    return papers_date(edition), "the latest date of the edition's papers"


def _unit(row: pd.Series) -> str:
    """The council a pair is about (its GSS code, else its name), or a national sum's scope."""
    if row["level"] == "national":
        return f"national: {row['scope']}"
    return str(row["gss"] or row["council"] or row["scope"])


def _decide(
    table: pd.DataFrame, screened: Screened, as_of: dt.date, include_national: bool
) -> tuple[pd.Series, pd.Series]:
    """Whether the fan uses each pair, and why not (empty when it does)."""
    used, why = [], []
    for pid, row in table.iterrows():
        reason = ""
        published = row["published"]
        if not row["used"]:
            reason = "its later figure is itself a forecast, not an outturn"
        elif not np.isfinite(row["log_error"]):
            reason = "no ratio (a forecast of zero with no spending base)"
        elif published is None:
            reason = "publication date unknown"
        elif published > as_of:
            reason = f"published {published.isoformat()}, after the evidence date {as_of.isoformat()}"
        elif str(pid) in screened.flagged and not include_national:
            reason = screened.flagged[str(pid)]
        elif row["weight"] <= 0:
            reason = f"weight 0: {row['weight_reason']}"
        used.append(not reason)
        why.append(reason)
    return pd.Series(used, index=table.index, dtype=bool), pd.Series(why, index=table.index, dtype=object)


NATIONAL_OVERLAP_WEIGHT = 0.5
"""The weight of a national sum that contains a council pair the fan also uses (same subject
and year): its error partly repeats that council's (a judgement, as the README's caveats are)."""


def _down_weight_sums_of_pairs(table: pd.DataFrame) -> None:
    """A national pair the fan uses (``--include-national``) that contains a council pair it
    also uses -- the same subject and year -- counts :data:`NATIONAL_OVERLAP_WEIGHT`, saying which."""
    used = table[table["used_by_fan"]]
    council = used[used["level"] == "council"]
    for pid, row in used[used["level"] == "national"].iterrows():
        inside = council[(council["subject"] == row["subject"]) & (council["refers_to"] == row["refers_to"])]
        if len(inside) and row["weight"] > NATIONAL_OVERLAP_WEIGHT:
            table.loc[pid, "weight"] = NATIONAL_OVERLAP_WEIGHT
            table.loc[pid, "weight_reason"] = "a national sum that contains another pair of the class: " + ", ".join(
                inside.index
            )


@dataclass(frozen=True)
class EvidenceContext:
    """The reference class as one edition's fan may use it (see the module).  Read-only:
    :meth:`for_edition` shares one context between the fans built from the same inputs."""

    rc: ReferenceClass
    own: OwnCouncil | None
    as_of: dt.date
    as_of_source: str
    include_national: bool
    table: pd.DataFrame
    rule: HorizonRule
    fits: dict[str, SubjectFit] = field(default_factory=dict)
    s251_used: bool = False
    bias_growth: str = pooled.BIAS_HELD
    """The horizon rule of the bias (:data:`mtfs_model.evidence.pooled.BIAS_GROWTH_RULES`)."""

    @classmethod
    def for_edition(
        cls,
        edition: Edition,
        *,
        as_of: dt.date | None = None,
        extra_files: Sequence[str | Path] = (),
        include_national: bool = False,
        bias_growth: str | None = None,
    ) -> EvidenceContext:
        """The evidence ``edition``'s fan may use.

        Parameters
        ----------
        edition
            The edition whose fan is built (its council and evidence date).
        as_of
            The evidence date: only pairs published by then are used.  Default: the
            edition's ``risk.toml`` ``evidence_as_of`` if set, else the latest date of its
            papers (:func:`evidence_date`).  A back-test passes nothing (the edition's date).
        extra_files
            Reference-class files added to the bundled one (``--reference-class``): the
            same rules apply to them.
        include_national
            Use national sums that may include the edition's council (off by default:
            they are flagged and left out).
        bias_growth
            The horizon rule of the bias (``held`` or ``proportional``); default
            :data:`mtfs_model.evidence.pooled.BIAS_GROWTH` as it is at the call (a
            sensitivity run may set it).

        Returns
        -------
        EvidenceContext

        Raises
        ------
        InputError
            A file fails its schema, or holds a record of the edition's own council for a
            year of its horizon or later (one line per record, naming the file and record),
            or a local-authority table holds a row of the council.
        """
        own = own_council(edition)
        if as_of is None:
            as_of, source = evidence_date(edition)
        else:
            source = "given"
        growth = bias_growth or pooled.BIAS_GROWTH
        pooled.bias_horizon(1.0, growth)  # an unknown rule fails here, before anything is read
        files = tuple(Path(x) for x in extra_files)
        inputs = (*files, la_data.S251_FILE, la_data.DSG_BALANCE_FILE)
        return _context(files, tuple(stamp(f) for f in inputs), inputs, own, as_of, source, include_national, growth)

    @classmethod
    def build(
        cls,
        rc: ReferenceClass,
        own: OwnCouncil | None,
        as_of: dt.date,
        source: str = "given",
        include_national: bool = False,
        bias_growth: str = pooled.BIAS_HELD,
    ) -> EvidenceContext:
        """The context of reference class ``rc`` for council ``own`` at ``as_of``
        (:meth:`for_edition` reads these from an edition).

        Parameters
        ----------
        rc, own, as_of, include_national, bias_growth
            As :meth:`for_edition`.
        source
            Where ``as_of`` came from, in words.

        Returns
        -------
        EvidenceContext
        """
        screened = screen(rc, own) if own is not None else Screened((), {})
        if screened.refused:
            raise InputError.many(screened.refused)
        la_data.check_tables(own)
        table = rc.table()
        table["scope"] = [rc.records[str(o)].scope for o in table["outturn"]]
        table["unit"] = [_unit(row) for _, row in table.iterrows()]
        used, why = _decide(table, screened, as_of, include_national)
        table["used_by_fan"], table["why_not"] = used, why
        _down_weight_sums_of_pairs(table)
        rule = HorizonRule.judgement(bias_growth=bias_growth)
        ctx = cls(rc, own, as_of, source, include_national, table, rule, bias_growth=bias_growth)
        return ctx.calibrated()

    def calibrated(self, without_unit: str | None = None) -> EvidenceContext:
        """This context calibrated on the pairs it uses (``without_unit``: leaving out every
        pair of one council -- a GSS code or a name, as the ``unit`` column holds it -- and
        its row of the DfE s251 table; the leave-one-council-out check).

        Parameters
        ----------
        without_unit
            A council whose pairs the calibration must not see, or None.

        Returns
        -------
        EvidenceContext
            A copy with ``rule``, ``fits`` and ``s251_used`` set.
        """
        t = self.table
        keep = t["used_by_fan"] if without_unit is None else t["used_by_fan"] & (t["unit"] != without_unit)
        s251 = None
        if self.as_of >= la_data.LA_DATA_PUBLISHED:
            s251 = la_data.s251_prior(excluding=_council_name(self.rc, without_unit))
        rule, fits = fit_all(prepare(t[keep]), sorted(set(t["subject"])), s251, self.bias_growth)
        return replace(self, rule=rule, fits=dict(fits), s251_used=s251 is not None)

    def subjects(self) -> list[str]:
        """The subjects this context can give a predictive for."""
        return sorted(self.fits)

    def predictive(self, subject: str) -> Predictive:
        """How far one more forecast of ``subject`` may miss (see :class:`Predictive`).

        Parameters
        ----------
        subject
            A subject of the reference class (``csc_spend``, ``hn_spend``, ``hn_gap``,
            ``hn_deficit``, ...).

        Returns
        -------
        Predictive

        Raises
        ------
        InputError
            The subject is unknown, or nothing usable by the evidence date gives it a spread.
        """
        f = self.fits.get(subject)
        if f is None:
            usable = ", ".join(self.fits) or "none: no pair of the class was published by then"
            raise InputError(
                "(reference class)",
                "subject",
                f"a subject with usable pairs by {self.as_of.isoformat()} ({usable})",
                subject,
            )
        excluded = tuple(
            (str(p), str(r["why_not"]) or f"down-weighted to {r['weight']:g}: {r['weight_reason']}")
            for p, r in self.table.iterrows()
            if r["subject"] == subject and (not r["used_by_fan"] or r["weight"] < 1)
        )
        councils = [u for u in f.units if not u.startswith("national")]
        return Predictive(
            subject=subject,
            loc=f.loc,
            scale=f.scale,
            df=max(DF_FLOOR, f.df),
            horizon_rule=self.rule.words(),
            pairs=f.pairs,
            excluded=excluded,
            n_councils=len(councils),
            as_of=self.as_of,
            gamma=f.gamma,
            prior=f.prior,
            own_pairs=f.own_pairs,
            bias_growth=self.bias_growth,
        )

    def used_pairs(self) -> pd.DataFrame:
        """Every pair with its publication date, whether this fan uses it and why not
        (columns :data:`USED_COLUMNS`, indexed by pair id)."""
        return self.table[list(USED_COLUMNS)].copy()

    def deficit_reversals(self) -> la_data.DeficitReversals:
        """The local-authority evidence on how often and how far a council's DSG deficit
        shrank (``usable``: whether this fan may use it, published by ``as_of``)."""
        return la_data.deficit_reversals(self.as_of)


@lru_cache(maxsize=16)
def _context(
    files: tuple[Path, ...],
    stamps: tuple[tuple[int, int], ...],
    inputs: tuple[Path, ...],
    own: OwnCouncil | None,
    as_of: dt.date,
    source: str,
    include_national: bool,
    bias_growth: str,
) -> EvidenceContext:
    """:meth:`EvidenceContext.build` once per set of inputs: every fan of a session (each
    simulate of a goal seek, each scenario of a brief) shares it.  ``stamps`` (the files'
    times and sizes) and ``inputs`` (their paths) key the cache to what is on disk."""
    return EvidenceContext.build(load_reference_class(*files), own, as_of, source, include_national, bias_growth)


def _council_name(rc: ReferenceClass, unit: str | None) -> str | None:
    """The council name behind a unit (a GSS code or a name), for leaving its s251 row out."""
    if unit is None:
        return None
    for r in rc.records.values():
        if unit in (r.gss, r.council):
            return r.council
    return unit
