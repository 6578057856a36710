"""The reference class: how comparable forecasts fared, as data with provenance.

Reference-class forecasting (Kahneman and Tversky; Flyvbjerg, "From Nobel Prize to
project management", 2006; HM Treasury Green Book supplementary guidance on optimism
bias) sets a forecast's centre and spread from how comparable forecasts actually fared,
not from the forecaster's own view.  The package ships a reference class of English
councils' and national forecasts of High Needs (DSG) spending, gaps and deficits and of
children's social care spending, each figure with the page it was read on and a phrase
that locates it (``mtfs_model/evidence/reference_class.toml``, transcribed from the
project's evidence folder; the schema is :class:`ReferenceClassFile`).

The file holds **records** (one printed figure each: a forecast ``F`` or an outturn
``O``) and **pairs** (a forecast and what happened).  Derived per pair
(:meth:`ReferenceClass.table`): the ratio outturn / forecast, the error as a share of the
spending base where the base is known (``spend_ratio`` = 1 + that share: a spending
outturn over its forecast), the log error the calibration uses, the horizon (years
between the forecast and the end of the period) and its class (in-year, year ahead,
multi-year).

**Extensible**: a council adds its own history and its neighbours' in a file of the same
schema (:func:`load_reference_class` reads it beside the bundled one; ids must be
unique).  **As it stood**: every record carries the date it was published (``made``, as
printed; :func:`published_by` reads it as the LAST day it can mean, so a record dated
``2021`` counts as published on 31 December 2021), and a pair is published when the later
of its two figures is (:meth:`ReferenceClass.table` ``published``).  **Out of sample**:
:func:`screen` refuses a record of an edition's own council -- recognised by its ONS/GSS
code (``gss``) or, without one, by its normalised name in ``council``, ``scope`` or
``body`` -- for a year of that edition's horizon or later (those figures are what a
back-test judges, never evidence the fan is built from), and flags a national sum that
may include the council (a record with no council, whose ``excludes_gss`` does not list
the council's code).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import Field, ValidationError

from mtfs_model.base.errors import InputError, Problem
from mtfs_model.base.schema_types import Strict, Text, problems_of, read_toml
from mtfs_model.edition.folder import Edition

REFERENCE_CLASS_FILE = Path(__file__).resolve().parent / "reference_class.toml"
"""The reference class the package ships."""
MAX_GBP = 1e13
"""The largest figure a record may hold, in pounds (GBP10tn: a guard, far above any)."""
HORIZON_CLASSES = (("in_year", 0.0, 0.9), ("year_ahead", 0.9, 1.5), ("multi_year", 1.5, math.inf))
"""Horizon classes: ``(name, from, to)`` in years, ``from <= horizon < to``."""
SPENDING_SUBJECTS_SUFFIX = "_spend"
"""A subject whose name ends so is a spending total: its pairs are compared by
``spend_ratio`` (gap pairs with a known base join it); any other subject by ``ratio``."""

Pounds = Annotated[float, Field(allow_inf_nan=False, ge=0.0, le=MAX_GBP)]
Share = Annotated[float, Field(allow_inf_nan=False, ge=-1.0, le=10.0)]
Years = Annotated[float, Field(allow_inf_nan=False, gt=0.0, le=30.0)]
Id = Annotated[str, Field(pattern=r"^[a-z0-9_]+$", min_length=1, max_length=80)]
Gss = Annotated[str, Field(pattern=r"^[EWSN]\d{8}$")]
"""An ONS/GSS local-authority code: a letter for the nation and eight digits (``E10000018``)."""
Weight = Annotated[float, Field(allow_inf_nan=False, ge=0.0, le=1.0)]


class RecordSource(Strict):
    """Where a figure is printed: the page's title, its address and a phrase that locates it."""

    title: Text
    href: Text
    phrase: Text


