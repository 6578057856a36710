"""An MTFS edition: a folder of data the engine runs on.

``editions/<id>/`` holds ``edition.toml`` (title, council, horizon, programmes, links
between parts, printed row labels) beside the figures with their provenance
(``growth_savings.toml``, ``revenue.toml``, ``high_needs.toml``, ``capital.toml``,
``cip.toml``, ``guarantee.toml``, ``risk.toml``, ``sources.toml``) and, optionally, what
the reconciler reads (``headlines.toml``, ``checks.toml``, ``appendix_a.csv``).  The
package code holds no fiscal year, line code, programme or printed label: they are here.

>>> ed = load_edition()                       # the bundled edition
>>> ed.years, ed.final_year
>>> other = load_edition("path/to/editions/next")   # two editions side by side
"""

from __future__ import annotations

import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from mtfs_model.base.args import check_path
from mtfs_model.base.errors import InputError, Problem, Problems
from mtfs_model.base.schema_types import number_problems, read_toml, validate
from mtfs_model.edition import checks as edition_checks
from mtfs_model.edition.appendix import read_appendix_a
from mtfs_model.edition.declared import named, parse_declared
from mtfs_model.edition.markers import marker_problems
from mtfs_model.edition.registry import edition_file_checks
from mtfs_model.edition.schema import FILE_MODELS, EditionFile, ProgrammeSpec, RevenueFile

EDITIONS_DIR = Path(__file__).resolve().parent.parent / "editions"


def _default_folder() -> Path:
    """The bundled edition: named in ``editions/default.toml`` (``folder = "..."``)."""
    import tomllib

    with (EDITIONS_DIR / "default.toml").open("rb") as fh:
        return EDITIONS_DIR / str(tomllib.load(fh)["folder"])


DEFAULT_EDITION = _default_folder()
REQUIRED_FILES = (
    "edition.toml",
    "sources.toml",
    "growth_savings.toml",
    "revenue.toml",
    "high_needs.toml",
    "capital.toml",
    "cip.toml",
    "guarantee.toml",
    "risk.toml",
)
OPTIONAL_FILES = ("headlines.toml", "checks.toml")
"""Files an edition may leave out: what the reconciler declares beyond the identities."""
APPENDIX_FILE = "appendix_a.csv"


