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
unique).  **Out of sample**: :func:`check_out_of_sample` refuses a record of an edition's
own council for a year of that edition's horizon -- those figures are what a back-test of
the edition judges (its ``outturns.toml``), never evidence the fan is built from.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import Field, ValidationError

from mtfs_model.base.errors import InputError, Problem
from mtfs_model.base.schema_types import Strict, Text, problems_of, read_toml
from mtfs_model.edition.folder import Edition

REFERENCE_CLASS_FILE = Path(__file__).resolve().parents[1] / "evidence" / "reference_class.toml"
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
    subject: Text
    """What the figure measures, as printed (``hn_spend``, ``dsg_cumulative_deficit``, ...)."""
    body: Text
    """Who made or printed the figure."""
    made: Text
    """When the figure was made (as printed: a year, a month, ``plan``)."""
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
    "subject", "horizon", "horizon_years", "level", "used", "council", "refers_to", "forecast_gbp",
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
            "level": p.level, "used": not p.outturn_is_forecast, "council": out.council or "",
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
        ``used`` is False for a pair whose later figure is itself a forecast.
        """
        rows = {p.id: self.derived(p) for p in self.pairs}
        return pd.DataFrame.from_dict(rows, orient="index", columns=list(PAIR_COLUMNS)).rename_axis("pair")

    def records_table(self) -> pd.DataFrame:
        cols = ["scope", "council", "subject", "body", "made", "refers_to", "kind", "value_gbp", "basis", "timing"]
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
    problem of every file at once, one line each (:class:`InputError`)."""
    files = ([REFERENCE_CLASS_FILE] if bundled else []) + [Path(x) for x in extra]
    return _load(tuple(files))


@lru_cache(maxsize=8)
def _load(files: tuple[Path, ...]) -> ReferenceClass:
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


# --- Out of sample ------------------------------------------------------------------------

_FY = re.compile(r"^(\d{4})/(\d{2})$")
_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_YEAR = re.compile(r"^(\d{4})$")


def fiscal_years(period: str) -> set[str]:
    """The fiscal years (``2021/22``) a record's period may fall in: a fiscal year itself;
    the year a date or month is in (April to March); for a bare calendar year both years
    it touches; for anything else (a range in words) every year it names."""
    text = period.strip()

    def label(start: int) -> str:
        return f"{start}/{(start + 1) % 100:02d}"

    if m := _FY.match(text):
        return {text}
    if m := _DATE.match(text):
        year, month = int(m.group(1)), int(m.group(2))
        return {label(year if month >= 4 else year - 1)}
    if m := _YEAR.match(text):
        year = int(m.group(1))
        return {label(year - 1), label(year)}
    years = {int(y) for y in re.findall(r"\d{4}", text)}
    return {label(y) for y in years} | {label(y - 1) for y in years}


def _same_council(a: str, b: str) -> bool:
    def norm(x: str) -> str:
        return re.sub(r"\b(county|borough|metropolitan|city|council|of|the|london)\b", "", x.lower()).strip()

    return norm(a) == norm(b) and bool(norm(a))


def own_records(rc: ReferenceClass, council: str, years: Iterable[str]) -> list[Record]:
    """The records of ``council`` for any of ``years`` (what must stay out of the class)."""
    horizon = set(years)
    return [
        r
        for r in rc.records.values()
        if r.council and _same_council(r.council, council) and fiscal_years(r.refers_to) & horizon
    ]


def check_out_of_sample(rc: ReferenceClass, council: str, years: Iterable[str]) -> None:
    """Refuse (one :class:`InputError`, a line each) any record of the edition's own
    council for a year of its horizon: those outturns are what a back-test judges."""
    bad = own_records(rc, council, years)
    if bad:
        raise InputError.many(
            Problem(
                str(rc.origin.get(r.id, "(reference class)")),
                f"record[id={r.id}].council",
                f"no record of the edition's own council ({council}) for a year of its horizon "
                "(its outturns belong in the edition's outturns.toml, where a back-test judges them)",
                r.council,
                True,
            )
            for r in bad
        )


def check_edition(edition: Edition, rc: ReferenceClass | None = None) -> ReferenceClass:
    """The reference class (default the bundled one), refused if it holds a record of
    ``edition``'s council (``edition.toml`` ``[edition] council``) for a year of its horizon."""
    rc = rc or load_reference_class()
    council = edition.meta.get("council")
    if council:
        check_out_of_sample(rc, str(council), edition.years)
    return rc