class Record(Strict):
    """One printed figure: a forecast (``F``) or an outturn or estimate of an actual (``O``)."""

    id: Id
    scope: Text
    """Whose figure: a council's key (``devon``) or a national scope (``england``)."""
    council: Text | None = None
    """The council's name, for a council's own figure (checked against an edition's council)."""
    gss: Gss | None = None
    """The council's ONS/GSS code (``E10000008`` Devon): how an edition's own council is recognised."""
    excludes_gss: list[Gss] = Field(default_factory=list)
    """For a sum over many councils: the councils it is known NOT to include (by GSS code).
    A national sum that does not list an edition's council may include it, and is flagged."""
    subject: Text
    """What the figure measures, as printed (``hn_spend``, ``dsg_cumulative_deficit``, ...)."""
    body: Text
    """Who made or printed the figure."""
    made: Text
    """When the figure was made or published (as printed: ``2021``, ``2021-03``, ``2021-03-09``,
    ``2022/23 in-year``, ``2025 Q2``; anything else, such as ``plan``, is an unknown date)."""
    refers_to: Text
    """The period or date it is for: ``2021/22``, ``2023-03-31``, ``2025``."""
    kind: Literal["F", "O"]
    value_gbp: Pounds | None = None
    basis: Text | None = None
    timing: Text
    """How long before the figure's date the forecast was made (``budget``, ``in-year Q2``, ``actual``)."""
    source: RecordSource


class Pair(Strict):
    """A forecast and what happened (see the file's header for every key)."""

    id: Id
    forecast: Id | None = None
    outturn: Id
    subject: Id
    measure: Literal["spend", "gap"]
    base_share: Share | None = None
    """The error as a share of the spending base, where the papers print it."""
    base_gbp: Pounds | None = None
    """The spending base in pounds, where known: the error's share of it is derived."""
    horizon_years: Years
    horizon_note: Text | None = None
    level: Literal["council", "national"]
    outturn_is_forecast: bool = False
    weight: Weight = 1.0
    """How much the pair counts in the calibration (1: fully; 0.5: its basis is questioned)."""
    weight_reason: Text | None = None
    """Why the pair is down-weighted (required below 1)."""
    note: Text | None = None


class ReferenceClassFile(Strict):
    """A reference-class file: ``[[record]]`` and ``[[pair]]`` arrays."""

    record: list[Record] = Field(default_factory=list)
    pair: list[Pair] = Field(default_factory=list)


def horizon_class(years: float) -> str:
    """``in_year``, ``year_ahead`` or ``multi_year`` (:data:`HORIZON_CLASSES`)."""
    for name, lo, hi in HORIZON_CLASSES:
        if lo <= years < hi:
            return name
    return HORIZON_CLASSES[-1][0]


def is_spending(subject: str) -> bool:
    return subject.endswith(SPENDING_SUBJECTS_SUFFIX)


PAIR_COLUMNS = (
    "subject", "horizon", "horizon_years", "level", "used", "council", "gss", "published", "weight", "weight_reason",
    "refers_to", "forecast_gbp",
    "outturn_gbp", "ratio", "error_share", "spend_ratio", "log_error", "forecast", "outturn", "href", "note",
)  # fmt: skip


