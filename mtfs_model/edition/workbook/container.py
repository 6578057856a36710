"""Reading a workbook from anyone: bounded work before trust.

``mtfs edition import`` takes a workbook that came by e-mail.  Before a single cell is
trusted this module checks the container -- a real ``.xlsx`` zip (an encrypted workbook
or an old binary ``.xls`` is named as such), no macro project, the parts an edition book
needs, the file size, the uncompressed size and each part's compression ratio -- and then
reads only the sheets the edition uses, streaming each sheet's XML through ``defusedxml``
(no DOCTYPE, no entity, no external reference) with a limit on rows, columns, text length
and time.  A workbook over a limit is refused with one line, before any work that grows
with its size.  The limits and their reasons: ``docs/howto/workbook_limits.md``.

Every problem is an :class:`~mtfs_model.base.errors.InputError` line in a finance
partner's words, never a library's message: ``book.xlsx: Growth: expected ..., got ...``.
A formula that reads another workbook, a web service, a DDE link or a volatile function
is refused at its cell (:func:`formula_problem`): an auditor cannot trace its figure.
"""

from __future__ import annotations

import datetime as dt
import math
import posixpath
import re
import time
import zipfile
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from mtfs_model.base.errors import Described, InputError
from mtfs_model.edition.workbook.book_cells import (
    CELL_REF,
    NUMBER_XML,
    Book,
    BookCell,
    BookSheet,
    Note,
    column_letter,
    column_number,
    formula_problem,
    local,
    sheet_ref,
)

# --- limits (docs/howto/workbook_limits.md says why each is what it is) -----------------

MAX_FILE_BYTES = 20 * 1024 * 1024
"""The workbook file, zipped (the bundled edition's book is about 90 kB)."""
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
"""Every part of the zip together, uncompressed (the bundled book: about 340 kB)."""
MAX_PART_BYTES = 32 * 1024 * 1024
"""One part (a sheet, the shared strings), uncompressed."""
MAX_RATIO = 100
"""Uncompressed over compressed size of a part over :data:`RATIO_FLOOR` (spreadsheet XML
compresses 5 to 20 times; hundreds of times is filler)."""
RATIO_FLOOR = 1024 * 1024
MAX_PARTS = 2_000
"""Parts in the zip (the bundled book has 79)."""
MAX_ROWS = 10_000
"""Rows of a sheet the edition reads (the bundled book's longest sheet has 112)."""
MAX_COLUMNS = 256
"""Columns of a sheet the edition reads, A to IV (the bundled book's widest has 40)."""
MAX_TEXT = 32_767
"""Characters in one cell: Excel's own limit."""
MAX_DEPTH = 64
"""Elements nested in one part (a sheet's XML is about seven deep: worksheet, sheetData, row,
c, is, r, t)."""
TIME_BUDGET = 20.0
"""Seconds to read the sheets the edition uses (the bundled book takes about 0.2 s)."""

SAVE_AS_XLSX = "save it as .xlsx (Excel Workbook) without a password"

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OFFICE_DOC = "/officeDocument"
_SHEET_TYPE = "/worksheet"
_COMMENTS_TYPE = "/comments"


# --- the container ---------------------------------------------------------------------------


def _refuse(shown: str, expected: str, got: str | None = None, key: str = "(file)") -> InputError:
    """One line: ``BOOK: key: expected <expected>, got <got>`` (``got`` in words, unquoted)."""
    return InputError(shown, key, expected, None if got is None else Described(got), show_got=got is not None)


def _kind_of(head: bytes, path: Path) -> str | None:
    """What a file that is not a zip is, in a user's words (None: not recognised)."""
    if head.startswith(_CFB_MAGIC):
        data = path.read_bytes()
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            return "a workbook protected by a password (encrypted)"
        return "an old binary Excel workbook (.xls)"
    if head.startswith(b"%PDF"):
        return "a PDF"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<?xml", b"<html", b"<!doctype", b"<table")):
        return "an XML or HTML file (an Excel 2003 XML or web page?)"
    if text.startswith(b"{\\rtf"):
        return "an RTF document"
    if not head:
        return "an empty file"
    return None


