"""Writing a brief's workbook with XlsxWriter: sheets an auditor can open anywhere.

A :class:`Workbook` holds :class:`Sheet` s in memory; :func:`to_bytes` evaluates every
formula (:class:`Evaluator`: references, ranges, ``SUM``, ``MAX``, ``MIN``, ``+ - * /``)
and writes it **with its computed value**, so a file preview, pandas, Protected View or
any reader that does not recalculate sees the figures, while Excel and LibreOffice keep
the live formula.

Each sheet: a title row, a note row, a header row (the unit in every header), then rows
whose cells are numbers (stored rounded: £000 to three decimals, i.e. to the pound),
text (always a text cell; text that a spreadsheet could read as a formula -- starting
``=``, ``+``, ``-``, ``@`` -- also carries Excel's *quote prefix*, so editing it never
turns it into one), dates, or :class:`Formula` (a live formula).  The number format
follows **what a figure is** (:data:`MONEY` £000 and £ ``#,##0``, :data:`SHARE`
``0.0%``, :data:`YEARS` ``0.00``, :data:`DATE`, :data:`EXACT` for a figure printed to a
fraction), named per column by the sheet's writer, never by position.  Frozen panes
under the header; print setup on every sheet (A4, fit to width, landscape where wide,
the header row repeated, the title in the page header, page numbers below).

The file is the same bytes for the same content and ``created`` date (XlsxWriter stamps
every part 1980-01-01; the document's created date is the brief's date).

:func:`workbook_bytes` writes plain DataFrames the same way (one sheet each).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mtfs_model.base.formats import EXCEL_FORMATS, kind_of
from mtfs_model.base.report import FORMULA_STARTS
from mtfs_model.brief.formulas import Evaluator, Formula, col

MONEY = EXCEL_FORMATS["money"]
"""£000 (or £ where the header says so): whole units with thousands separators."""
COUNT = EXCEL_FORMATS["count"]
SHARE = EXCEL_FORMATS["share"]
YEARS = EXCEL_FORMATS["years"]
DATE = EXCEL_FORMATS["month"]
EXACT = EXCEL_FORMATS["exact"]
"""A figure whose fraction matters (a printed 58.321, a derived 4,455.785)."""
TEXT = ""
DECIMALS = 3
"""£000 stored to three decimals: to the pound."""
TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 4
HEADER_WRAP = 16
"""A header longer than this many characters wraps (its column is at least this wide, plus
padding, so bold header words never run into the next column's)."""


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def excel_value(v: Any) -> Any:
    """A value as a cell holds it: numbers rounded to :data:`DECIMALS`, infinities as
    "never", NaN as empty."""
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, float) and v in (float("inf"), float("-inf")):
        return "never"
    if isinstance(v, float):
        return round(v, DECIMALS) + 0.0
    return v


def ref(row: int, column: int, sheet: str | None = None, absolute: bool = False) -> str:
    """An A1 reference, sheet-qualified (quoted) if ``sheet`` is given."""
    cell = f"${col(column)}${row}" if absolute else f"{col(column)}{row}"
    return f"'{sheet}'!{cell}" if sheet else cell


@dataclass
class Cell:
    value: Any
    fmt: str = TEXT
    bold: bool = False
    style: str = ""  # "title", "note", "header" or ""
    wrap: bool = False


class Workbook:
    """Sheets in memory, in the order written (:func:`to_bytes` may reorder them)."""

    def __init__(self) -> None:
        self.sheets: dict[str, Sheet] = {}

    def __getitem__(self, name: str) -> Sheet:
        return self.sheets[name]