@dataclass(frozen=True)
class ReferenceClass:
    """The records and pairs of one or more reference-class files, checked."""

    records: dict[str, Record]
    pairs: tuple[Pair, ...]
    files: tuple[Path, ...]
    origin: dict[str, Path] = field(default_factory=dict)
    """The file each record was read from."""

    def pair(self, pair_id: str) -> Pair:
        for p in self.pairs:
            if p.id == pair_id:
                return p
        raise KeyError(pair_id)

    def derived(self, p: Pair) -> dict[str, Any]:
        """One pair's derived figures (see :data:`PAIR_COLUMNS`)."""
        out = self.records[p.outturn]
        fc = self.records[p.forecast] if p.forecast else None
        f = fc.value_gbp if fc else None
        o = out.value_gbp
        ratio = o / f if f and o is not None and f > 0 and o > 0 else math.nan
        if p.base_share is not None:
            share = p.base_share
        elif p.base_gbp and f is not None and o is not None:
            share = (o - f) / p.base_gbp
        elif p.measure == "spend" and not math.isnan(ratio):
            share = ratio - 1.0
        else:
            share = math.nan
        spend_ratio = 1.0 + share if not math.isnan(share) and share > -1.0 else math.nan
        compared = spend_ratio if is_spending(p.subject) else ratio
        return {
            "subject": p.subject, "horizon": horizon_class(p.horizon_years), "horizon_years": p.horizon_years,
            "level": p.level, "used": not p.outturn_is_forecast, "council": out.council or "", "gss": out.gss or "",
            "published": pair_published(fc, out), "weight": p.weight, "weight_reason": p.weight_reason or "",
            "refers_to": out.refers_to, "forecast_gbp": f if f is not None else math.nan,
            "outturn_gbp": o if o is not None else math.nan, "ratio": ratio, "error_share": share,
            "spend_ratio": spend_ratio, "log_error": math.log(compared) if compared > 0 else math.nan,
            "forecast": p.forecast or "", "outturn": p.outturn, "href": out.source.href,
            "note": " ".join(x for x in (p.note, p.horizon_note) if x),
        }  # fmt: skip

    def table(self) -> pd.DataFrame:
        """Every pair with its derived figures, indexed by pair id (in the files' order).

        ``log_error`` is ln of ``spend_ratio`` for a spending subject, of ``ratio`` for any
        other; missing where the pair has no such ratio (a gap forecast of zero with no base).
        ``used`` is False for a pair whose later figure is itself a forecast.  ``published``
        is the pair's publication date (:func:`pair_published`; ``None`` when unknown).
        """
        rows = {p.id: self.derived(p) for p in self.pairs}
        return pd.DataFrame.from_dict(rows, orient="index", columns=list(PAIR_COLUMNS)).rename_axis("pair")

    def records_table(self) -> pd.DataFrame:
        cols = [
            "scope",
            "council",
            "gss",
            "subject",
            "body",
            "made",
            "refers_to",
            "kind",
            "value_gbp",
            "basis",
            "timing",
        ]
        rows = {
            r.id: [*(getattr(r, c) for c in cols), r.source.title, r.source.href, r.source.phrase]
            for r in self.records.values()
        }
        return pd.DataFrame.from_dict(rows, orient="index", columns=[*cols, "title", "href", "phrase"]).rename_axis(
            "record"
        )


def _check_links(records: dict[str, Record], pairs: Sequence[tuple[Path, int, Pair]], found: list[Problem]) -> None:
    seen: set[str] = set()
    for file, i, p in pairs:
        where = f"pair[{i}]"

        def add(key: str, expected: str, got: Any, where: str = where, file: Path = file) -> None:
            found.append(Problem(str(file), f"{where}.{key}", expected, got, True))

        if p.id in seen:
            add("id", "a pair id used once", p.id)
        seen.add(p.id)
        for key in ("forecast", "outturn"):
            rid = getattr(p, key)
            if rid is not None and rid not in records:
                add(key, "the id of a record", rid)
        if p.outturn not in records or (p.forecast is not None and p.forecast not in records):
            continue
        out = records[p.outturn]
        if p.forecast is not None and records[p.forecast].kind != "F":
            add("forecast", "a record of kind F (a forecast)", p.forecast)
        if out.kind != "O" and not p.outturn_is_forecast:
            add("outturn", "a record of kind O, or outturn_is_forecast = true", p.outturn)
        if out.value_gbp is None:
            add("outturn", "a record with a value_gbp", p.outturn)
        if p.forecast is None and p.base_share is None:
            add("base_share", "the error as a share of the base (a pair with no forecast record)", None)
        if p.weight < 1.0 and not p.weight_reason:
            add("weight_reason", "why the pair is down-weighted (a weight below 1 needs a reason)", None)
        if p.measure == "spend" and p.forecast is not None:
            f = records[p.forecast].value_gbp
            if not f or f <= 0:
                add("forecast", "a spending forecast above 0 (measure = spend)", p.forecast)


