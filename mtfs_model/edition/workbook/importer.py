"""``mtfs edition import BOOK.xlsx -o FOLDER``: a workbook back into an edition folder.

The container is checked and only the sheets the edition uses are read, within limits
(:mod:`mtfs_model.edition.workbook.container`; a missing or renamed sheet is named before
any cell).  A cell's type is its value's: a number (a whole number unless the
cell's format shows decimals or a percentage), text, TRUE/FALSE or a date.  A formula is
read as the value Excel or LibreOffice last calculated and saved with the book
(``data_only=True``); a formula with no saved value (a book written by a script and never
opened in a spreadsheet) is refused, naming its cell.

Every problem is reported at once, one line each, naming the sheet and cell, the key and
what was expected: ``book.xlsx: Growth!E7: lines.G2.values.2023/24: expected a number,
got 'tbc'``.  The book's own structure is checked here (headers, keys, duplicates); the
figures are checked by writing the folder to a hidden folder beside the target and
loading it as any edition is loaded, each of the loader's problems mapped back to the
cell it came from.  Nothing is written unless everything is right.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtfs_model.base.errors import InputError, Problem
from mtfs_model.base.schema_types import MISSING
from mtfs_model.edition.folder import REQUIRED_FILES
from mtfs_model.edition.markers import marker_problems
from mtfs_model.edition.workbook.comments import as_comment
from mtfs_model.edition.workbook.container import open_book, sheet_ref
from mtfs_model.edition.workbook.folder_write import check_target, write_folder
from mtfs_model.edition.workbook.layout import (
    EMPTY_LIST,
    EMPTY_TABLE,
    FIRST_DATA_ROW,
    JOINED,
    LIST0,
    TABLE0,
    Path_,
    TreeError,
    build,
    is_year,
    loose_path,
    parse_path,
    path_text,
    split,
    unjoined,
)
from mtfs_model.edition.workbook.plan import wanted_on
from mtfs_model.edition.workbook.sheets import (
    COMMENTS,
    CSV_SHEETS,
    LAYOUT,
    NOTES,
    NOTES_SHEET,
    TEXT_SHEETS,
    Grid,
    Listing,
    matches,
    sheet_rank,
    sheets_of,
)
from mtfs_model.edition.workbook.textpatch import ORIGINALS, ORIGINALS_SHEET, Original, originals_of


class _Reader:
    """Reads one book, collecting entries per file, cell locations and problems."""

    def __init__(self, book: Path, shown: str) -> None:
        self.book, self.shown = book, shown
        self.problems: list[Problem] = []
        self.unread: list[Problem] = []
        """Cells whose value could not be read (a formula with no saved result, an error
        value): the rest of the book is still checked, so they are reported with the rest."""
        self.entries: dict[str, list[tuple[str, Path_, Any]]] = {}
        self.where: dict[str, dict[Path_, str]] = {}
        self.csv: dict[str, list[list[str]]] = {}
        self.text: dict[str, str] = {}
        self.notes: dict[str, list[str]] = {}
        self.comments: dict[str, dict[Path_, str]] = {}
        self.originals: dict[str, Original] = {}
        """Each file as exported (the hidden sheet): a formatting template, never values."""

    def comment(self, file: str, path: Path_, cell: Any) -> None:
        """The note on ``cell`` (a comment of the key ``path``), if it has one."""
        note = as_comment(str(getattr(cell.comment, "text", "") or ""))
        if note:
            found = self.comments.setdefault(file, {})
            found[path] = f"{found[path]}\n{note}" if path in found else note

    def problem(self, ref: str, key: str, expected: str, got: Any = None, *, show_got: bool = True) -> None:
        self.problems.append(Problem(self.shown, f"{ref}: {key}" if key else ref, expected, got, show_got))

    def put(self, file: str, path: Path_, value: Any, ref: str) -> None:
        """A value at its cell: a problem with the value is named at this cell (not at the
        row's key cell, which :meth:`locate` may have named first)."""
        self.entries.setdefault(file, []).append((_sheet_of(ref), path, value))
        where = self.where.setdefault(file, {})
        where[path] = ref
        if path and path[-1] == JOINED:
            where[path[:-1]] = ref

    def locate(self, file: str, path: Path_, ref: str) -> None:
        where = self.where.setdefault(file, {})
        where.setdefault(path, ref)
        if path and path[-1] == JOINED:
            where.setdefault(path[:-1], ref)


def _ref(sheet: str, cell: Any) -> str:
    """``Growth!E7``, ``'High Needs'!C9``: a cell as Excel writes a reference to it."""
    return sheet_ref(sheet, cell.coordinate)


def _sheet_of(ref: str) -> str:
    name = ref.rsplit("!", 1)[0]
    return name[1:-1].replace("''", "'") if name.startswith("'") else name


_NUMBER_TEXT = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


NO_SAVED_RESULT = (
    "a value: the formula has no saved result (open and save the book in Excel or LibreOffice, or type the figure)"
)


def _value(
    r: _Reader, sheet: str, cell: Any, formula: Any, *, key: str = "", joined: bool = False, year: bool = False
) -> Any:
    """A cell's value as data: None for blank; reports a formula with no saved value.

    In a year column a number stored as text (``17,200``, Excel's green triangle) is the
    number."""
    v = cell.value
    ref = _ref(sheet, cell)
    if cell.problem is not None:  # refused by the reader: a formula reading outside the book, NaN ...
        r.unread.append(Problem(r.shown, f"{ref}: {key}" if key else ref, *cell.problem))
        return None
    if isinstance(formula, str) and formula.startswith("=") and v is None:
        r.unread.append(Problem(r.shown, f"{ref}: {key}" if key else ref, NO_SAVED_RESULT, formula))
        return None
    if v is None:
        return None
    if cell.data_type == "e":
        r.unread.append(Problem(r.shown, f"{ref}: {key}" if key else ref, "a value, not a spreadsheet error", v))
        return None
    fmt = str(cell.number_format or "")
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        if joined:
            return [v]
        if "." in fmt or "%" in fmt or "E+" in fmt.upper() or not float(v).is_integer():
            return float(v)
        return int(v)
    if isinstance(v, dt.datetime):
        if v.time() == dt.time(0) and "h" not in fmt.lower():
            return v.date()
        return v
    if isinstance(v, dt.date | dt.time):
        return v
    text = str(v)
    if year and _NUMBER_TEXT.match(text.strip()):
        number = text.strip().replace(",", "")
        return float(number) if "." in number else int(number)
    if text == EMPTY_TABLE:
        return TABLE0
    if text == EMPTY_LIST:
        return LIST0
    if joined:
        return split(text)
    return text


def _is_year_text(value: Any) -> bool:
    return isinstance(value, str) and is_year(value.strip())


def _header(r: _Reader, sheet: str, ws: Any, col: int) -> Path_ | None:
    """A column's key from its two header cells.  A year column inserted without its group
    (row 3 left blank) takes the group of the year column beside it."""
    group = ws.cell(3, col).value
    fld = ws.cell(4, col).value
    if fld is None or str(fld).strip() == "":
        return None
    if group in (None, "") and _is_year_text(fld):
        for other in (col - 1, col + 1):
            if other >= 1 and _is_year_text(ws.cell(4, other).value) and ws.cell(3, other).value not in (None, ""):
                group = ws.cell(3, other).value
                break
    text = f"{group}.{fld}" if group not in (None, "") and not str(fld).startswith("[") else f"{group or ''}{fld}"
    try:
        return parse_path(str(text).strip())
    except ValueError as exc:
        r.problem(_ref(sheet, ws.cell(4, col)), "", f"a key in the header ({exc})", text)
        return None


def _read_grid(r: _Reader, spec: Grid, ws: Any, wf: Any) -> None:
    nk = len(spec.key_headers)
    columns: dict[int, Path_] = {}
    for col in range(nk + 1, ws.max_column + 1):
        sub = _header(r, spec.sheet, ws, col)
        if sub is not None:
            if sub in columns.values():
                r.problem(_ref(spec.sheet, ws.cell(4, col)), "", "each column once", path_text(sub))
            columns[col] = sub
    seen: dict[Path_, str] = {}
    counters: dict[tuple[str, ...], int] = {}
    for row in range(FIRST_DATA_ROW, ws.max_row + 1):
        keys: list[str] = []
        blank_keys = True
        for c in range(1, nk + 1):
            cell = ws.cell(row, c)
            v = cell.value
            if v not in (None, ""):
                blank_keys = False
            keys.append("" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)))
        if blank_keys and all(ws.cell(row, c).value is None and wf.cell(row, c).value is None for c in columns):
            continue
        if any(k == "" for k in keys):
            c = next(i for i, k in enumerate(keys, start=1) if k == "")
            r.problem(_ref(spec.sheet, ws.cell(row, c)), "", f"a {spec.key_headers[c - 1]} for the row")
            continue
        item = _item_path(r, spec, keys, counters, _ref(spec.sheet, ws.cell(row, 1)))
        if item is None:
            continue
        key_ref = _ref(spec.sheet, ws.cell(row, max(nk, 1)))
        if item in seen:
            r.problem(key_ref, path_text(item), f"a row for each key once (also {seen[item]})", keys[-1])
            continue
        seen[item] = key_ref
        r.locate(spec.file, item, key_ref)
        r.comment(spec.file, item, ws.cell(row, max(nk, 1)))
        values = {
            c: _value(
                r, spec.sheet, ws.cell(row, c), wf.cell(row, c).value, key=path_text(unjoined((*item, *sub))),
                joined=sub[-1] == JOINED, year=isinstance(sub[-1], str) and (is_year(sub[-1]) or sub[-1] == "Total"),
            )
            for c, sub in columns.items()
        }  # fmt: skip
        for c, sub in columns.items():
            ref = _ref(spec.sheet, ws.cell(row, c))
            v = values[c]
            full = (*item, *sub)
            if c != 1 or nk:  # a list grid's first cell carries the row's note
                r.comment(spec.file, unjoined(full), ws.cell(row, c))
            if v is None:
                r.locate(spec.file, unjoined(full), ref)
            else:
                r.put(spec.file, full, v, ref)