class Sheet:
    """One worksheet being written (see the module's docstring)."""

    def __init__(self, wb: Workbook, name: str, title: str, note: str = "") -> None:
        self.name = name[:31]
        self.title = title
        self.cells: dict[tuple[int, int], Cell] = {}
        wb.sheets[self.name] = self
        self.cells[(TITLE_ROW, 1)] = Cell(title, style="title")
        if note:
            self.cells[(NOTE_ROW, 1)] = Cell(note, style="note")
        self.row = HEADER_ROW
        self.header_row = HEADER_ROW
        self.formats: dict[int, str] = {}
        self.index_cols = 1
        self.widths: dict[int, int] = {}

    def header(self, labels: Sequence[str], index_cols: int = 1, formats: Mapping[str, str] | None = None) -> None:
        """The header row (bold, wrapped).  ``formats`` maps a column's header to its
        number format; any other column after the index columns is :data:`MONEY`."""
        self.index_cols = index_cols
        by_label = dict(formats or {})
        for j, label in enumerate(labels, start=1):
            self.cells[(self.row, j)] = Cell(str(label), style="header", wrap=True)
            self.widths[j] = max(self.widths.get(j, 0), min(len(str(label)), HEADER_WRAP))
            self.formats[j] = TEXT if j <= index_cols else by_label.get(str(label), MONEY)
        self.header_row = self.row
        self.row += 1

    def add(self, values: Sequence[Any], bold: bool = False, formats: Mapping[int, str] | None = None) -> int:
        """Write a row; returns its number.  :class:`Formula` cells are formulas, other
        text is text, numbers are rounded, dates are dates."""
        r = self.row
        for j, v in enumerate(values, start=1):
            if v is None:
                continue
            value = v if isinstance(v, Formula) else excel_value(v)
            if value is None:
                continue
            fmt = (formats or {}).get(j) or self.formats.get(j, TEXT)
            if isinstance(value, str) and not isinstance(value, Formula):
                fmt = TEXT
            self.cells[(r, j)] = Cell(value, fmt, bold, wrap=isinstance(value, str) and len(value) > 60)
            numeric = isinstance(v, Formula) or _is_number(value) or isinstance(value, dt.date)
            width = 12 if numeric else min(len(str(value)), 60)
            self.widths[j] = max(self.widths.get(j, 0), width)
        self.row += 1
        return r

    def gap(self, n: int = 1) -> None:
        self.row += n

    def finish(self) -> None:
        """Kept for the writers' symmetry: layout happens in :func:`to_bytes`."""


def new_workbook() -> Workbook:
    return Workbook()


# --- writing the file --------------------------------------------------------------------


def _width_of(sheet: Sheet, j: int) -> float:
    return float(min(max(sheet.widths.get(j, 8) + 2, 8), 62))


LINE_HEIGHT = 15.0
"""Points a line of 11-point text takes in a row (Excel's and LibreOffice's default row)."""
CHARS_PER_WIDTH = 1.0
"""Characters of text a unit of column width holds: a width unit is one digit of the
default font, about an average letter (LibreOffice fits about 1.2; this errs on more lines)."""
BOLD_CHARS_PER_WIDTH = 0.85
"""The same for bold text (the headers), which is wider."""


def wrapped_lines(text: str, width: float, per_width: float = CHARS_PER_WIDTH) -> int:
    """How many lines ``text`` takes wrapped at word boundaries in a column ``width``
    units wide (Excel's width: digits of the default font), erring on more.

    Parameters
    ----------
    text : str
        The cell's text (its own line breaks kept).
    width : float
        The column's width in Excel's units.
    per_width : float, optional
        Characters a unit of width holds (:data:`BOLD_CHARS_PER_WIDTH` for bold text).

    Returns
    -------
    int
        Lines, at least one.
    """
    import textwrap

    chars = max(int(width * per_width), 1)
    return sum(max(len(textwrap.wrap(part, chars, break_long_words=True)), 1) for part in str(text).split("\n"))


def row_heights(sheet: Sheet) -> dict[int, float]:
    """Row heights in points for the rows whose wrapped text needs more than one line:
    neither Excel nor LibreOffice sizes a row to its wrapped text when it opens a file
    written by XlsxWriter, so without a height the text of one row overprints the next.

    Parameters
    ----------
    sheet : Sheet
        The sheet as written (cells with ``wrap``, header cells, column widths).

    Returns
    -------
    dict
        ``{row number (1-based): height in points}``; rows of one line are left out.
    """
    lines: dict[int, int] = {}
    for (r, c), cell in sheet.cells.items():
        if cell.wrap or cell.style == "header":
            bold = cell.bold or cell.style == "header"
            n = wrapped_lines(str(cell.value), _width_of(sheet, c), BOLD_CHARS_PER_WIDTH if bold else CHARS_PER_WIDTH)
            lines[r] = max(lines.get(r, 1), n)
    return {r: n * LINE_HEIGHT + 3.0 for r, n in sorted(lines.items()) if n > 1}