@dataclass(frozen=True, eq=False)
class Edition:
    """One MTFS edition, as transcribed: plain data the engine never mutates.

    ``years`` the MTFS fiscal years; ``programmes`` in the papers' order; ``links`` the
    links between parts; the other attributes are the files' tables as read.
    """

    path: Path
    meta: Mapping[str, Any]
    years: tuple[str, ...]
    base_year: str
    appraisal_last_year: str
    programmes: tuple[ProgrammeSpec, ...]
    links: Mapping[str, Any]
    rows: Mapping[str, Mapping[str, str]]
    sources: dict[str, Any]
    growth_savings: dict[str, Any]
    revenue: dict[str, Any]
    high_needs: dict[str, Any]
    capital: dict[str, Any]
    cip: dict[str, Any]
    guarantee: dict[str, Any]
    risk: dict[str, Any]
    headlines: list[dict[str, Any]] = field(default_factory=list)
    checks: dict[str, Any] = field(default_factory=dict)
    appendix_a: pd.DataFrame = field(default_factory=pd.DataFrame)
    appendix_a_columns: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """The edition's id (``edition.toml`` ``[edition] id``)."""
        return str(self.meta["id"])

    @property
    def title(self) -> str:
        """The edition's title, e.g. ``'Children and Family Services MTFS 2021/22–2024/25'``."""
        return str(self.meta["title"])

    @property
    def first_year(self) -> str:
        """The first fiscal year of the horizon, e.g. ``'2021/22'``."""
        return self.years[0]

    @property
    def final_year(self) -> str:
        """The final fiscal year of the horizon, e.g. ``'2024/25'``."""
        return self.years[-1]

    @property
    def period(self) -> str:
        """``2021/22–2024/25``."""
        return f"{self.years[0]}–{self.years[-1]}"

    @property
    def line_codes(self) -> tuple[str, ...]:
        """The growth and savings line codes in file order (``G1``, ..., ``CF5``)."""
        return tuple(self.growth_savings["lines"])

    def programme(self, programme_id: str) -> ProgrammeSpec:
        """A programme by id (an InputError naming the edition if there is none)."""
        for p in self.programmes:
            if p.id == programme_id:
                return p
        raise InputError(
            self.path / "edition.toml", "programmes", "a programme " + ", ".join(self.programme_ids()), programme_id
        )

    def programme_ids(self) -> list[str]:
        """The programme ids in the papers' order."""
        return [p.id for p in self.programmes]

    def lines_of(self, programme_id: str) -> list[str]:
        """Line codes in a programme, in file order."""
        return [c for c, ln in self.growth_savings["lines"].items() if ln["programme"] == programme_id]

    def year(self, which: str) -> str:
        """``"final"``, ``"first"`` or a year label of the horizon -> the year label."""
        if which == "final":
            return self.final_year
        if which == "first":
            return self.first_year
        if which in self.years:
            return which
        raise InputError("(edition)", "year", '"final", "first" or one of ' + ", ".join(self.years), which)

    def label(self, table: str, row_id: str) -> str:
        """The printed label of a derived row (``label("revenue", "net_budget")``)."""
        return self.rows.get(table, {}).get(row_id, row_id)

    def line_label(self, row_id: str) -> str:
        """Label of a row of the growth and savings tables: a line, a programme total or a total."""
        if row_id in self.growth_savings["lines"]:
            return f"{row_id} {self.growth_savings['lines'][row_id]['title']}"
        if row_id.startswith("total:"):
            return self.programme(row_id.removeprefix("total:")).label
        return self.label("lines", row_id)

    def hn_label(self, row_id: str) -> str:
        """Label of a High Needs row: a line key (``forecast.labels``) or a derived row."""
        return self.high_needs["forecast"].get("labels", {}).get(row_id) or self.label("high_needs", row_id)

    def source_of(self, source: Mapping[str, Any]) -> str:
        """Render a ``source`` table as ``file, place, "phrase"`` for a footnote."""
        doc = self.sources.get("documents", {}).get(source.get("doc", ""), {})
        return f'{doc.get("file", source.get("doc", "?"))}, {source.get("ref", "")}: "{source.get("grep", "")}"'

    def __repr__(self) -> str:
        return f"<Edition {self.id!r}: {self.title}, {len(self.line_codes)} lines, {self.period}>"


def load_edition(path: str | Path | None = None) -> Edition:
    """Load and check an edition folder (default: the bundled edition).

    Every problem in a file is reported at once (:class:`InputError`, one line each).
    Cached by the folder's resolved path AND each file's modification time and size, so
    an edited file, or another folder with the same edition id, is read afresh.
    """
    if path is not None:
        check_path(path, "edition")
    folder = Path(path) if path is not None else DEFAULT_EDITION
    try:
        if not folder.is_dir():
            raise InputError(folder, "(folder)", "an edition folder holding edition.toml", show_got=False)
        if not (folder / "edition.toml").is_file():
            raise InputError(folder, "(folder)", "an edition folder holding edition.toml", show_got=False)
        resolved = folder.resolve()
        signature = _signature(resolved)
    except OSError as exc:
        raise InputError(
            folder, "(folder)", f"a folder that can be read ({exc.strerror or exc})", show_got=False
        ) from None
    return _load(str(resolved), signature)


def _signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """``(name, mtime_ns, size)`` of every file in ``folder``: what the cache is keyed by."""
    out = []
    for entry in sorted(folder.iterdir()):
        try:
            st = entry.stat()
        except OSError:
            continue
        out.append((entry.name, st.st_mtime_ns, st.st_size if stat.S_ISREG(st.st_mode) else -1))
    return tuple(out)