def _item_path(r: _Reader, spec: Grid, keys: list[str], counters: dict[tuple[str, ...], int], ref: str) -> Path_ | None:
    if spec.where is not None:
        try:
            return (*spec.at, *parse_path(keys[-1]))
        except ValueError as exc:
            r.problem(ref, "", f"a key such as lines.<code>.scale ({exc})", keys[-1])
            return None
    wild = iter(keys[: len(spec.wild)])
    at = tuple(next(wild) if seg == "*" else seg for seg in spec.at)
    if spec.key:
        return (*at, keys[-1])
    n = counters.get(tuple(keys), 0)
    counters[tuple(keys)] = n + 1
    return (*at, n)


def _read_listing(r: _Reader, spec: Listing, ws: Any, wf: Any) -> None:
    years: dict[int, str] = {}
    for col in range(3, ws.max_column + 1):
        y = ws.cell(4, col).value
        if y in (None, ""):
            continue
        if isinstance(y, str) and (is_year(y.strip()) or y.strip() == "Total"):
            if y.strip() in years.values():
                r.problem(_ref(spec.sheet, ws.cell(4, col)), "", "each year once", y)
            years[col] = y.strip()
        else:
            r.problem(_ref(spec.sheet, ws.cell(4, col)), "", "a fiscal year (YYYY/YY) or Total", y)
    seen: dict[Path_, str] = {}
    for row in range(FIRST_DATA_ROW, ws.max_row + 1):
        kcell = ws.cell(row, 1)
        cols = (2, *years)
        if kcell.value in (None, ""):
            if any(ws.cell(row, c).value is not None or wf.cell(row, c).value is not None for c in cols):
                r.problem(_ref(spec.sheet, kcell), "", "a key for the figures in this row")
            continue
        text = str(kcell.value).strip()
        try:
            sub = parse_path(text)
        except ValueError as exc:
            r.problem(_ref(spec.sheet, kcell), "", f"a key such as horizon.base_year ({exc})", text)
            continue
        full = (*spec.at, *sub)
        key = path_text(unjoined(full))
        if full in seen:
            r.problem(_ref(spec.sheet, kcell), key, f"each key once (also {seen[full]})", text)
            continue
        seen[full] = _ref(spec.sheet, kcell)
        value = _value(r, spec.sheet, ws.cell(row, 2), wf.cell(row, 2).value, key=key, joined=full[-1] == JOINED)
        by_year = {
            y: _value(r, spec.sheet, ws.cell(row, c), wf.cell(row, c).value, key=f"{key}.{y}", year=True)
            for c, y in years.items()
        }
        r.locate(spec.file, full, _ref(spec.sheet, kcell))
        r.comment(spec.file, unjoined(full), kcell)
        for c, y in years.items():
            r.comment(spec.file, (*full, y), ws.cell(row, c))
        filled = {y: v for y, v in by_year.items() if v is not None}
        if filled and value is not None:
            r.problem(_ref(spec.sheet, ws.cell(row, 2)), path_text(full), "a value, or figures by year, not both")
        elif filled:
            for c, y in years.items():
                ref = _ref(spec.sheet, ws.cell(row, c))
                if by_year[y] is None:
                    r.locate(spec.file, (*full, y), ref)
                else:
                    r.put(spec.file, (*full, y), by_year[y], ref)
        elif value is not None:
            r.put(spec.file, full, value, _ref(spec.sheet, ws.cell(row, 2)))
        else:
            r.locate(spec.file, full, _ref(spec.sheet, ws.cell(row, 2)))