def _check_file(path: Path, shown: str) -> None:
    if not path.is_file():
        raise _refuse(shown, "an existing .xlsx workbook")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _refuse(shown, f"a workbook of at most {MAX_FILE_BYTES // 2**20} MiB", f"{size:,} bytes")
    with path.open("rb") as f:
        head = f.read(512)
    if head.startswith(b"PK"):
        return
    kind = _kind_of(head, path)
    raise _refuse(shown, f"an .xlsx workbook ({SAVE_AS_XLSX})", kind or "a file that is not a workbook")


def _check_zip(zf: zipfile.ZipFile, shown: str) -> dict[str, zipfile.ZipInfo]:
    """The zip's parts by name, once its sizes, ratios and encryption are checked."""
    infos = zf.infolist()
    if len(infos) > MAX_PARTS:
        raise _refuse(shown, f"a workbook of at most {MAX_PARTS:,} parts", f"{len(infos):,} parts")
    total = 0
    parts: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        if info.flag_bits & 0x1:
            raise _refuse(shown, f"an .xlsx workbook ({SAVE_AS_XLSX})", "a zip protected by a password")
        if info.filename in parts:
            raise _refuse(shown, "a workbook with each part once", f"{info.filename} twice (a damaged or forged file)")
        total += info.file_size
        if info.file_size > MAX_PART_BYTES:
            raise _refuse(
                shown,
                f"each part of the workbook at most {MAX_PART_BYTES // 2**20} MiB uncompressed",
                f"{info.filename}: {info.file_size:,} bytes",
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise _refuse(
                shown,
                f"a workbook whose parts compress at most {MAX_RATIO}:1 (a zip bomb compresses far more)",
                f"{info.filename}: {int(ratio):,}:1",
            )
        parts[info.filename] = info
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _refuse(
            shown,
            f"a workbook of at most {MAX_UNCOMPRESSED_BYTES // 2**20} MiB uncompressed",
            f"{total:,} bytes",
        )
    if "mimetype" in parts and "content.xml" in parts:
        raise _refuse(shown, f"an .xlsx workbook ({SAVE_AS_XLSX})", "an OpenDocument spreadsheet (.ods)")
    if "xl/workbook.bin" in parts:
        raise _refuse(shown, f"an .xlsx workbook ({SAVE_AS_XLSX})", "a binary workbook (.xlsb)")
    if any(name.lower().endswith("vbaproject.bin") for name in parts):
        raise _refuse(
            shown,
            "an .xlsx workbook without macros (save it as .xlsx: Excel Workbook, not macro-enabled)",
            "a workbook holding a macro project (vbaProject.bin)",
        )
    for needed in ("[Content_Types].xml", "xl/workbook.xml"):
        if needed not in parts:
            raise _refuse(shown, "an .xlsx workbook (a damaged file? save it again from Excel)", f"no {needed}")
    return parts


# --- XML through defusedxml, within the budget ---------------------------------------------


class _Reading:
    """One book being read: the zip, its parts, the deadline, and where a problem is named."""

    def __init__(self, zf: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo], shown: str) -> None:
        self.zf, self.parts, self.shown = zf, parts, shown
        self.deadline = time.monotonic() + TIME_BUDGET

    def over_time(self, part: str) -> None:
        """Refuse the book once the reading has taken longer than :data:`TIME_BUDGET`."""
        if time.monotonic() > self.deadline:
            raise _refuse(self.shown, f"a workbook read within {TIME_BUDGET:g} s", f"still reading {part}")

    def events(self, name: str, key: str, tags: Collection[str], starts: Collection[str] = ()) -> Iterator[Any]:
        """The end of every element of part ``name`` whose local name is in ``tags`` (and
        ``("start", element)`` for those in ``starts``, else ``("end", element)``); a DOCTYPE,
        an entity, an external reference or bad XML is one line at ``key``."""
        import defusedxml.ElementTree as DET
        from defusedxml import DefusedXmlException

        try:
            stream: IO[bytes] = self.zf.open(self.parts[name])
        except KeyError:
            raise self._damaged(key, f"no part {name}") from None
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, ValueError) as exc:
            raise self._damaged(key, f"{name}: {_zip_words(exc)}") from None
        try:
            with stream:
                depth = 0
                parsed = DET.iterparse(stream, events=("start", "end"), forbid_dtd=True)
                for count, (event, element) in enumerate(parsed):
                    if count % 4096 == 4095:
                        self.over_time(name)
                    if event == "start":
                        depth += 1
                        if depth > MAX_DEPTH:  # Excel's XML is a few levels deep; a deep chain is a memory bomb
                            raise _refuse(self.shown, f"XML nested at most {MAX_DEPTH} deep", f"{name} deeper", key=key)
                        if local(element.tag) in starts:
                            yield event, element
                        continue
                    depth -= 1
                    if local(element.tag) in tags:
                        yield (event, element) if starts else element
        except InputError:  # a limit passed while reading (an InputError is a ValueError too)
            raise
        except DefusedXmlException:
            raise _refuse(
                self.shown,
                "XML with no DOCTYPE or entity declarations (Excel never writes them)",
                f"{name} declares them: a hostile or damaged file",
                key=key,
            ) from None
        except DET.ParseError as exc:
            line, column = getattr(exc, "position", (0, 0))
            raise _refuse(
                self.shown,
                "well-formed XML (the file is damaged or cut short: save it again from Excel)",
                f"{name} broken at line {line:,}, column {column:,}",
                key=key,
            ) from None
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
            raise self._damaged(key, f"{name}: {_zip_words(exc)}") from None

    def _damaged(self, key: str, what: str) -> InputError:
        return _refuse(self.shown, "a complete workbook (the file is damaged: save it again from Excel)", what, key=key)