class _Shape(Strict):
    record: list[dict[str, Any]] = Field(default_factory=list)
    pair: list[dict[str, Any]] = Field(default_factory=list)


def _read(file: Path, found: list[Problem]) -> tuple[list[tuple[int, Record]], list[tuple[int, Pair]]]:
    """The file's valid records and pairs with their positions (each checked on its own,
    so that every problem of every entry is reported at once)."""
    raw = read_toml(file)
    try:
        shape = _Shape.model_validate(raw)
    except ValidationError as exc:
        found.extend(problems_of(exc, file))
        return [], []
    records: list[tuple[int, Record]] = []
    pairs: list[tuple[int, Pair]] = []
    for i, item in enumerate(shape.record):
        try:
            records.append((i, Record.model_validate(item)))
        except ValidationError as exc:
            found.extend(problems_of(exc, file, f"record[{i}]"))
    for i, item in enumerate(shape.pair):
        try:
            pairs.append((i, Pair.model_validate(item)))
        except ValidationError as exc:
            found.extend(problems_of(exc, file, f"pair[{i}]"))
    return records, pairs


def load_reference_class(*extra: str | Path, bundled: bool = True) -> ReferenceClass:
    """The bundled reference class (``bundled=False``: without it) and any ``extra`` files
    of the same schema (a council's own history and its neighbours'), checked: every
    problem of every file at once, one line each (:class:`InputError`).

    Parameters
    ----------
    extra
        Reference-class files of the same schema, read after the bundled one.
    bundled
        Whether to read the bundled file.

    Returns
    -------
    ReferenceClass

    Raises
    ------
    InputError
        Every problem of every file, a line each.
    """
    files = ([REFERENCE_CLASS_FILE] if bundled else []) + [Path(x) for x in extra]
    return _load(tuple(files), tuple(stamp(f) for f in files))


def stamp(file: Path) -> tuple[int, int]:
    """A file's modification time and size: a file changed on disk is read again.

    Parameters
    ----------
    file
        A path.

    Returns
    -------
    tuple of int
        ``(st_mtime_ns, st_size)``; ``(-1, -1)`` for a file that cannot be read.
    """
    try:
        st = file.stat()
    except OSError:
        return (-1, -1)
    return (st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)
def _load(files: tuple[Path, ...], stamps: tuple[tuple[int, int], ...]) -> ReferenceClass:
    """The files read and checked (``stamps`` key the cache to the files' contents on disk)."""
    found: list[Problem] = []
    records: dict[str, Record] = {}
    origin: dict[str, Path] = {}
    pairs: list[tuple[Path, int, Pair]] = []
    for file in files:
        got, paired = _read(file, found)
        for i, r in got:
            if r.id in records:
                found.append(
                    Problem(str(file), f"record[{i}].id", "a record id used once across the files", r.id, True)
                )
            records[r.id] = r
            origin[r.id] = file
        pairs.extend((file, i, p) for i, p in paired)
    _check_links(records, pairs, found)
    if found:
        raise InputError.many(found)
    return ReferenceClass(records, tuple(p for _, _, p in pairs), files, origin)


# --- When a figure was published ------------------------------------------------------------

_FY = re.compile(r"^(\d{4})/(\d{2})$")
_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_YEAR = re.compile(r"^(\d{4})$")
_FY_WORDS = re.compile(r"^(\d{4})/(\d{2})\b")
_QUARTER = re.compile(r"^(\d{4}) Q([1-4])$")