def _read_csv(r: _Reader, name: str, sheet: str, ws: Any, wf: Any) -> None:
    width = 0
    header = []
    for col in range(1, ws.max_column + 1):
        h = ws.cell(4, col).value
        if h in (None, ""):
            break
        header.append(str(h))
        width = col
    rows = [header]
    for row in range(FIRST_DATA_ROW, ws.max_row + 1):
        cells = [_value(r, sheet, ws.cell(row, c), wf.cell(row, c).value) for c in range(1, width + 1)]
        if all(v is None for v in cells):
            continue
        rows.append(["" if v is None else (str(v) if not isinstance(v, float) else repr(v)) for v in cells])
    r.csv[name] = rows


def _read_text(r: _Reader, name: str, ws: Any) -> None:
    lines = [
        "" if ws.cell(row, 1).value is None else str(ws.cell(row, 1).value)
        for row in range(FIRST_DATA_ROW, ws.max_row + 1)
    ]
    r.text[name] = "\n".join(lines).rstrip("\n") + "\n"


def _read_notes(r: _Reader, ws: Any) -> None:
    for row in range(FIRST_DATA_ROW, ws.max_row + 1):
        name, line = ws.cell(row, 1).value, ws.cell(row, 2).value
        if name in (None, ""):
            if line not in (None, ""):
                r.problem(_ref(ws.title, ws.cell(row, 1)), "", "the file the line belongs to (edition.toml ...)")
            continue
        r.notes.setdefault(str(name), []).append(as_comment("" if line is None else str(line), keep_blank=True))


