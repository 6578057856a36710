"""Outturns as data: what actually happened, recorded beside the edition that forecast it.

An edition folder may hold ``outturns.toml`` (optional: an edition without one simply
has no outturns, and nothing is ever invented to fill one).  Each ``[[outturn]]`` record
is one figure for one fiscal year, with where it was published and when (the figures
below illustrate the format; they are not outturns)::

    # Documents the records cite by key, as in sources.toml (the edition's own
    # documents may be cited too).
    [documents.outturn_report]
    title = "Provisional revenue outturn, Cabinet, June"
    href = "https://example.org/outturn.pdf"          # optional; also file, publisher, date

    [[outturn]]                                       # a cell of an engine table
    figure = { table = "revenue", row = "net_budget", year = "2021/22" }
    value = 90512                                     # GBP000, as the tables
    as_of = 2022-06-28                                # a TOML date: when it was known
    source = { doc = "outturn_report", ref = "Appendix A", grep = "Children and Family Services" }

    [[outturn]]                                       # a driver of a line's model
    figure = "lines.G1.drivers.unit_cost_current_gbp_week"
    year = "2021/22"
    value = 4350                                      # in the driver's own unit (GBP a week)
    as_of = 2022-06-28
    source = { title = "Placement sufficiency report", href = "https://example.org/s.pdf" }

    [[outturn]]                                       # a lever: was it decided that way?
    figure = "high_needs.schools_block_transfer_approved"
    year = "2022/23"
    value = false
    kind = "outturn"                                  # or "reforecast" (default "outturn")
    as_of = 2022-01-20                                # a decision: known when taken
    source = { doc = "outturn_report", ref = "para 12", grep = "Schools Forum" }
    note = "The Forum refused; the Secretary of State was not asked."

``figure``
    either a cell of a table the engine derives, in the reconciler's selector syntax
    (``{ table, row, year }``; tables ``revenue``, ``cumulative``, ``in_year``,
    ``high_needs``, ``capital_programme``, ``capital_financing``; rows their stable ids:
    ``net_budget``, a line code, ``total:<programme>``, a High Needs line,
    ``annual_gap``, ``cumulative_gap`` ...), or an input's path with a separate
    ``year``: ``lines.<code>.drivers.<driver>`` (a driver a ``[risk]`` distribution may
    vary) or a lever, ``high_needs.schools_block_transfer_approved`` (``year`` the year
    the transfer is for).
``value``
    GBP000 for a table cell (finite, ``|value| <= 10,000,000``; savings negative as
    printed); the driver's own unit for a driver (0 to 1e9); ``true``/``false`` for a lever.
``kind``
    ``"outturn"`` (what happened: a figure's is dated on or after its year's 31 March, a
    lever's whenever it was decided) or ``"reforecast"`` (a later forecast of the year,
    e.g. a mid-year monitoring report).
``as_of``
    when the figure was known (on or after the edition's papers).  A restated figure (a
    provisional, then an audited outturn) is a second record with a later ``as_of``: the
    back-test scores both, a re-forecast conditions on the latest.
``source``
    ``{ doc, ref, grep }`` (``doc`` a key of ``[documents]`` here or of the edition's
    ``sources.toml``) or ``{ title, href }``.  ``note`` is optional text.

Every problem in the file is reported at once, one line each, naming the file and the
key (``outturns.toml: outturn[2].figure.row: expected a row of table revenue: ...``).
The file is checked when the edition loads (once this module is imported) and by
:func:`load_outturns`.

>>> from mtfs_model.forecast.outturns import load_outturns
>>> load_outturns()          # the bundled edition: no outturns (an empty table)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pandas as pd

from mtfs_model.base.schema_types import read_toml
from mtfs_model.edition.folder import Edition, load_edition
from mtfs_model.forecast.outturns_schema import LEVERS, Checked, check

__all__ = ["FILE", "KINDS", "LEVERS", "Outturn", "check_kinds", "latest", "load_outturns", "outturns_file",
           "read_outturns"]  # fmt: skip

FILE = "outturns.toml"
COLUMNS = ("figure", "year", "kind", "as_of", "value", "unit", "label", "source", "note")
"""The columns of :func:`load_outturns`'s table (indexed by ``record``, the file's order)."""
UNITS = (("_gbp000_per_year", "GBP000 a year"), ("_gbp_week", "GBP a week"), ("_gbp000", "GBP000"),
         ("_gbp", "GBP"), ("_pct", "%"))  # fmt: skip
"""A driver's unit, read off its key's suffix."""


@dataclass(frozen=True)
class Outturn(Checked):
    """One checked record (:class:`~mtfs_model.forecast.outturns_schema.Checked`: ``what`` is
    ``table`` (a cell ``table``/``row``), ``driver`` (``line``'s driver ``driver``) or
    ``lever`` (``figure`` is its path; ``value`` 1.0 for true, 0.0 for false)) with what a
    reader needs: its label, unit and the source as a footnote."""

    label: str = ""
    unit: str = ""
    cited: str = ""
    """The source as a footnote (:func:`source_text`)."""

    @property
    def record(self) -> int:
        """The record's position in ``outturns.toml`` (from 0)."""
        return self.index

    @property
    def money(self) -> bool:
        """True for a GBP000 figure (a table cell)."""
        return self.what == "table"


def outturns_file(edition: Edition) -> Path:
    """Where the edition's outturns would be (the file need not exist)."""
    return edition.path / FILE


def _label(c: Checked, edition: Edition) -> str:
    if c.what == "table":
        assert c.table is not None and c.row is not None
        if c.table == "revenue":
            return edition.label("revenue", c.row)
        if c.table in ("cumulative", "in_year"):
            text = edition.line_label(c.row)
            return text + (" (in year)" if c.table == "in_year" else "")
        if c.table == "high_needs":
            return "High Needs: " + edition.hn_label(c.row)
        return edition.label("capital", c.row)
    if c.what == "driver":
        return f"{c.line} driver {c.driver}"
    return c.figure.rsplit(".", 1)[-1].replace("_", " ")


def _unit(c: Checked) -> str:
    if c.what == "table":
        return "GBP000"
    if c.what == "lever":
        return "true/false"
    for suffix, unit in UNITS:
        if str(c.driver).endswith(suffix):
            return unit
    return "as the driver"


def source_text(source: Mapping[str, Any], edition: Edition, documents: Mapping[str, Any]) -> str:
    """A record's source as a footnote: ``title, place: "phrase"`` or ``title <href>``."""
    if "doc" in source:
        doc = documents.get(source["doc"]) or edition.sources.get("documents", {}).get(source["doc"], {})
        title = doc.get("title") or source["doc"]
        return f'{title}, {source.get("ref", "")}: "{source.get("grep", "")}"'
    href = source.get("href")
    return f"{source['title']} <{href}>" if href else str(source["title"])


def read_outturns(edition: Edition | None = None) -> tuple[Outturn, ...]:
    """The edition's outturns, checked (none if it has no ``outturns.toml``).

    Raises :class:`~mtfs_model.base.errors.InputError` with every problem of the file at once.
    """
    ed = edition or load_edition()
    path = outturns_file(ed)
    if not path.exists():
        return ()
    raw = read_toml(path)
    checked = check(raw, ed, path)
    documents = raw.get("documents", {}) if isinstance(raw.get("documents"), Mapping) else {}
    return tuple(
        Outturn(
            **{f.name: getattr(c, f.name) for f in fields(c)},
            label=_label(c, ed),
            unit=_unit(c),
            cited=source_text(c.source, ed, documents),
        )
        for c in checked
    )


def load_outturns(edition: Edition | str | Path | None = None) -> pd.DataFrame:
    """The edition's outturns as a table, one row a record in the file's order (index
    ``record``): ``figure`` (``revenue.net_budget``, a driver or lever path), ``year``,
    ``kind`` (outturn / reforecast), ``as_of`` (a date), ``value`` (float; a lever's
    true/false as 1/0), ``unit``, ``label``, ``source`` (as text) and ``note``.

    Empty (with those columns) when the edition has no ``outturns.toml``.
    """
    ed = edition if isinstance(edition, Edition) else load_edition(edition)
    records = read_outturns(ed)
    frame = pd.DataFrame(
        [
            {
                "record": o.record,
                "figure": o.figure,
                "year": o.year,
                "kind": o.kind,
                "as_of": o.as_of,
                "value": o.value,
                "unit": o.unit,
                "label": o.label,
                "source": o.cited,
                "note": o.note,
            }
            for o in records
        ],
        columns=["record", *COLUMNS],
    )
    frame["value"] = frame["value"].astype("float64")
    return frame.set_index("record")


KINDS = ("outturn", "reforecast")
"""The kinds of record (``kind`` in the file)."""


def check_kinds(kinds: object) -> tuple[str, ...]:
    """``kinds`` as a tuple of known kinds, else an InputError naming the argument."""
    from mtfs_model.base.errors import InputError

    if isinstance(kinds, str) or not isinstance(kinds, tuple | list) or not kinds:
        raise InputError("(arguments)", "kinds", "a list of kinds: " + ", ".join(KINDS), kinds)
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise InputError("(arguments)", "kinds", "kinds among " + ", ".join(KINDS), bad[0])
    return tuple(str(k) for k in kinds)


def latest(records: tuple[Outturn, ...] | list[Outturn], kinds: tuple[str, ...] = ("outturn",)) -> list[Outturn]:
    """Of the records of ``kinds``, the latest ``as_of`` for each figure and year (an
    outturn before a re-forecast of the same date), in the horizon's order of years."""
    best: dict[tuple[str, str], Outturn] = {}
    rank = {k: i for i, k in enumerate(reversed(kinds))}
    for o in records:
        if o.kind not in kinds:
            continue
        key = (o.figure, o.year)
        have = best.get(key)
        if have is None or (o.as_of, rank[o.kind]) > (have.as_of, rank[have.kind]):
            best[key] = o
    return sorted(best.values(), key=lambda o: (o.year, o.record))


def check_edition(edition: Edition) -> None:
    """The edition check registered on import: a bad ``outturns.toml`` fails at load."""
    if outturns_file(edition).exists():
        read_outturns(edition)
