"""``mtfs edition export``: an edition folder as one workbook a finance partner can edit.

A README sheet first (what each sheet holds, units, signs, how to import), then one sheet
per table (:data:`mtfs_model.edition.workbook.sheets.LAYOUT`): header rows frozen, columns
sized, £000 as ``#,##0``, fractions as ``0.0%``, text cells formatted as text (so
``2021-12`` stays text), drop-down lists for codes another sheet defines, no merged cells,
every cell reading "to update" filled yellow, long text wrapped, A4 print setup; the
files' comments as cell notes (each file's opening comment on the File notes sheet).
Written with XlsxWriter; the file's dates are fixed, so the same folder gives the same
bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mtfs_model.base.errors import InputError
from mtfs_model.base.output import atomic_write
from mtfs_model.base.rounding import number
from mtfs_model.base.schema_types import parse_toml
from mtfs_model.edition.markers import TO_UPDATE
from mtfs_model.edition.workbook.comments import as_comment, comments_of, split_header
from mtfs_model.edition.workbook.layout import FIRST_DATA_ROW, Empty, build, is_year, join, path_text, unjoined
from mtfs_model.edition.workbook.plan import GridPlan, ListPlan, Plan, header_texts, plan_entries, plan_file
from mtfs_model.edition.workbook.sheets import (
    COMMENTS,
    CSV_SHEETS,
    FILE_ORDER,
    LAYOUT,
    NOTES,
    NOTES_SHEET,
    SIGN,
    TEXT_SHEETS,
    Grid,
)
from mtfs_model.edition.workbook.textpatch import HEADER, ORIGINALS, ORIGINALS_SHEET, Original, rows_of

FIXED_DATE = dt.datetime(2021, 1, 1)
PERCENT_KEYS = frozenset({"discount_rate", "occupancy"})
"""Fractions shown as percentages (the schema's ``Fraction``)."""
INT_FMT, FLOAT_FMT, PCT_FMT, DATE_FMT, TEXT_FMT = "#,##0", "#,##0.0##", "0.0%", "yyyy-mm-dd", "@"
CHOICES = {
    "kind": ("growth", "saving"),
    "shape": ("normal", "lognormal"),
    "evolution": ("level", "walk", "independent"),
}
WRAP_AT = 60
"""Text longer than this wraps within its column (no column is wider)."""
LAST_LIST_ROW = 400
"""Drop-down lists and the "to update" highlight reach this row, so added rows get them."""
_INT_TEXT = re.compile(r"^-?\d+$")


def read_folder(folder: Path, *, texts: bool = False) -> dict[str, Any]:
    """An edition folder's files as data: TOML trees, CSV rows, README text.

    Read as written, not validated (a rolled-forward edition with figures "to update"
    exports too); a file that is not TOML is one clear error.  With ``texts``, each file's
    text as written too (under :data:`~mtfs_model.edition.workbook.textpatch.ORIGINALS`),
    for the book's hidden sheet that lets an unchanged book import to the same bytes."""
    if not (folder / "edition.toml").is_file():
        raise InputError(folder, "(folder)", "an edition folder holding edition.toml", show_got=False)
    files: dict[str, Any] = {}
    rank = {name: i for i, name in enumerate(FILE_ORDER)}
    tomls = sorted(folder.glob("*.toml"), key=lambda p: (rank.get(p.name, len(rank)), p.name))
    notes: dict[str, str] = {}
    inner: dict[str, dict[tuple[str | int, ...], str]] = {}
    written: dict[str, Original] = {}
    for p in tomls:
        raw = p.read_bytes()
        files[p.name] = parse_toml(raw, p)
        text = raw.decode("utf-8")
        written[p.name] = Original(text)
        header, skip = split_header(text)
        if header:
            notes[p.name] = header
        if found := comments_of(text, skip):
            inner[p.name] = found
    for name in CSV_SHEETS:
        if (folder / name).is_file():
            with (folder / name).open(newline="", encoding="utf-8") as fh:
                files[name] = list(csv.reader(fh))
            written[name] = Original(_text(folder / name))
    for name in TEXT_SHEETS:
        if (folder / name).is_file():
            files[name] = (folder / name).read_text(encoding="utf-8")
            written[name] = Original(_text(folder / name))
    if notes:
        files[NOTES] = notes
    if inner:
        files[COMMENTS] = inner
    if texts:
        files[ORIGINALS] = written
    return files


def _text(path: Path) -> str:
    """A file's text exactly as written (line ends kept); one clear error if not UTF-8."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, "(file)", f"UTF-8 text ({exc.reason} at byte {exc.start})", show_got=False) from None


class _Printed(float):
    """A float XlsxWriter writes as the shortest decimal that reads back as the same float
    (``83.1``, not XlsxWriter's 16 significant digits ``83.09999999999999``): the cell's XML
    then holds the figure the papers print, as the TOML file does."""

    def __format__(self, spec: str) -> str:
        return float.__format__(self, spec) if self.is_integer() else repr(float(self))


class _Book:
    def __init__(self, target: Any) -> None:
        import xlsxwriter

        self.wb = xlsxwriter.Workbook(
            target, {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
        )
        self.wb.set_properties({"created": FIXED_DATE, "author": "mtfs edition export"})
        add = self.wb.add_format

        def f(props: dict[str, Any]) -> Any:
            return add({"valign": "top", **props})  # a row made tall by a long text reads from the top

        self.title = f({"bold": True, "font_size": 13})
        self.note = f({"italic": True, "font_color": "#595959"})
        self.group = f({"bold": True, "font_color": "#595959", "bg_color": "#F2F2F2"})
        self.head = f({"bold": True, "bottom": 1, "bg_color": "#D9E1F2"})
        self.key = f({"bold": True, "num_format": TEXT_FMT})
        self.fmts = {k: f({"num_format": v}) for k, v in {"int": INT_FMT, "float": FLOAT_FMT, "pct": PCT_FMT}.items()}
        self.fmts["date"] = f({"num_format": DATE_FMT})
        self.fmts["datetime"] = f({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.fmts["time"] = f({"num_format": "hh:mm:ss"})
        self.fmts["text"] = f({"num_format": TEXT_FMT})
        self.todo = f({"bg_color": "#FFEB9C", "font_color": "#9C5700", "num_format": INT_FMT, "align": "right"})
        # not a text format: the figure typed over "to update" must stay a number
        self.wrap = f({"text_wrap": True, "num_format": TEXT_FMT})
        self.tall: dict[tuple[str, int], int] = {}

    def cell(self, ws: Any, row: int, col: int, value: Any, leaf: str) -> int:
        """Write one value in its own type and format; returns its shown width."""
        if isinstance(value, Empty):
            ws.write_string(row, col, value.kind, self.fmts["text"])
            return 2
        if isinstance(value, list):
            text = join(value)
            ws.write_string(row, col, text, self.fmts["text"])
            return len(text)
        if isinstance(value, bool):
            ws.write_boolean(row, col, value)  # no format: with one LibreOffice keeps 1, not TRUE
            return 5
        if isinstance(value, int):
            ws.write_number(row, col, value, self.fmts["int"])
            return len(f"{value:,}")
        if isinstance(value, float):
            fmt = "pct" if leaf in PERCENT_KEYS else "float"
            ws.write_number(row, col, _Printed(value + 0.0), self.fmts[fmt])  # + 0.0: no "-0" in the book
            return len(number(value, 3))  # the column width it needs
        if isinstance(value, dt.datetime):
            ws.write_datetime(row, col, value, self.fmts["datetime"])
            return 19
        if isinstance(value, dt.date):
            ws.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), self.fmts["date"])
            return 10
        if isinstance(value, dt.time):
            ws.write_datetime(row, col, value, self.fmts["time"])
            return 8
        text = str(value)
        if len(text) > WRAP_AT:  # a long text wraps in its column (its row made tall enough)
            ws.write_string(row, col, text, self.wrap)
            lines = -(-len(text) // WRAP_AT)
            if lines > self.tall.get((ws.name, row), 1):
                self.tall[(ws.name, row)] = lines
                ws.set_row(row, 15 * lines)
            return WRAP_AT
        ws.write_string(row, col, text, self.todo if text == TO_UPDATE else self.fmts["text"])
        return len(text)


def _last_name(sub: tuple[Any, ...]) -> str:
    names = [s for s in sub if isinstance(s, str)]
    return names[-1] if names else ""


def _widths(ws: Any, widths: dict[int, int], cap: int = 60) -> None:
    for col, w in widths.items():
        ws.set_column(col, col, min(max(w + 2, 8), cap))


def _print_setup(ws: Any, *, headers: bool = True) -> None:
    """A4 landscape, one page wide, header rows repeated, sheet name and page in the footer."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    if headers:
        ws.repeat_rows(2, 3)
    ws.set_footer("&L&A&RPage &P of &N")


def _heading(book: _Book, ws: Any, title: str, note: str) -> None:
    """Title and note rows, and the print setup."""
    _print_setup(ws)
    ws.write_string(0, 0, title, book.title)
    if note:
        ws.write_string(1, 0, note, book.note)


Placed = list[tuple[tuple[str | int, ...], Any, int, int]]
"""(key path, worksheet, row, column) of each cell a note may go on, in sheet order."""


def _write_grid(book: _Book, gp: GridPlan, key_cols: Mapping[str, str], placed: Placed) -> None:
    spec = gp.spec
    ws = book.wb.add_worksheet(spec.sheet)
    _heading(book, ws, spec.title, spec.note)
    nk = len(spec.key_headers)
    widths: dict[int, int] = {}
    for c, h in enumerate(spec.key_headers):
        ws.write_string(3, c, h, book.head)
        widths[c] = len(h)
    for c, sub in enumerate(gp.columns, start=nk):
        group, fld = header_texts(sub)
        if group:
            ws.write_string(2, c, group, book.group)
        ws.write_string(3, c, fld, book.head)
        widths[c] = max(len(fld), 11 if is_year(fld) else 6)
    for r, (keys, item, cells) in enumerate(gp.rows, start=FIRST_DATA_ROW - 1):
        placed.append((item, ws, r, max(nk - 1, 0)))  # the row's note: on its key (or first) cell
        for c, k in enumerate(keys):
            ws.write_string(r, c, k, book.key)
            widths[c] = max(widths[c], len(k))
        for c, sub in enumerate(gp.columns, start=nk):
            if sub in cells:
                widths[c] = max(widths[c], book.cell(ws, r, c, cells[sub], _last_name(sub)))
                placed.append((unjoined((*item, *sub)), ws, r, c))
    last_col = nk + len(gp.columns) - 1
    _widths(ws, widths)
    ws.freeze_panes(FIRST_DATA_ROW - 1, nk)
    ws.autofilter(3, 0, FIRST_DATA_ROW - 2 + len(gp.rows), last_col)
    for c, sub in enumerate(gp.columns, start=nk):
        _validation(ws, c, _last_name(sub), spec, key_cols)
    for c, h in enumerate(spec.key_headers):
        _validation(ws, c, h, spec, key_cols)


def _validation(ws: Any, col: int, name: str, spec: Grid, key_cols: Mapping[str, str]) -> None:
    rows = (FIRST_DATA_ROW - 1, col, LAST_LIST_ROW, col)
    target = spec.lists.get(name)
    if target and target in key_cols and target != spec.sheet:
        ref = key_cols[target]
        ws.data_validation(
            *rows,
            {
                "validate": "list",
                "source": ref,
                "error_title": "Not on the list",
                "error_message": f"Pick a code from the {target} sheet (add it there first).",
            },
        )
    elif name in CHOICES and spec.sheet in ("Growth", "Programmes", "Risk"):
        ws.data_validation(*rows, {"validate": "list", "source": list(CHOICES[name])})


def _write_listing(book: _Book, lp: ListPlan, placed: Placed) -> None:
    spec = lp.spec
    ws = book.wb.add_worksheet(spec.sheet)
    _heading(book, ws, spec.title, spec.note)
    prefix = path_text(spec.at) if spec.at else ""
    ws.write_string(2, 0, prefix, book.group)
    ws.write_string(3, 0, "key", book.head)
    ws.write_string(3, 1, "value", book.head)
    if lp.years:
        ws.write_string(2, 2, "by year", book.group)
    for c, y in enumerate(lp.years, start=2):
        ws.write_string(3, c, y, book.head)
    widths = {0: 8, 1: 8, **{c: max(len(y), 11) for c, y in enumerate(lp.years, start=2)}}
    for r, (sub, value) in enumerate(lp.rows, start=FIRST_DATA_ROW - 1):
        text = path_text(sub) if sub else ""
        ws.write_string(r, 0, text, book.key)
        placed.append((unjoined((*spec.at, *sub)), ws, r, 0))
        widths[0] = max(widths[0], len(text))
        leaf = _last_name(sub)
        if isinstance(value, dict):
            for y, v in value.items():
                c = 2 + lp.years.index(y)
                widths[c] = max(widths[c], book.cell(ws, r, c, v, leaf))
                placed.append(((*spec.at, *sub, y), ws, r, c))
        else:
            widths[1] = max(widths[1], book.cell(ws, r, 1, value, leaf))
    _widths(ws, widths, cap=70)
    ws.freeze_panes(FIRST_DATA_ROW - 1, 1)


def _write_comments(notes: Mapping[tuple[str | int, ...], str], placed: Placed) -> dict[tuple[str | int, ...], str]:
    """Each comment of a file as the note on its key's cell: the key's own cell, else the
    first cell below it, else its nearest enclosing key's; notes meeting on one cell join.

    Returns the notes as the import reads them back (the key of the cell -> its note), so
    the import can tell a note changed in the book from one left as exported."""
    exact: dict[tuple[str | int, ...], tuple[Any, int, int]] = {}
    key_of: dict[tuple[int, int, int], tuple[str | int, ...]] = {}
    for path, ws, r, c in placed:
        exact.setdefault(path, (ws, r, c))
        key_of.setdefault((id(ws), r, c), path)
    on: dict[tuple[int, int, int], tuple[Any, list[str]]] = {}
    for path, note in notes.items():
        target = exact.get(path)
        if target is None:
            target = next(((ws, r, c) for p, ws, r, c in placed if p[: len(path)] == path), None)
        for k in range(len(path) - 1, 0, -1):
            if target is None:
                target = exact.get(path[:k])
        if target is not None:
            ws, r, c = target
            on.setdefault((id(ws), r, c), (ws, []))[1].append(note)
    read_back: dict[tuple[str | int, ...], str] = {}
    for (i, r, c), (ws, texts) in on.items():
        ws.write_comment(r, c, "\n".join(texts), {"author": "mtfs edition", "x_scale": 3, "y_scale": 2})
        if note := as_comment("\n".join(texts)):
            read_back[key_of[(i, r, c)]] = note
    return read_back


def _write_originals(book: _Book, originals: Mapping[str, Original]) -> None:
    """The hidden, protected sheet holding each file as written (a formatting template
    for the import; its figures always come from the visible sheets)."""
    ws = book.wb.add_worksheet(ORIGINALS_SHEET)
    title = "Each file of the folder as exported: the import keeps its comments and layout"
    ws.write_string(0, 0, title, book.title)
    ws.write_string(1, 0, "Figures are read from the other sheets only; this text is never their source.", book.note)
    for c, h in enumerate(HEADER):
        ws.write_string(3, c, h, book.head)
    for r, row in enumerate(rows_of(originals), start=FIRST_DATA_ROW - 1):
        for c, text in enumerate(row):
            ws.write_string(r, c, text)
    ws.set_column(0, 1, 16)
    ws.set_column(2, 2, 20)
    ws.set_column(3, 3, 100)
    ws.hide()
    ws.protect()


def _write_csv(book: _Book, sheet: str, rows: list[list[str]]) -> None:
    ws = book.wb.add_worksheet(sheet)
    _heading(book, ws, "Appendix A revenue budget, every printed row (£)", "parent: the id of the row's subtotal.")
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    widths = {c: len(h) for c, h in enumerate(header)}
    for c, h in enumerate(header):
        ws.write_string(3, c, h, book.head)
    for r, row in enumerate(body, start=FIRST_DATA_ROW - 1):
        for c, text in enumerate(row):
            if _INT_TEXT.match(text):
                widths[c] = max(widths.get(c, 6), book.cell(ws, r, c, int(text), ""))
            elif text:
                widths[c] = max(widths.get(c, 6), book.cell(ws, r, c, text, ""))
    _widths(ws, widths, cap=40)
    ws.freeze_panes(FIRST_DATA_ROW - 1, 1)


def _write_text(book: _Book, sheet: str, name: str, text: str) -> None:
    ws = book.wb.add_worksheet(sheet)
    _heading(book, ws, f"The edition folder's {name}, one line a row", "Markdown; kept as written.")
    ws.write_string(3, 0, "line", book.head)
    for r, line in enumerate(text.rstrip("\n").split("\n"), start=FIRST_DATA_ROW - 1):
        if line:
            ws.write_string(r, 0, line, book.fmts["text"])
    ws.set_column(0, 0, 110)


def _write_notes(book: _Book, notes: Mapping[str, str]) -> None:
    ws = book.wb.add_worksheet(NOTES_SHEET)
    _heading(book, ws, "Each file's opening comment, one line a row", "Written back above the file's figures.")
    ws.write_string(3, 0, "file", book.head)
    ws.write_string(3, 1, "line", book.head)
    r = FIRST_DATA_ROW - 1
    for name, text in notes.items():
        for line in text.split("\n"):
            ws.write_string(r, 0, name, book.key)
            if line:
                ws.write_string(r, 1, line, book.fmts["text"])
            r += 1
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 100)
    ws.freeze_panes(FIRST_DATA_ROW - 1, 1)


def _readme(book: _Book, files: Mapping[str, Any], plans: list[Plan], source: str) -> None:
    ws = book.wb.add_worksheet("README")
    _print_setup(ws, headers=False)
    ed = files.get("edition.toml", {}).get("edition", {})
    years = files.get("edition.toml", {}).get("horizon", {}).get("years", [])
    lines = [
        (book.title, f"{ed.get('title', 'MTFS edition')} — the edition as a workbook"),
        (None, f"{ed.get('council', '')}, {ed.get('department', '')}. Years: {', '.join(map(str, years))}."),
        (None, "Exported by `mtfs edition export`."),
        (None, ""),
        (book.group, "How to use it"),
        (None, "Edit the figures, add or delete rows, then: mtfs edition import THIS.xlsx -o FOLDER"),
        (None, "The import writes the edition folder only if every sheet is right; otherwise it lists every"),
        (None, "problem at once, one line each, naming the sheet and cell (Growth!E7), the key and what was expected."),
        (None, "Then: mtfs run baseline --edition FOLDER, and mtfs reconcile --edition FOLDER."),
        (None, ""),
        (book.group, "Conventions"),
        (None, "Money in £000 unless the sheet or key says otherwise (Appendix A in £; gbp: £; gbpm: £m)."),
        (None, SIGN),
        (None, "Years are fiscal years written YYYY/YY, across the columns. Moving the MTFS on a year means"),
        (None, "editing the year headers and horizon.years[] on the Edition sheet."),
        (None, "Rows 1-2 title and note; row 3 the group of each column (values, source ...), row 4 its key;"),
        (None, "data from row 5. A key is a dotted path: values.<year>, papers[0].date. A blank cell has no value."),
        (None, "A key ending in [] holds a list in one cell, items separated by commas (code1, code2, code3)."),
        (None, "{} is an empty table and [] an empty list. Text cells are formatted as text: 2021-12 stays text."),
        (None, "Formulas are allowed: the import reads the value Excel or LibreOffice last calculated and saved."),
        (None, "A formula with no saved value (a book written by a script and never opened) is an error: open"),
        (None, "and save the book in Excel or LibreOffice first."),
        (None, f'Cells reading "{TO_UPDATE}" (yellow) need the new papers\' figure: the import refuses them.'),
        (None, "Sheets you add are ignored; renaming or deleting one of these sheets drops its figures."),
        (None, "source: doc (a document on the Sources sheet), ref (paragraph or appendix), grep (a phrase)."),
        (None, ""),
        (book.group, "Sheets"),
    ]
    for p in plans:
        lines.append((None, f"{p.spec.sheet}: {p.spec.title or p.spec.file} ({p.spec.file})"))
    for name, sheet in {**CSV_SHEETS, **TEXT_SHEETS}.items():
        if name in files:
            lines.append((None, f"{sheet}: {name}, as written"))
    if files.get(NOTES):
        lines.append((None, f"{NOTES_SHEET}: each file's opening comment, written back above its figures"))
    if files.get(ORIGINALS):
        lines.append((None, f"{ORIGINALS_SHEET} (hidden): each file as exported, so an unchanged book imports to the"))
        lines.append((None, "same files, comments and layout kept; figures are only ever read from the sheets above."))
    for r, (fmt, text) in enumerate(lines):
        if fmt is None:
            ws.write_string(r, 0, text)
        else:
            ws.write_string(r, 0, text, fmt)
    ws.set_column(0, 0, 110)
    ws.activate()


def plans_of(files: Mapping[str, Any]) -> list[Plan]:
    """Every TOML file's sheets, in the template's order."""
    order = {s.sheet: i for i, s in enumerate(LAYOUT)}
    plans: list[Plan] = []
    for name, tree in files.items():
        if name.endswith(".toml"):
            plans.extend(plan_file(name, normal(name, tree)))
    return sorted(plans, key=lambda p: order.get(p.spec.sheet, len(order)))


def normal(file: str, tree: dict[str, Any]) -> dict[str, Any]:
    """The tree in the order a folder imported from its book holds it (keys in the order
    the sheets are read, plain values before tables as TOML writes them): the book of a
    folder that came from a book is then the same book."""
    return canonical(build(plan_entries(plan_file(file, canonical(tree)))))


def canonical(tree: dict[str, Any]) -> dict[str, Any]:
    """The tree in the key order its TOML file is written in (plain values before tables),
    so a folder written from a book exports to the same book."""
    import tomllib

    import tomli_w

    return tomllib.loads(tomli_w.dumps(tree))


def _key_refs(plans: list[Plan]) -> dict[str, str]:
    """``Sheet`` -> the range of its code column, for drop-down lists."""
    refs: dict[str, str] = {}
    for p in plans:
        if isinstance(p, GridPlan):
            col = None
            if p.spec.key_headers:
                col = 0
            else:
                for c, sub in enumerate(p.columns):
                    if sub == ("id",):
                        col = c
            if col is not None:
                letter = _col_letter(col)
                refs[p.spec.sheet] = f"='{p.spec.sheet}'!${letter}${FIRST_DATA_ROW}:${letter}${LAST_LIST_ROW}"
    return refs


def _col_letter(col: int) -> str:
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def write_book(files: Mapping[str, Any], target: Any, source: str) -> None:
    """Write the workbook of an edition's files to ``target`` (a path or a binary stream)."""
    plans = plans_of(files)
    book = _Book(target)
    _readme(book, files, plans, source)
    refs = _key_refs(plans)
    placed: dict[str, Placed] = {}
    for p in plans:
        if isinstance(p, GridPlan):
            _write_grid(book, p, refs, placed.setdefault(p.spec.file, []))
        else:
            _write_listing(book, p, placed.setdefault(p.spec.file, []))
    read_back = {name: _write_comments(notes, placed.get(name, [])) for name, notes in files.get(COMMENTS, {}).items()}
    for name, sheet in CSV_SHEETS.items():
        if name in files:
            _write_csv(book, sheet, files[name])
    for name, sheet in TEXT_SHEETS.items():
        if name in files:
            _write_text(book, sheet, name, files[name])
    if files.get(NOTES):
        _write_notes(book, files[NOTES])
    if files.get(ORIGINALS):
        originals = {n: Original(o.text, read_back.get(n, {})) for n, o in files[ORIGINALS].items()}
        _write_originals(book, originals)
    book.wb.close()


def book_bytes(files: Mapping[str, Any], source: str) -> bytes:
    buf = io.BytesIO()
    write_book(files, buf, source)
    return buf.getvalue()


def export_edition(folder: str | Path, out: str | Path) -> Path:
    """Write the workbook of the edition folder ``folder`` to ``out`` (atomically)."""
    folder = Path(folder)
    files = read_folder(folder, texts=True)
    return save_book(book_bytes(files, folder.resolve().name), out)


def save_book(data: bytes, out: str | Path) -> Path:
    """Write a workbook's bytes to ``out`` atomically (never half a file)."""

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    return atomic_write(out, write)


__all__ = ["book_bytes", "export_edition", "read_folder", "save_book", "write_book"]