def _wanted(name: str) -> bool:
    """The sheets the edition reads (any other sheet of the book is not parsed at all)."""
    return name in _READ_SHEETS or name.endswith(".toml")


README_SHEET = "README"
"""The export's first sheet: what each sheet holds (read by people, not by the import)."""
_READ_SHEETS = frozenset(
    {s.sheet for s in LAYOUT} | set(CSV_SHEETS.values()) | set(TEXT_SHEETS.values()) | {NOTES_SHEET, ORIGINALS_SHEET}
)
_KNOWN_SHEETS = _READ_SHEETS | {README_SHEET}


def _sheet_problems(names: list[str], shown: str) -> list[Problem]:
    """A required file with none of its sheets, or a sheet renamed: named before any cell.

    A sheet the edition reads whose name is missing but which a sheet of a close name
    stands in for (``Growth (2)``, ``growth``) was renamed; the import reads sheets by name."""
    present = set(names)
    problems: list[Problem] = []
    absent = [s for s in dict.fromkeys(sp.sheet for sp in LAYOUT) if s not in present]
    absent += [s for s in (*CSV_SHEETS.values(), *TEXT_SHEETS.values(), NOTES_SHEET) if s not in present]
    strangers = [n for n in names if n not in _KNOWN_SHEETS and not n.endswith(".toml")]
    renamed: dict[str, str] = {}
    for name in strangers:
        folded = {re.sub(r"[\W_]+", "", a).lower(): a for a in absent if a not in renamed}
        close = folded.get(re.sub(r"\s*\(\d+\)$", "", name).replace(" ", "").replace("_", "").lower())
        close = close or next(
            iter(difflib.get_close_matches(name, [a for a in absent if a not in renamed], 1, 0.75)), None
        )
        if close:
            renamed[close] = name
            expected = f"the sheet named {close!r} (renamed? the import reads sheets by name)"
            problems.append(Problem(shown, sheet_ref(close), expected, name))
    for file in (*REQUIRED_FILES, *CSV_SHEETS):
        sheets = [s.sheet for s in LAYOUT if s.file == file] or [CSV_SHEETS.get(file, file)]
        if not any(s in present for s in sheets) and sheets[0] not in renamed:
            problems.append(_missing_sheet(shown, sheets[0], file))
    return problems


