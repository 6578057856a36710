"""Writing a brief's workbook with openpyxl: sheets an auditor can follow and print.

:class:`Sheet` writes one sheet: a title row, a note row, a header row (the unit in
every header), then rows whose cells are numbers (stored rounded: GBP000 to three
decimals, i.e. to the pound), text (always text: a scenario's words starting with ``=``
never become a formula) or :class:`Formula` (a live Excel formula).  Number formats
``#,##0`` (GBP000), ``0.0%`` (shares), ``#,##0.0##`` (precise figures); frozen panes
under the header; print setup on every sheet (A4, fit to width, landscape where wide,
the header rows repeated, the sheet's title in the page header, page numbers below).

:func:`workbook_bytes` writes plain DataFrames the same way (one sheet each).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

PRECISE = ("expected", "actual", "difference", "tolerance")
"""Findings columns: some differences are fractions of a printed unit."""
MONEY = "#,##0"
SHARE = "0.0%"
EXACT = "#,##0.0##"
DECIMALS = 3
"""GBP000 stored to three decimals: to the pound."""
TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 4


class Formula(str):
    """A live Excel formula (``=SUM(C5:C9)``); any other text is stored as text."""


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _is_number_column(s: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(s)) and not bool(pd.api.types.is_bool_dtype(s))


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


def col(j: int) -> str:
    """Column letter of a 1-based column number."""
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(j))


def ref(row: int, column: int, sheet: str | None = None, absolute: bool = False) -> str:
    """An A1 reference, sheet-qualified (quoted) if ``sheet`` is given."""
    cell = f"${col(column)}${row}" if absolute else f"{col(column)}{row}"
    return f"'{sheet}'!{cell}" if sheet else cell


class Sheet:
    """One worksheet being written (see the module's docstring)."""

    def __init__(self, wb: Any, name: str, title: str, note: str = "") -> None:
        from openpyxl.styles import Font

        self.ws = wb.create_sheet(name[:31])
        self.name = name[:31]
        self.title = title
        self.ws.cell(TITLE_ROW, 1, title).font = Font(bold=True, size=12)
        if note:
            self.ws.cell(NOTE_ROW, 1, note).font = Font(italic=True, size=9)
        self.row = HEADER_ROW
        self.formats: dict[int, str] = {}
        self.index_cols = 1
        self.widths: dict[int, int] = {}

    def header(self, labels: Sequence[str], index_cols: int = 1, formats: Mapping[int, str] | None = None) -> None:
        """The header row (bold, wrapped); ``formats`` by 1-based column (default ``#,##0``
        for every column after the index columns)."""
        from openpyxl.styles import Alignment, Font, PatternFill

        self.index_cols = index_cols
        for j, label in enumerate(labels, start=1):
            c = self.ws.cell(self.row, j, str(label))
            c.font = Font(bold=True)
            c.alignment = Alignment(wrap_text=True, vertical="bottom")
            c.fill = PatternFill("solid", fgColor="E6E6E6")
            self.widths[j] = max(self.widths.get(j, 0), min(len(str(label)), 18))
        self.formats = {j: MONEY for j in range(index_cols + 1, len(labels) + 1)}
        self.formats.update(formats or {})
        self.header_row = self.row
        self.row += 1

    def add(self, values: Sequence[Any], bold: bool = False, formats: Mapping[int, str] | None = None) -> int:
        """Write a row; returns its number.  :class:`Formula` cells are formulas, other
        text is text, numbers are rounded."""
        from openpyxl.styles import Alignment, Font

        r = self.row
        for j, v in enumerate(values, start=1):
            if v is None:
                continue
            value = excel_value(v)
            c = self.ws.cell(r, j, value)
            if isinstance(v, Formula):
                c.value = str(v)
            elif isinstance(value, str):
                c.data_type = "s"  # text is text, never a formula
                c.alignment = Alignment(wrap_text=len(value) > 60, vertical="top")
            fmt = (formats or {}).get(j) or self.formats.get(j)
            if fmt and (isinstance(v, Formula) or _is_number(value)):
                c.number_format = fmt
            if bold:
                c.font = Font(bold=True)
            width = 12 if isinstance(v, Formula) or _is_number(value) else min(len(str(value)), 60)
            self.widths[j] = max(self.widths.get(j, 0), width)
        self.row += 1
        return r

    def gap(self, n: int = 1) -> None:
        self.row += n

    def finish(self) -> None:
        """Column widths, frozen panes and the print setup."""
        from openpyxl.worksheet.properties import PageSetupProperties

        ws = self.ws
        for j, w in self.widths.items():
            ws.column_dimensions[col(j)].width = min(max(w + 2, 8), 62)
        head = getattr(self, "header_row", HEADER_ROW)
        ws.freeze_panes = ws.cell(row=head + 1, column=self.index_cols + 1)
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        wide = len(self.widths) > 7 or sum(ws.column_dimensions[col(j)].width or 10 for j in self.widths) > 130
        ws.page_setup.orientation = "landscape" if wide else "portrait"
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_title_rows = f"{head}:{head}"
        ws.print_options.gridLines = False
        ws.oddHeader.center.text = self.title.replace("&", "&&")
        ws.oddFooter.right.text = "Page &P of &N"
        ws.page_margins.left = ws.page_margins.right = 0.5


def new_workbook() -> Any:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    return wb


def to_bytes(wb: Any) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def frame_sheet(
    wb: Any, name: str, df: pd.DataFrame, labels: Mapping[str, str] | None = None, title: str = "", note: str = ""
) -> Sheet:
    """A DataFrame as a sheet: the index columns first, headers from ``labels`` (else the
    column name in words), ``0.0%`` for ``_pct`` columns, ``#,##0.0##`` for precise
    findings columns, ``#,##0`` for other numbers."""
    headers = dict(labels or {})
    flat = df.reset_index()
    index_cols = df.index.nlevels
    sheet = Sheet(wb, name, title or name, note)
    names = [headers.get(str(c), str(c).replace("_", " ").capitalize()) for c in flat.columns]
    formats = {}
    for j, c in enumerate(flat.columns, start=1):
        if j <= index_cols or not _is_number_column(flat[c]):
            formats[j] = ""
        elif str(c).endswith("_pct"):
            formats[j] = SHARE
        elif str(c) in PRECISE:
            formats[j] = EXACT
    sheet.header(names, index_cols, formats)
    for row in flat.itertuples(index=False):
        sheet.add(list(row))
    sheet.finish()
    return sheet


def workbook_bytes(sheets: Mapping[str, pd.DataFrame], labels: Mapping[str, str] | None = None) -> bytes:
    """The tables as a formatted .xlsx, one sheet each (:func:`frame_sheet`).  Text that
    starts with ``=`` is stored as text, never as a formula."""
    wb = new_workbook()
    for title, df in sheets.items():
        frame_sheet(wb, title, df, labels)
    return to_bytes(wb)