def published_by(made: str) -> dt.date | None:
    """The latest date a record's ``made`` can mean: the figure was public by then.

    ``2021-03-09`` is that day; ``2021-03`` the month's last day; ``2021`` 31 December
    2021; a fiscal year (``2022/23 in-year``) its last day, 31 March 2023; ``2025 Q2`` the
    fiscal quarter's last day (Q1 ends in June of the year named).  Anything else
    (``plan``) is unknown: ``None``.  Reading the latest date keeps the rule strict: a
    figure that may have appeared after an edition's date is never taken for evidence it had.

    Parameters
    ----------
    made
        A record's ``made`` as printed.

    Returns
    -------
    datetime.date or None
    """
    text = made.strip()
    if m := _DATE.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            return None
        if m.group(3):
            try:
                return dt.date(year, month, int(m.group(3)))
            except ValueError:
                return None
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    if m := _YEAR.match(text):
        return dt.date(int(m.group(1)), 12, 31)
    if m := _QUARTER.match(text):
        year, quarter = int(m.group(1)), int(m.group(2))
        month = 3 * quarter + 3  # Q1 ends in June, Q4 in March of the next year
        year, month = (year + 1, month - 12) if month > 12 else (year, month)
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    if m := _FY_WORDS.match(text):
        return dt.date(int(m.group(1)) + 1, 3, 31)
    return None


def pair_published(forecast: Record | None, outturn: Record) -> dt.date | None:
    """A pair's publication date: the later of its two figures' (a forecast precedes its
    outturn, so a forecast of unknown date takes the outturn's); ``None`` if the outturn's
    date is unknown.

    Parameters
    ----------
    forecast
        The pair's forecast record, or None.
    outturn
        The pair's later record.

    Returns
    -------
    datetime.date or None
    """
    later = published_by(outturn.made)
    if later is None or forecast is None:
        return later
    earlier = published_by(forecast.made)
    return later if earlier is None else max(earlier, later)


# --- Out of sample ------------------------------------------------------------------------


def fiscal_years(period: str) -> set[str]:
    """The fiscal years (``2021/22``) a record's period may fall in: a fiscal year itself;
    the year a date or month is in (April to March); for a bare calendar year both years
    it touches; for anything else (a range in words) every year it names.

    Parameters
    ----------
    period
        A record's ``refers_to``.

    Returns
    -------
    set of str
        Fiscal-year labels.
    """
    text = period.strip()

    def label(start: int) -> str:
        return f"{start}/{(start + 1) % 100:02d}"

    if _FY.match(text):
        return {text}
    if m := _DATE.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        return {label(year if month >= 4 else year - 1)}
    if m := _YEAR.match(text):
        year = int(m.group(1))
        return {label(year - 1), label(year)}
    years = {int(y) for y in re.findall(r"\d{4}", text)}
    return {label(y) for y in years} | {label(y - 1) for y in years}


def normalised_name(name: str) -> str:
    """A council's name without the words that vary between spellings (``County``,
    ``Council``, ``Borough``, ``City of`` ...), punctuation or case: ``Leicestershire
    County Council``, ``leicestershire`` and ``Leicestershire CC`` all read ``leicestershire``.

    Parameters
    ----------
    name
        A council's name as written.

    Returns
    -------
    str
        Lower-case words, the variable ones dropped.
    """
    words = re.sub(r"[^a-z0-9]+", " ", name.lower().replace("&", " and ")).split()
    dropped = {"county", "borough", "metropolitan", "city", "council", "of", "the", "london", "district", "cc",
               "mbc", "lbc", "bc", "dc", "unitary", "authority", "royal"}  # fmt: skip
    return " ".join(w for w in words if w not in dropped)


