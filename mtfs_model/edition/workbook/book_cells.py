"""The workbook as the importer sees it: cells, sheets, notes and formulas, and which
formulas an auditor can trace.

:mod:`mtfs_model.edition.workbook.container` reads a book into these plain objects after
checking the container; the importer reads values from them.  :func:`formula_problem` says
which formulas are refused at their cell: one that reads another workbook, a web service, a
DDE link or a volatile function (its saved figure cannot be traced to a paper).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


def local(tag: str) -> str:
    """An XML tag without its namespace (transitional and strict OOXML alike)."""
    return tag.rsplit("}", 1)[-1]


# --- what the reader gives the importer -----------------------------------------------------


@dataclass
class Note:
    """A cell's note (comment): its text, as openpyxl's ``Comment.text``."""

    text: str


class BookCell:
    """One cell as the import reads it: the value last saved (a formula's cached result),
    Excel's type letter (``n``, ``s``, ``b``, ``e``, ``d``), the number format, the
    formula text (``=...``, or None) and the note."""

    __slots__ = ("column", "comment", "data_type", "formula", "number_format", "problem", "row", "value")

    def __init__(self, row: int, column: int) -> None:
        self.row, self.column = row, column
        self.value: Any = None
        self.data_type = "n"
        self.number_format = "General"
        self.formula: str | None = None
        self.comment: Note | None = None
        self.problem: tuple[str, Any] | None = None
        """What the cell should hold and what it holds, if it cannot be used (a formula
        reading outside the book, a number that is not one): the import reports it with its key."""

    @property
    def coordinate(self) -> str:
        """``E7``."""
        return f"{column_letter(self.column)}{self.row}"


class BookSheet:
    """The cells of one sheet, by (row, column); a blank cell for any other address."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.cells: dict[tuple[int, int], BookCell] = {}
        self.max_row = 1
        self.max_column = 1

    def cell(self, row: int, column: int) -> BookCell:
        """The cell at ``row``, ``column`` (1-based), blank if the sheet holds nothing there."""
        found = self.cells.get((row, column))
        return found if found is not None else BookCell(row, column)

    def iter_rows(self, min_row: int = 1, *, values_only: bool = True) -> Iterator[tuple[Any, ...]]:
        """Each row from ``min_row`` to the last as a tuple of its values (openpyxl's
        ``iter_rows(values_only=True)``: columns A to the sheet's last)."""
        for row in range(min_row, self.max_row + 1):
            yield tuple(self.cell(row, col).value for col in range(1, self.max_column + 1))

    def formulas(self) -> FormulaView:
        """The same sheet with each cell's formula as its value (openpyxl's ``data_only=False``)."""
        return FormulaView(self)


@dataclass
class _Formula:
    value: Any


class FormulaView:
    """A sheet seen as its formulas: ``cell(r, c).value`` is ``=...`` for a formula cell,
    else the cell's value."""

    def __init__(self, sheet: BookSheet) -> None:
        self.sheet = sheet

    def cell(self, row: int, column: int) -> _Formula:
        """The cell at ``row``, ``column`` (1-based): its formula (``=...``) if it holds one, else its value."""
        c = self.sheet.cells.get((row, column))
        if c is None:
            return _Formula(None)
        return _Formula(c.formula if c.formula is not None else c.value)


@dataclass
class Book:
    """A workbook read within the limits: the sheet names in order and the sheets read (a
    cell that cannot be used carries its :attr:`BookCell.problem`)."""

    names: list[str]
    sheets: dict[str, BookSheet]


# --- cell references ------------------------------------------------------------------------

CELL_REF = re.compile(r"^([A-Z]{1,3})(\d{1,7})$")
"""A cell reference such as ``B9``: column letters, row number."""
NUMBER_XML = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
"""A number as a sheet's XML may hold it (no NaN, no INF)."""


def column_letter(col: int) -> str:
    """1 -> ``A``, 27 -> ``AA``."""
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def column_number(letters: str) -> int:
    """``A`` -> 1, ``AA`` -> 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def sheet_ref(sheet: str, coordinate: str = "") -> str:
    """``Growth!E7``, ``'High Needs'!B9`` (a sheet alone without ``!``): a cell as Excel names it."""
    name = sheet if re.fullmatch(r"[A-Za-z0-9_]+", sheet) else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{coordinate}" if coordinate else name


# --- formulas an auditor cannot trace ------------------------------------------------------

_STRING_LITERAL = re.compile(r'"(?:[^"]|"")*"')
_EXTERNAL_BOOK = re.compile(r"\[[^\]]*\](?:[A-Za-z0-9_. ]+)?'?!")
_DDE = re.compile(r"(?<![A-Za-z0-9_.])[A-Za-z][A-Za-z0-9_.]*\|")
_OUTSIDE = ("WEBSERVICE", "FILTERXML", "RTD", "CALL", "REGISTER.ID", "IMAGE", "STOCKHISTORY")
_VOLATILE = ("NOW", "TODAY", "RAND", "RANDBETWEEN", "RANDARRAY", "OFFSET", "INDIRECT", "INFO", "CELL")


def _calls(names: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in names)
    return re.compile(rf"(?<![A-Za-z0-9_.])(?:_xlfn\.|_xlws\.)?({alternatives})\s*\(", re.IGNORECASE)


_OUTSIDE_CALL, _VOLATILE_CALL = _calls(_OUTSIDE), _calls(_VOLATILE)


def formula_problem(formula: str) -> str | None:
    """What is wrong with a formula the import will not accept, or None.

    Refused: a formula reading another workbook (``[1]Sheet1!A1``, ``'[Book.xlsx]S'!A1``),
    a web service or data server (WEBSERVICE, FILTERXML, RTD, ...), a DDE link
    (``=cmd|'/c calc'!A0``), or a volatile function (NOW, TODAY, RAND, OFFSET, INDIRECT, ...)
    whose result changes on every recalculation.  The value saved with such a formula
    cannot be traced by an auditor to anything in the book."""
    code = _STRING_LITERAL.sub('""', formula)
    if _EXTERNAL_BOOK.search(code):
        return "a figure or a formula within this workbook (this one reads another workbook): paste it as a value"
    if m := _OUTSIDE_CALL.search(code):
        name = m.group(1).upper()
        return f"a figure or a formula within this workbook ({name} reads from outside it): type the figure"
    if _DDE.search(code):
        return "a figure or a formula within this workbook (this one is a link to another program): type the figure"
    if m := _VOLATILE_CALL.search(code):
        return (
            f"a formula whose result is fixed ({m.group(1).upper()} gives a new result at every recalculation, "
            "so the figure saved is not one an auditor can trace): paste it as a value"
        )
    return None
