"""A scenario brief's tables as a formatted Excel workbook (openpyxl)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import pandas as pd

PRECISE = ("expected", "actual", "difference", "tolerance")
"""Findings columns: some differences are fractions of a printed unit."""


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _is_number_column(s: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(s)) and not bool(pd.api.types.is_bool_dtype(s))


def _excel_value(v: Any) -> Any:
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and v != v:  # NaN never reaches a table; keep the cell empty if it did
        return None
    if isinstance(v, float) and v in (float("inf"), float("-inf")):
        return "never"
    return v


def _format_columns(ws: Any, flat: pd.DataFrame, header: list[str], index_cols: int) -> None:
    """Number formats (``#,##0``, ``0.0%`` for ``_pct``) and column widths."""
    from openpyxl.utils import get_column_letter

    for j, col in enumerate(flat.columns, start=1):
        letter = get_column_letter(j)
        numeric = _is_number_column(flat[col])
        fmt = "0.0%" if str(col).endswith("_pct") else "#,##0.0##" if str(col) in PRECISE else "#,##0"
        width = len(header[j - 1])
        for i in range(2, ws.max_row + 1):
            c = ws[f"{letter}{i}"]
            if numeric and j > index_cols:
                c.number_format = fmt
                width = max(width, len(f"{c.value:,.0f}") + 1 if _is_number(c.value) else 4)
            else:
                width = max(width, min(len(str(c.value or "")), 70))
        ws.column_dimensions[letter].width = min(max(width + 2, 8), 72)


def workbook_bytes(sheets: Mapping[str, pd.DataFrame], labels: Mapping[str, str] | None = None) -> bytes:
    """The tables as a formatted .xlsx: one sheet each, bold headers (``labels`` maps a
    column name to its header), frozen panes, column widths, ``#,##0`` for GBP000 and
    ``0.0%`` for ``_pct`` columns.  Text that starts with ``=`` is stored as text, never
    as a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    headers = dict(labels or {})
    wb = Workbook()
    wb.remove(wb.active)
    for title, df in sheets.items():
        ws = wb.create_sheet(title[:31])
        flat = df.reset_index()
        index_cols = df.index.nlevels
        header = [headers.get(str(c), str(c)) for c in flat.columns]
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in flat.itertuples(index=False):
            ws.append([_excel_value(v) for v in row])
            for c in ws[ws.max_row]:
                if isinstance(c.value, str) and c.value.startswith("="):
                    c.data_type = "s"  # scenario text is text, never a formula
        _format_columns(ws, flat, header, index_cols)
        ws.freeze_panes = ws.cell(row=2, column=index_cols + 1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