def _missing_sheet(shown: str, sheet: str, file: str) -> Problem:
    return Problem(shown, sheet_ref(sheet), f"the sheet {sheet!r} ({file}), got a workbook without it", show_got=False)


def read_book(book: str | Path) -> tuple[dict[str, Any], dict[str, dict[Path_, str]]]:
    """The edition's files as data from a workbook, and where each key sits
    (``file -> path -> "Sheet!A1"``); an InputError lists every problem in the book."""
    read = _read(book)
    files, where, unread = read.files, read.where, read.unread
    if unread:
        raise InputError.many(unread)
    return files, where


def _read(book: str | Path) -> _Read:
    """:func:`read_book`, with the cells that could not be read returned (their keys left
    out of the files) rather than raised; a problem of the book's structure raises."""
    shown = str(book)
    book = Path(book)
    opened = open_book(book, shown, _wanted)
    sheet_problems = _sheet_problems(opened.names, shown)
    if sheet_problems:
        raise InputError.many(sheet_problems)
    r = _Reader(book, shown)
    specs = {s.sheet: s for s in LAYOUT}
    known_files = {s.file for s in LAYOUT}
    for ws in opened.sheets.values():
        wf = ws.formulas()
        spec: Grid | Listing | None = specs.get(ws.title)
        if spec is None and ws.title.endswith(".toml"):
            spec = Listing(ws.title, ws.title)
        if spec is not None:
            if isinstance(spec, Grid):
                _read_grid(r, spec, ws, wf)
            else:
                _read_listing(r, spec, ws, wf)
            continue
        csv_name = next((n for n, s in CSV_SHEETS.items() if s == ws.title), None)
        if csv_name:
            _read_csv(r, csv_name, ws.title, ws, wf)
        text_name = next((n for n, s in TEXT_SHEETS.items() if s == ws.title), None)
        if text_name:
            _read_text(r, text_name, ws)
        if ws.title == NOTES_SHEET:
            _read_notes(r, ws)
        if ws.title == ORIGINALS_SHEET:
            r.originals = originals_of(ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True))
    if r.problems:
        raise InputError.many([*r.problems, *r.unread])
    files: dict[str, Any] = {}
    order = [s.file for s in LAYOUT] + sorted(set(r.entries) - known_files)
    for name in dict.fromkeys(order):
        if name not in r.entries:
            continue
        ordered = _file_order(name, r.entries[name])
        try:
            files[name] = build(ordered)
        except TreeError as exc:
            ref = r.where.get(name, {}).get(exc.path) or next((s.sheet for s in sheets_of(name)), name)
            r.problem(ref, path_text(exc.path), str(exc))
    if r.problems:
        raise InputError.many([*r.problems, *r.unread])
    files.update(r.csv)
    files.update(r.text)
    if r.notes:
        files[NOTES] = {name: "\n".join(lines).strip("\n") for name, lines in r.notes.items()}
    if r.comments:
        files[COMMENTS] = r.comments
    if r.originals:
        files[ORIGINALS] = r.originals
    return _Read(files, r.where, r.unread, frozenset(opened.names))


@dataclass(frozen=True)
class _Read:
    files: dict[str, Any]
    where: dict[str, dict[Path_, str]]
    unread: list[Problem]
    sheets: frozenset[str]
    """The names of the book's sheets."""


def _follows_from(problem: Problem, unread: list[Problem]) -> bool:
    """A loader's problem that only repeats an unread cell's: at the same cell, or about the
    table that cell belongs to (``lines.G1.source`` lacking the unread ``source.doc``)."""
    cell, _, key = problem.key.partition(": ")
    for u in unread:
        u_cell, _, u_key = u.key.partition(": ")
        if cell == u_cell or (key and u_key.startswith((key + ".", key + "["))):
            return True
    return False