def _zip_words(exc: BaseException) -> str:
    text = str(exc)
    if "CRC" in text:
        return "contents that do not match their checksum"
    if "compress" in text.lower() or "zlib" in text.lower() or isinstance(exc, EOFError | NotImplementedError):
        return "contents that cannot be decompressed"
    return "an unreadable part"


def _rels(r: _Reading, owner: str) -> dict[str, tuple[str, str]]:
    """The relationships of part ``owner``: id -> (type, target part name)."""
    folder, base = posixpath.split(owner)
    name = posixpath.join(folder, "_rels", base + ".rels")
    if name not in r.parts:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for el in r.events(name, "(file)", ("Relationship",)):
        target = el.get("Target", "")
        if el.get("TargetMode") == "External":
            continue
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[el.get("Id", "")] = (el.get("Type", ""), part)
    return out


def _sheet_parts(r: _Reading) -> tuple[list[tuple[str, str | None]], bool]:
    """The workbook's sheets in order (name, part or None) and whether it counts dates from 1904."""
    rels = _rels(r, "xl/workbook.xml")
    sheets: list[tuple[str, str | None]] = []
    date1904 = False
    for el in r.events("xl/workbook.xml", "(file)", ("sheet", "workbookPr")):
        if local(el.tag) == "workbookPr":
            date1904 = el.get("date1904") in ("1", "true")
            continue
        rid = next((v for k, v in el.attrib.items() if local(k) == "id"), "")
        kind, part = rels.get(rid, ("", ""))
        sheets.append((el.get("name", ""), part if kind.endswith(_SHEET_TYPE) else None))
    return sheets, date1904


def _strings(r: _Reading) -> list[str]:
    rels = _rels(r, "xl/workbook.xml")
    part = next((p for t, p in rels.values() if t.endswith("/sharedStrings")), None)
    if part is None or part not in r.parts:
        return []
    out: list[str] = []
    for si in r.events(part, "(file)", ("si",)):
        # Excel writes a literal "_x000D_" as "_x005F_x000D_": undone as openpyxl does (and no more)
        out.append(_text_of(si).replace("x005F_", ""))
        si.clear()
    return out