@dataclass(frozen=True)
class OwnCouncil:
    """An edition's council as the out-of-sample rule recognises it: its name, its ONS/GSS
    code (if the edition gives one: ``[edition] council_gss``) and the fiscal years from
    which its figures are what a back-test judges (the horizon's first year on)."""

    name: str
    gss: str | None
    first_year: str

    def is_own(self, r: Record) -> bool:
        """Whether ``r`` is a figure of this council: its ``gss`` matches, or it has no
        ``gss`` and its ``council``, ``scope`` or ``body`` names the council (normalised)."""
        if r.gss is not None:
            return self.gss is not None and r.gss == self.gss
        own = normalised_name(self.name)
        return bool(own) and any(x and normalised_name(x) == own for x in (r.council, r.scope, r.body))

    def is_later(self, r: Record) -> bool:
        """Whether ``r`` refers to a year of the horizon or later."""
        start = int(self.first_year[:4])
        return any(int(y[:4]) >= start for y in fiscal_years(r.refers_to))

    def may_include(self, r: Record) -> bool:
        """Whether ``r`` is a sum over many councils that may include this one: no council
        or code of its own, and its ``excludes_gss`` does not list this council."""
        if r.council or r.gss:
            return False
        return not (self.gss and self.gss in r.excludes_gss)


@dataclass(frozen=True)
class Screened:
    """What the out-of-sample rule found in a reference class for one edition's council:
    ``refused`` (one problem per own-council record of the horizon or later; any of them
    stops the fan) and ``flagged`` (pair id -> why: a national sum that may include the
    council)."""

    refused: tuple[Problem, ...]
    flagged: dict[str, str]


def screen(rc: ReferenceClass, own: OwnCouncil) -> Screened:
    """Apply the out-of-sample rule of ``own`` to every record and pair of ``rc``.

    Parameters
    ----------
    rc
        The reference class (the bundled file and any extra files).
    own
        The edition's council.

    Returns
    -------
    Screened
    """
    refused = []
    for r in rc.records.values():
        if own.is_own(r) and own.is_later(r):
            how = f"GSS code {r.gss}" if r.gss else "name"
            refused.append(
                Problem(
                    str(rc.origin.get(r.id, "(reference class)")),
                    f"record[id={r.id}]",
                    f"no record of the edition's own council ({own.name}) for {own.first_year} or later "
                    f"(recognised by its {how}: its outturns belong in the edition's outturns.toml, where a "
                    "back-test judges them)",
                    r.council or r.scope,
                    True,
                )
            )
    flagged = {}
    for p in rc.pairs:
        ids = [x for x in (p.forecast, p.outturn) if x]
        if any(own.may_include(rc.records[x]) for x in ids):
            scope = rc.records[p.outturn].scope
            flagged[p.id] = (
                f"a national sum ({scope}) that may include {own.name}: left out of the fan "
                "(a sum containing the council measures partly its own outcome, and other pairs' councils)"
            )
    return Screened(tuple(refused), flagged)


def own_council(edition: Edition) -> OwnCouncil | None:
    """The out-of-sample identity of ``edition``'s council (``[edition] council`` and
    ``council_gss``), or None for an edition that names no council.

    Parameters
    ----------
    edition
        The edition.

    Returns
    -------
    OwnCouncil or None
    """
    name = edition.meta.get("council")
    if not name:
        return None
    gss = edition.meta.get("council_gss")
    return OwnCouncil(str(name), str(gss) if gss else None, edition.years[0])


def check_edition(edition: Edition, rc: ReferenceClass | None = None) -> ReferenceClass:
    """The reference class (default the bundled one), refused (one :class:`InputError`,
    a line per record) if it holds a record of ``edition``'s own council for a year of its
    horizon or later.

    Parameters
    ----------
    edition
        The edition.
    rc
        The reference class (default: the bundled one).

    Returns
    -------
    ReferenceClass
        ``rc``, checked.

    Raises
    ------
    InputError
        A record of the edition's own council, a line each.
    """
    rc = rc or load_reference_class()
    own = own_council(edition)
    if own is not None:
        found = screen(rc, own).refused
        if found:
            raise InputError.many(found)
    return rc