def _claiming_sheet(file: str, path: Path_) -> str | None:
    """The sheet that holds key ``path`` of ``file`` (the first of the file's sheets to claim it)."""
    for spec in sheets_of(file):
        n = len(spec.at)
        if not matches(path, spec.at):
            continue
        if isinstance(spec, Grid):
            if spec.where is not None:
                return spec.sheet
            if len(path) > n + 1 + len(spec.wild) and wanted_on(path[n + 1 + len(spec.wild) :], spec):
                return spec.sheet
        elif wanted_on(path[n:], spec):
            return spec.sheet
    return None


def _absent_sheet(p: Problem, tmp: Path, present: frozenset[str], shown: str) -> Problem | None:
    """A missing key whose sheet is not in the book: the sheet is missing, not the key."""
    if not present or not p.expected.startswith(MISSING) or not p.key or p.key.startswith("("):
        return None
    try:
        name = Path(p.file).resolve().relative_to(tmp.resolve()).as_posix()
    except ValueError:
        return None
    sheet = _claiming_sheet(name, loose_path(p.key))
    if sheet is None or sheet in present:
        return None
    return _missing_sheet(shown, sheet, name)


def _file_order(name: str, entries: list[tuple[str, Path_, Any]]) -> list[tuple[Path_, Any]]:
    """Entries sheet by sheet in the template's order, whatever the order of the sheets in
    the book (so the file's keys come out in one order)."""
    rank = sheet_rank(name)
    ordered = sorted(enumerate(entries), key=lambda e: (rank.get(e[1][0], len(rank)), e[0]))
    return [(path, value) for _, (_, path, value) in ordered]


def map_problem(p: Problem, tmp: Path, where: Mapping[str, Mapping[Path_, str]], shown: str) -> Problem:
    """A loader's problem in the written folder -> the same problem at its cell in the book."""
    try:
        name = Path(p.file).resolve().relative_to(tmp.resolve()).as_posix()
    except ValueError:
        name = Path(p.file).name
    if name in CSV_SHEETS:
        return Problem(shown, f"{CSV_SHEETS[name]}: {p.key}", p.expected, p.got, p.show_got)
    cells = where.get(name, {})
    path = loose_path(p.key) if p.key and not p.key.startswith("(") else ()
    for n in range(len(path), 0, -1):
        ref = cells.get(path[:n])
        if ref:
            return Problem(shown, f"{ref}: {p.key}", _in_unit(p.expected, ref, path), p.got, p.show_got)
    sheet = next((s.sheet for s in sheets_of(name)), name) if name.endswith(".toml") else name
    where_text = f"{sheet} ({name})" if name and name != "." else "(book)"
    return Problem(shown, f"{where_text}: {p.key}", p.expected, p.got, p.show_got)


def _in_unit(expected: str, ref: str, path: Path_) -> str:
    """``a number`` -> ``a number in £000`` for a figure by year on a sheet in £000."""
    spec = next((s for s in LAYOUT if s.sheet == _sheet_of(ref)), None)
    year = bool(path) and isinstance(path[-1], str) and (is_year(path[-1]) or path[-1] == "Total")
    if spec is not None and spec.unit and year and expected == "a number":
        return f"{expected} in {spec.unit}"
    return expected


def import_book(
    book: str | Path,
    out: str | Path,
    validate: Callable[[Path], object],
) -> Path:
    """Write the edition folder ``out`` from the workbook ``book``, atomically.

    ``validate(folder)`` loads the written folder as an edition (``load_edition``) and
    raises InputError if anything is wrong; its problems are named by sheet and cell."""
    out = Path(out)
    check_target(out)
    read = _read(book)
    files, where, unread, present = read.files, read.where, read.unread, read.sheets
    shown = str(book)

    def check(tmp: Path) -> None:
        problems = marker_problems(tmp, {n: t for n, t in files.items() if n.endswith(".toml")})
        if not problems:
            try:
                validate(tmp)
            except InputError as exc:
                problems = list(exc.problems)
        missing_sheets = list(dict.fromkeys(m for p in problems if (m := _absent_sheet(p, tmp, present, shown))))
        if missing_sheets:  # a sheet deleted: named once, and its keys' problems are not listed one by one
            raise InputError.many(missing_sheets)
        mapped = [map_problem(p, tmp, where, shown) for p in problems]
        found = [*unread, *(m for m in mapped if not _follows_from(m, unread))]
        if found:
            raise InputError.many(found)

    return write_folder(files, out, check)