def _text_of(el: Any) -> str:
    """The text of a string item: its ``t`` and its runs' ``t``, without phonetic runs."""
    parts = []
    for child in el:
        name = local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in child if local(t.tag) == "t")
    return "".join(parts)


def _number_formats(r: _Reading) -> list[str]:
    """Each cell style's number format code, by style index."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    rels = _rels(r, "xl/workbook.xml")
    part = next((p for t, p in rels.values() if t.endswith("/styles")), None)
    if part is None or part not in r.parts:
        return []
    custom: dict[int, str] = {}
    styles: list[str] = []
    in_xfs = False
    for el in r.events(part, "(file)", ("numFmt", "xf", "cellXfs", "cellStyleXfs")):
        name = local(el.tag)
        if name == "numFmt":
            custom[_int(el.get("numFmtId"))] = el.get("formatCode", "General")
        elif name == "cellStyleXfs":
            styles.clear()  # the xf elements seen so far were the named styles', not the cells'
        elif name == "cellXfs":
            in_xfs = True
            break
        elif name == "xf":
            fid = _int(el.get("numFmtId"))
            styles.append(custom.get(fid) or BUILTIN_FORMATS.get(fid, "General"))
    return styles if in_xfs else []


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0


def _comments(r: _Reading, sheet_part: str, key: str) -> dict[tuple[int, int], str]:
    out: dict[tuple[int, int], str] = {}
    for kind, part in _rels(r, sheet_part).values():
        if not kind.endswith(_COMMENTS_TYPE) or part not in r.parts:
            continue
        for el in r.events(part, key, ("comment",)):
            at = CELL_REF.match(el.get("ref", ""))
            if at:
                text = next((_text_of(t) for t in el if local(t.tag) == "text"), "")
                out[(int(at.group(2)), column_number(at.group(1)))] = text
            el.clear()
    return out


# --- one sheet ---------------------------------------------------------------------------------


@dataclass
class _Context:
    strings: list[str]
    formats: list[str]
    date1904: bool


def _beyond(shown: str, sheet: str, where: str) -> InputError:
    last = f"{column_letter(MAX_COLUMNS)}{MAX_ROWS}"
    return _refuse(
        shown,
        f"cells within A1:{last} ({MAX_ROWS:,} rows, {MAX_COLUMNS} columns: far more than an edition needs)",
        where,
        key=sheet_ref(sheet),
    )


def _check_dimension(shown: str, sheet: str, ref: str) -> None:
    """Refuse at once a sheet whose declared used range is beyond the limits."""
    last = ref.split(":")[-1].replace("$", "")
    m = re.match(r"^([A-Z]+)(\d+)$", last)
    if m is None:
        return
    if len(m.group(1)) > 3 or column_number(m.group(1)) > MAX_COLUMNS or int(m.group(2)) > MAX_ROWS:
        raise _beyond(shown, sheet, f"a sheet whose used range is {ref}")


def _read_sheet(r: _Reading, ctx: _Context, title: str, part: str) -> BookSheet:
    from openpyxl.formula.translate import Translator

    ws = BookSheet(title)
    key = sheet_ref(title)
    row_counter = 0
    col_counter = 0
    shared: dict[str, tuple[str, str]] = {}
    for event, el in r.events(part, key, ("dimension", "c", "row"), starts=("row",)):
        name = local(el.tag)
        if name == "dimension":
            _check_dimension(r.shown, title, el.get("ref", ""))
            continue
        if name == "row":
            if event == "start":
                row_counter = _int(el.get("r")) or row_counter + 1
                col_counter = 0
                if row_counter > MAX_ROWS:
                    raise _beyond(r.shown, title, f"a row {row_counter:,}")
            else:
                el.clear()
            continue
        coordinate = el.get("r")
        if coordinate:
            m = CELL_REF.match(coordinate)
            if m is None:
                raise _beyond(r.shown, title, f"a cell at {coordinate[:20]}")
            row, col = int(m.group(2)), column_number(m.group(1))
        else:
            row, col = max(row_counter, 1), col_counter + 1
        col_counter = col
        if row > MAX_ROWS or col > MAX_COLUMNS:
            raise _beyond(r.shown, title, f"a cell at {column_letter(col) if col < 20_000 else '?'}{row}")
        cell = _cell(ctx, title, row, col, el, shared, Translator)
        if cell is not None:
            ws.cells[(row, col)] = cell
            ws.max_row, ws.max_column = max(ws.max_row, row), max(ws.max_column, col)
    return ws


def _cell(
    ctx: _Context, title: str, row: int, col: int, el: Any, shared: dict[str, tuple[str, str]], translator: Any
) -> BookCell | None:
    """One ``<c>`` element as a cell (None: an empty, unstyled placeholder)."""
    kind = el.get("t", "n")
    value_el = formula_el = inline = None
    for child in el:
        name = local(child.tag)
        if name == "v":
            value_el = child
        elif name == "f":
            formula_el = child
        elif name == "is":
            inline = child
    cell = BookCell(row, col)
    style = _int(el.get("s"))
    if 0 <= style < len(ctx.formats):
        cell.number_format = ctx.formats[style]
    if formula_el is not None:
        cell.formula = _formula_text(formula_el, cell.coordinate, shared, translator)
        why = formula_problem(cell.formula)
        if why is not None:
            cell.problem = (why, cell.formula)
    raw = None if value_el is None else (value_el.text or None)  # <v></v>: no value, as openpyxl reads it
    if kind == "inlineStr":
        cell.data_type, cell.value = "s", _text_of(inline) if inline is not None else None
    elif raw is None:
        pass
    elif kind == "s":
        index = _int(raw)
        if not 0 <= index < len(ctx.strings):
            cell.problem = cell.problem or ("a value (the cell points at text the workbook does not hold)", raw)
            return cell
        cell.data_type, cell.value = "s", ctx.strings[index]
    elif kind in ("str", "e"):
        cell.data_type, cell.value = ("e" if kind == "e" else "s"), raw
    elif kind == "b":
        cell.data_type, cell.value = "b", raw.strip() in ("1", "true")
    else:
        try:
            cell.value = _iso_date(raw) if kind == "d" else _number(ctx, raw, cell.number_format)
        except _Unusable as exc:
            cell.problem = cell.problem or (exc.expected, exc.got)
        if isinstance(cell.value, dt.datetime | dt.date | dt.time | dt.timedelta):
            cell.data_type = "d"
    if isinstance(cell.value, str) and len(cell.value) > MAX_TEXT:
        cell.problem = (f"text of at most {MAX_TEXT:,} characters", Described(f"{len(cell.value):,} characters"))
        cell.value = None
    el.clear()
    return None if cell.value is None and cell.formula is None and cell.problem is None else cell


class _Unusable(ValueError):
    """A cell's stored value that is not what its type says (``NaN`` in a number)."""

    def __init__(self, expected: str, got: Any) -> None:
        super().__init__(expected)
        self.expected, self.got = expected, got