def to_bytes(wb: Workbook, order: Sequence[str] = (), created: dt.datetime | dt.date | None = None) -> bytes:
    """The workbook as ``.xlsx`` bytes: sheets named in ``order`` first, every formula
    with its computed value, ``created`` as the document's date (default 2000-01-01, so
    the bytes depend on the content only)."""
    import xlsxwriter

    ev = Evaluator(wb.sheets)
    rank = {name: i for i, name in enumerate(order)}
    names = sorted(wb.sheets, key=lambda n: (rank.get(n, len(rank)), list(wb.sheets).index(n)))
    when = created or dt.date(2000, 1, 1)
    if not isinstance(when, dt.datetime):
        when = dt.datetime(when.year, when.month, when.day)
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False})
    book.set_properties({"created": when, "comments": "Written by mtfs_model"})
    cache: dict[tuple[Any, ...], Any] = {}

    def style(cell: Cell, quote: bool = False, indent: bool = False) -> Any:
        key = (cell.fmt, cell.bold, cell.style, cell.wrap, quote, indent)
        if key not in cache:
            props: dict[str, Any] = {"valign": "top"}
            if cell.fmt:
                props["num_format"] = cell.fmt
            if cell.bold:
                props["bold"] = True
            if cell.wrap:
                props["text_wrap"] = True
            if cell.style == "title":
                props.update(bold=True, font_size=12, valign="bottom")
            elif cell.style == "note":
                props.update(italic=True, font_size=9, valign="bottom")
            elif cell.style == "header":
                props.update(bold=True, text_wrap=True, valign="bottom", bg_color="#E6E6E6")
            if quote:
                props["quote_prefix"] = True
            if indent:  # text after a right-aligned figure: a gap between them
                props["indent"] = 1
            cache[key] = book.add_format(props)
        return cache[key]

    for name in names:
        sheet = wb.sheets[name]
        ws = book.add_worksheet(name)
        for (r, c), cell in sorted(sheet.cells.items()):
            v, r0, c0 = cell.value, r - 1, c - 1
            if isinstance(v, Formula):
                computed = ev.value(name, r, c)
                if isinstance(computed, float):
                    computed = round(float(computed), 9) + 0.0
                ws.write_formula(r0, c0, str(v), style(cell), computed)
            elif isinstance(v, bool):
                ws.write_boolean(r0, c0, v, style(cell))
            elif _is_number(v):
                ws.write_number(r0, c0, v, style(cell))
            elif isinstance(v, dt.datetime | dt.date):
                ws.write_datetime(r0, c0, v, style(cell))
            else:
                text = str(v)
                indent = c > sheet.index_cols and not cell.style
                ws.write_string(r0, c0, text, style(cell, quote=text.startswith(FORMULA_STARTS), indent=indent))
        for j in sorted(sheet.widths):
            ws.set_column(j - 1, j - 1, _width_of(sheet, j))
        for r, height in row_heights(sheet).items():
            ws.set_row(r - 1, height)
        head = sheet.header_row
        ws.freeze_panes(head, sheet.index_cols)
        ws.set_paper(9)  # A4
        wide = len(sheet.widths) > 7 or sum(_width_of(sheet, j) for j in sheet.widths) > 130
        if wide:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(head - 1)
        ws.set_header("&C" + sheet.title.replace("&", "&&"))
        ws.set_footer("&RPage &P of &N")
        ws.set_margins(left=0.5, right=0.5)
    book.close()
    return buf.getvalue()


# --- plain DataFrames ---------------------------------------------------------------------

GO_LIVE = re.compile(r"^(\d{4})-(\d{2})$")


def column_format(column: str) -> str:
    """The number format of a DataFrame column by what it holds (its name): the Excel
    format of its kind of figure (:func:`mtfs_model.base.formats.kind_of`); money (£000)
    for a column whose name says nothing else."""
    kind = kind_of(column)
    return MONEY if kind == "text" else EXCEL_FORMATS[kind]


def _as_date(v: Any) -> Any:
    if isinstance(v, str) and (m := GO_LIVE.match(v)):
        return dt.date(int(m[1]), int(m[2]), 1)
    return v


def frame_sheet(
    wb: Workbook,
    name: str,
    df: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
    title: str = "",
    note: str = "",
    formats: Mapping[str, str] | None = None,
) -> Sheet:
    """A DataFrame as a sheet: the index columns first, headers from ``labels`` (else the
    column name in words), each column's format from ``formats`` (by column name) or
    :func:`column_format`; text columns stay text."""
    headers = dict(labels or {})
    flat = df.reset_index()
    index_cols = df.index.nlevels
    sheet = Sheet(wb, name, title or name, note)
    names = [headers.get(str(c), str(c).replace("_", " ").capitalize()) for c in flat.columns]
    by_label: dict[str, str] = {}
    dates = set()
    for j, c in enumerate(flat.columns):
        fmt = (formats or {}).get(str(c)) or column_format(str(c))
        if fmt == DATE:
            dates.add(j)
        elif j < index_cols or not pd.api.types.is_numeric_dtype(flat[c]) or pd.api.types.is_bool_dtype(flat[c]):
            fmt = TEXT
        by_label[names[j]] = fmt
    sheet.header(names, index_cols, by_label)
    for row in flat.itertuples(index=False):
        sheet.add([_as_date(v) if j in dates else v for j, v in enumerate(row)])
    sheet.finish()
    return sheet


def workbook_bytes(
    sheets: Mapping[str, pd.DataFrame], labels: Mapping[str, str] | None = None, created: dt.date | None = None
) -> bytes:
    """The tables as a formatted .xlsx, one sheet each (:func:`frame_sheet`).  Text that
    starts with ``=`` is stored as text, never as a formula."""
    wb = new_workbook()
    for title, df in sheets.items():
        frame_sheet(wb, title, df, labels)
    return to_bytes(wb, created=created)