def default_edition() -> Edition:
    """The bundled edition."""
    return load_edition()


@lru_cache(maxsize=8)
def _load(folder: str, signature: tuple[tuple[str, int, int], ...]) -> Edition:
    """Read ``folder`` (``signature``: its files' names, times and sizes, the cache key).

    Every file is read and checked before any problem is raised, so one InputError
    carries every problem of the folder: each file's syntax and encoding, any number
    that is not finite, each file against its schema, ``appendix_a.csv``, the declared
    checks, then the files against each other (only once each file is sound alone).
    """
    d = Path(folder)
    problems: list[Problem] = []
    raw: dict[str, dict[str, Any]] = {}
    for name in (*REQUIRED_FILES, *OPTIONAL_FILES):
        if name in OPTIONAL_FILES and not (d / name).exists():
            continue
        try:
            raw[name] = read_toml(d / name)
        except InputError as exc:
            problems += exc.problems
            continue
        numbers = number_problems(raw[name], d / name)
        problems += named(numbers, name, raw[name]) if name in OPTIONAL_FILES else numbers
    markers = marker_problems(d, raw)  # a rolled-forward edition's gaps: only they are listed
    if markers:
        raise InputError.many(problems + markers)
    models: dict[str, Any] = {}
    for name, model in FILE_MODELS.items():
        if name in raw:
            try:
                models[name] = validate(model, raw[name], d / name)
            except InputError as exc:
                problems += exc.problems
    appendix: pd.DataFrame | None = None
    if (d / APPENDIX_FILE).exists():
        rev = models.get("revenue.toml")
        spec = rev.appendix_a if rev is not None else None
        columns = tuple(spec.columns) if spec is not None else None
        try:
            appendix = read_appendix_a(d / APPENDIX_FILE, columns)
        except InputError as exc:
            problems += exc.problems
    declared, found = parse_declared(d, {n: raw[n] for n in OPTIONAL_FILES if n in raw})
    problems += found
    if not problems:
        problems += edition_checks.check_edition(d, raw, models, appendix, declared)
    if problems:
        raise InputError.many(_first_per_key(problems))
    ef: EditionFile = models["edition.toml"]
    years = tuple(ef.horizon.years)
    last = ef.horizon.appraisal_last_year or years[-1]
    revenue: RevenueFile = models["revenue.toml"]
    edition = Edition(
        path=d,
        meta=ef.edition.model_dump(),
        years=years,
        base_year=ef.horizon.base_year,
        appraisal_last_year=last,
        programmes=tuple(ef.programmes),
        links=ef.links.model_dump(),
        rows=ef.rows.model_dump(),
        sources=raw["sources.toml"],
        growth_savings=raw["growth_savings.toml"],
        revenue=raw["revenue.toml"],
        high_needs=raw["high_needs.toml"],
        capital=raw["capital.toml"],
        cip=raw["cip.toml"],
        guarantee=raw["guarantee.toml"],
        risk=raw["risk.toml"],
        headlines=raw.get("headlines.toml", {}).get("headline", []),
        checks=raw.get("checks.toml", {}),
        appendix_a=appendix if appendix is not None else pd.DataFrame(),
        appendix_a_columns=tuple(revenue.appendix_a.columns) if revenue.appendix_a is not None else (),
    )
    found_later = Problems(d)
    for _file, checker in edition_file_checks(present={p.name for p in d.iterdir()}):
        try:
            checker(edition)
        except InputError as exc:
            found_later.extend(exc)
    found_later.raise_if_any()
    return edition


def _first_per_key(problems: list[Problem]) -> list[Problem]:
    """Each (file, key) once: a key the number check and the schema both refuse is one problem."""
    seen: set[tuple[str, str]] = set()
    out = []
    for p in problems:
        if (p.file, p.key) not in seen:
            seen.add((p.file, p.key))
            out.append(p)
    return out