def _formula_text(f: Any, coordinate: str, shared: dict[str, tuple[str, str]], translator: Any) -> str:
    text = "=" + (f.text or "")
    if f.get("t") == "shared":
        si = f.get("si", "")
        if text != "=":
            shared[si] = (text, coordinate)
        elif si in shared:
            master, origin = shared[si]
            try:
                text = translator(master, origin).translate_formula(coordinate)
            except Exception:  # a formula openpyxl cannot shift is still checked as written
                text = master
    return text


def _number(ctx: _Context, raw: str, fmt: str) -> Any:
    from openpyxl.styles.numbers import is_date_format, is_timedelta_format
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    text = raw.strip()
    if not NUMBER_XML.match(text):
        bad = "a finite number" if text.lower().lstrip("+-") in ("nan", "inf", "infinity") else "a number"
        raise _Unusable(f"{bad} (the workbook's XML stores something else: a damaged file?)", raw)
    number: float | int = int(text) if text.lstrip("+-").isdigit() else float(text)
    if isinstance(number, float) and not math.isfinite(number):
        raise _Unusable("a finite number (the workbook stores one beyond any figure)", text)
    if fmt != "General" and is_date_format(fmt):
        epoch = CALENDAR_MAC_1904 if ctx.date1904 else CALENDAR_WINDOWS_1900
        try:
            return from_excel(number, epoch, timedelta=is_timedelta_format(fmt))
        except (OverflowError, ValueError):
            raise _Unusable("a date Excel can show (the serial number is out of range)", number) from None
    return number


def _iso_date(raw: str) -> Any:
    try:
        return dt.datetime.fromisoformat(raw.strip().removesuffix("Z"))
    except ValueError:
        raise _Unusable("a date (YYYY-MM-DD)", raw) from None


# --- the whole book ------------------------------------------------------------------------------


def _open_zip(book: Path, shown: str) -> zipfile.ZipFile:
    _check_file(book, shown)
    try:
        return zipfile.ZipFile(book)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refuse(shown, f"an .xlsx workbook ({SAVE_AS_XLSX})", "a damaged or incomplete zip file") from None


def check_book(path: str | Path, shown: str) -> None:
    """The container checks alone -- a real ``.xlsx`` zip, no macro project, the parts a
    workbook needs, the sizes and compression ratios within the limits -- in milliseconds
    and before anything heavy is imported (the command line calls it first).

    Parameters
    ----------
    path
        The ``.xlsx`` file.
    shown
        The workbook as problems name it.

    Raises
    ------
    InputError
        One line naming what the file is and what was expected.
    """
    with _open_zip(Path(path), shown) as zf:
        _check_zip(zf, shown)


def open_book(path: str | Path, shown: str, wanted: Callable[[str], bool]) -> Book:
    """Check the container at ``path`` and read the sheets for which ``wanted(name)`` holds.

    Parameters
    ----------
    path
        The ``.xlsx`` file.
    shown
        The workbook as problems name it (the path the user typed).
    wanted
        Whether the edition reads a sheet of this name; other sheets are not parsed.

    Returns
    -------
    Book
        The sheet names in order and the sheets read; a cell that cannot be used (a
        formula reading outside the book, ``NaN`` in a number) carries its problem.

    Raises
    ------
    InputError
        One line: a file that is not an ``.xlsx`` zip (encrypted, ``.xls``, ...), a macro
        project, a part missing, a limit passed, bad or hostile XML, or the time budget spent.
    """
    with _open_zip(Path(path), shown) as zf:
        r = _Reading(zf, _check_zip(zf, shown), shown)
        order, date1904 = _sheet_parts(r)
        names = [n for n, _ in order]
        todo = [(n, p) for n, p in order if wanted(n)]
        ctx = _Context(_strings(r) if todo else [], _number_formats(r) if todo else [], date1904)
        sheets: dict[str, BookSheet] = {}
        for name, part in todo:
            if part is None:
                raise _refuse(shown, "a worksheet (it is a chart or dialog sheet)", name, key=sheet_ref(name))
            if part not in r.parts:
                raise _refuse(
                    shown,
                    f"the sheet's contents ({part}), got a workbook without them (damaged: save it again from Excel)",
                    key=sheet_ref(name),
                )
            ws = _read_sheet(r, ctx, name, part)
            for at, text in _comments(r, part, sheet_ref(name)).items():
                cell = ws.cells.get(at)
                if cell is None:
                    cell = ws.cells[at] = BookCell(*at)
                    ws.max_row, ws.max_column = max(ws.max_row, at[0]), max(ws.max_column, at[1])
                cell.comment = Note(text)
            sheets[name] = ws
            r.over_time(part)
    return Book(names, sheets)
