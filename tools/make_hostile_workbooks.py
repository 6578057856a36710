# ruff: noqa: E501  (each case is one line of data: a change and the exact lines it must print)
"""Build the hostile-workbook corpus ``tests/hostile_workbooks/`` from the bundled edition's
workbook (``mtfs edition export``): each case is ONE change at the level of the zip, the XML
or a cell, with the exit status and the exact lines ``mtfs edition import`` must print.

    python tools/make_hostile_workbooks.py                  # rewrite tests/hostile_workbooks/
    python tools/make_hostile_workbooks.py --out DIR         # elsewhere
    python tools/make_hostile_workbooks.py --large --out DIR # also a million junk rows as Excel writes them (~5 MB)

The expected lines are written here, by hand, from what each change must mean to a finance
partner (``BOOK`` stands for the path given to ``mtfs edition import``); the test
``tests/edition/test_hostile_workbooks.py`` imports every file and compares.  The output is
deterministic (the export is, and every zip is written with fixed dates), so running this
again gives the same bytes.
"""

from __future__ import annotations

import argparse
import re
import struct
import sys
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mtfs_model.edition.folder import DEFAULT_EDITION
from mtfs_model.edition.workbook.export import book_bytes, read_folder
from mtfs_model.edition.workbook.sheets import COMMENTS, NOTES

OUT = Path(__file__).resolve().parents[1] / "tests" / "hostile_workbooks"
Parts = dict[str, bytes]
DATE = (1980, 1, 1, 0, 0, 0)
SAVE = "save it as .xlsx (Excel Workbook) without a password"
DAMAGED = "a complete workbook (a damaged file: save it again from Excel)"


@dataclass
class Case:
    """One hostile or broken workbook and what the import must say."""

    id: str
    what: str
    build: Callable[[Parts], bytes]
    lines: list[str] = field(default_factory=list)
    exit: int = 2
    suffix: str = ".xlsx"
    large: bool = False


# --- zip and XML helpers ---------------------------------------------------------------------


def read_parts(book: bytes) -> Parts:
    import io

    with zipfile.ZipFile(io.BytesIO(book)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def zip_of(parts: Parts, *, level: int = 9) -> bytes:
    """The parts as a zip, deflated, with fixed dates (same parts -> same bytes)."""
    import io

    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a duplicated name is a case of its own
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
            for name, data in parts.items():
                zf.writestr(zipfile.ZipInfo(name, DATE), data, zipfile.ZIP_DEFLATED, level)
    return buf.getvalue()


def sheet_part(parts: Parts, sheet: str) -> str:
    """The part holding the sheet named ``sheet``."""
    wb = parts["xl/workbook.xml"].decode()
    rid = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+" r:id="(rId\d+)"/>', wb)
    assert rid, sheet
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(rf'Id="{rid.group(1)}" Type="[^"]+" Target="([^"]+)"', rels)
    assert target, rid.group(1)
    return "xl/" + target.group(1)


def edit(parts: Parts, name: str, fn: Callable[[str], str]) -> Parts:
    new = dict(parts)
    before = parts[name].decode("utf-8")
    after = fn(before)
    assert after != before, f"{name}: the change changed nothing"
    new[name] = after.encode("utf-8")
    return new


def set_cell(parts: Parts, sheet: str, ref: str, cell_xml: str) -> Parts:
    """The cell ``ref`` of ``sheet`` replaced by ``cell_xml`` (a whole ``<c>`` element)."""

    def fn(xml: str) -> str:
        new, n = re.subn(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', lambda _: cell_xml, xml, count=1)
        assert n == 1, ref
        return new

    return edit(parts, sheet_part(parts, sheet), fn)


def cell_case(sheet: str, ref: str, cell_xml: str) -> Callable[[Parts], bytes]:
    return lambda p: zip_of(set_cell(p, sheet, ref, cell_xml))


def remove_sheet(parts: Parts, sheet: str, *, keep_part: bool = False) -> Parts:
    """The sheet gone from the workbook's list (and its part too, unless ``keep_part``)."""
    part = sheet_part(parts, sheet)
    new = edit(parts, "xl/workbook.xml", lambda x: re.sub(rf'<sheet name="{re.escape(sheet)}"[^>]*/>', "", x))
    if not keep_part:
        del new[part]
    return new


def rename_sheet(parts: Parts, sheet: str, to: str) -> bytes:
    return zip_of(edit(parts, "xl/workbook.xml", lambda x: x.replace(f'<sheet name="{sheet}"', f'<sheet name="{to}"')))


def patch_central(book: bytes, name: str, offset: int, fmt: str, value: int) -> bytes:
    """One field of a part's central directory entry (and its local header) overwritten."""
    data = bytearray(book)
    encoded = name.encode()
    local_offsets = {"<H@8": 6, "<H@10": 8, "<I@24": 22}  # the same field in the local header
    for m in re.finditer(re.escape(b"PK\x01\x02"), data):
        start = m.start()
        n_len = struct.unpack_from("<H", data, start + 28)[0]
        if bytes(data[start + 46 : start + 46 + n_len]) == encoded:
            struct.pack_into(fmt, data, start + offset, value)
            local = struct.unpack_from("<I", data, start + 42)[0]
            struct.pack_into(fmt, data, local + local_offsets[f"{fmt}@{offset}"], value)
            return bytes(data)
    raise AssertionError(name)


def cfb(streams: list[str]) -> bytes:
    """A compound file (OLE2) whose directory names ``streams``: how Excel stores an
    encrypted workbook and an old .xls (enough of one for a reader to recognise it)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    header = header.ljust(512, b"\x00")
    directory = b"".join(s.encode("utf-16-le").ljust(64, b"\x00") + b"\x00" * 64 for s in ["Root Entry", *streams])
    return header + directory.ljust(1536, b"\x00")


# --- the cases -----------------------------------------------------------------------------------

G5 = "Growth!G5: lines.G1.values.2021/22"
NUM = "expected a number in £000"
LIMIT = "expected cells within A1:IV10000 (10,000 rows, 256 columns: far more than an edition needs)"


def junk_rows(parts: Parts, rows: int, *, dimension: str | None, with_refs: bool = True) -> bytes:
    """``rows`` rows of junk below the Growth table (from row 100), as Excel writes them."""

    def fn(xml: str) -> str:
        if with_refs:
            junk = "".join(
                f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x</t></is></c></row>' for r in range(100, 100 + rows)
            )
        else:
            junk = '<row><c t="inlineStr"><is><t>x</t></is></c></row>' * rows
        xml = xml.replace("</sheetData>", junk + "</sheetData>")
        if dimension is None:
            return re.sub(r"<dimension [^>]*/>", "", xml)
        return re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>', xml)

    return zip_of(edit(parts, sheet_part(parts, "Growth"), fn))


def far_cell(parts: Parts, ref: str, *, dimension: str | None) -> bytes:
    def fn(xml: str) -> str:
        row = re.sub(r"\D", "", ref)
        xml = xml.replace(
            "</sheetData>", f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
        )
        if dimension is None:
            return re.sub(r"<dimension [^>]*/>", "", xml)
        return re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>', xml)

    return zip_of(edit(parts, sheet_part(parts, "Growth"), fn))


def with_part(parts: Parts, name: str, data: bytes, content_type: str | None = None) -> Parts:
    new = dict(parts)
    new[name] = data
    if content_type:
        new = edit(
            new,
            "[Content_Types].xml",
            lambda x: x.replace("</Types>", f'<Override PartName="/{name}" ContentType="{content_type}"/></Types>'),
        )
    return new


def xml_edit(part: str, fn: Callable[[str], str]) -> Callable[[Parts], bytes]:
    return lambda p: zip_of(edit(p, part, fn))


LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE sst [<!ENTITY a "lol">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + "]>"
)
XXE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
)


def doctype(part: str, prolog: str, entity: str = "") -> Callable[[Parts], bytes]:
    def fn(xml: str) -> str:
        body = xml.split("?>", 1)[1].lstrip("\n")
        if entity:
            body = body.replace("<t>", f"<t>{entity}", 1)
        return prolog + body

    return xml_edit(part, fn)


def cases(parts: Parts) -> list[Case]:
    """Every case: one change each, with the lines it must print."""
    growth = sheet_part(parts, "Growth")
    hn = "'High Needs'!B9: dsg_blocks.high_needs_block"
    bomb_xml = (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    return [
        # --- not a workbook at all --------------------------------------------------------------
        Case(
            "empty_file",
            "an empty file named .xlsx",
            lambda p: b"",
            [f"BOOK: (file): expected an .xlsx workbook ({SAVE}), got an empty file"],
        ),
        Case(
            "csv_named_xlsx",
            "a CSV file named .xlsx",
            lambda p: b"id,value\nG1,6300\n",
            [f"BOOK: (file): expected an .xlsx workbook ({SAVE}), got a file that is not a workbook"],
        ),
        Case(
            "pdf_named_xlsx",
            "a PDF named .xlsx",
            lambda p: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
            [f"BOOK: (file): expected an .xlsx workbook ({SAVE}), got a PDF"],
        ),
        Case(
            "html_named_xlsx",
            "a web page saved as .xlsx",
            lambda p: b"<html><body><table><tr><td>1</td></tr></table></body></html>",
            [
                f"BOOK: (file): expected an .xlsx workbook ({SAVE}), got an XML or HTML file (an Excel 2003 XML or web page?)"
            ],
        ),
        Case(
            "encrypted_workbook",
            "a workbook saved with a password (an OLE2 compound file)",
            lambda p: cfb(["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"]),
            [f"BOOK: (file): expected an .xlsx workbook ({SAVE}), got a workbook protected by a password (encrypted)"],
        ),
        Case(
            "old_xls",
            "an Excel 97-2003 workbook",
            lambda p: cfb(["Workbook", "\x05SummaryInformation"]),
            [f"BOOK: (file): expected an .xlsx workbook ({SAVE}), got an old binary Excel workbook (.xls)"],
            suffix=".xls",
        ),
        Case(
            "old_xls_named_xlsx",
            "an Excel 97-2003 workbook renamed .xlsx",
            lambda p: cfb(["Workbook"]),
            [f"BOOK: (file): expected an .xlsx workbook ({SAVE}), got an old binary Excel workbook (.xls)"],
        ),
        Case(
            "truncated_zip",
            "the workbook cut in half (an e-mail attachment cut short)",
            lambda p: zip_of(p)[: len(zip_of(p)) // 2],
            [f"BOOK: (file): expected an .xlsx workbook ({SAVE}), got a damaged or incomplete zip file"],
        ),
        Case(
            "ods",
            "an OpenDocument spreadsheet",
            lambda p: zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}),
            [f"BOOK: (file): expected an .xlsx workbook ({SAVE}), got an OpenDocument spreadsheet (.ods)"],
        ),
        Case(
            "xlsb",
            "a binary workbook (.xlsb) named .xlsx",
            lambda p: zip_of({"[Content_Types].xml": p["[Content_Types].xml"], "xl/workbook.bin": b"\x83\x01\x00"}),
            [f"BOOK: (file): expected an .xlsx workbook ({SAVE}), got a binary workbook (.xlsb)"],
        ),
        # --- the zip ---------------------------------------------------------------------------------
        Case(
            "zip_bomb_sheet",
            "the Growth sheet replaced by 40 MB of XML that zips to 40 kB",
            lambda p: zip_of({**p, growth: bomb_xml + b" " * 40_000_000}),
            [
                f"BOOK: (file): expected each part of the workbook at most 32 MiB uncompressed, got {growth}: 40,000,109 bytes"
            ],
        ),
        Case(
            "zip_bomb_ratio",
            "a 30 MB part of zeros (1,000:1) beside the sheets",
            lambda p: zip_of({**p, "xl/media/filler.bin": b"\x00" * 30_000_000}),
            [
                "BOOK: (file): expected a workbook whose parts compress at most 100:1 (a zip bomb compresses far more), got xl/media/filler.bin: 1,028:1"
            ],
        ),
        Case(
            "zip_lying_size",
            "the shared strings declared 1,000 bytes long, but longer",
            lambda p: patch_central(zip_of(p), "xl/sharedStrings.xml", 24, "<I", 1000),
            [
                "BOOK: (file): expected a complete workbook (the file is damaged: save it again from Excel), got xl/sharedStrings.xml: contents that do not match their checksum"
            ],
        ),
        Case(
            "zip_encrypted_part",
            "one part marked encrypted (zip password)",
            lambda p: patch_central(zip_of(p), growth, 8, "<H", 0x0001),
            [f"BOOK: (file): expected an .xlsx workbook ({SAVE}), got a zip protected by a password"],
        ),
        Case(
            "zip_unknown_compression",
            "the shared strings compressed by a method no zip reader knows (99)",
            lambda p: patch_central(zip_of(p), "xl/sharedStrings.xml", 10, "<H", 99),
            [
                "BOOK: (file): expected a complete workbook (the file is damaged: save it again from Excel), "
                "got xl/sharedStrings.xml: contents that cannot be decompressed"
            ],
        ),
        Case(
            "zip_duplicate_part",
            "the Growth sheet's part twice in the zip",
            lambda p: _duplicate(p, growth),
            [f"BOOK: (file): expected a workbook with each part once, got {growth} twice (a damaged or forged file)"],
        ),
        Case(
            "too_many_parts",
            "2,001 tiny parts",
            lambda p: zip_of({**p, **{f"x/{i}": b"" for i in range(2_001)}}),
            ["BOOK: (file): expected a workbook of at most 2,000 parts, got 2,036 parts"],
        ),
        Case(
            "macro_part",
            "a macro project (vbaProject.bin) added",
            lambda p: zip_of(
                with_part(p, "xl/vbaProject.bin", cfb(["VBA", "PROJECT"]), "application/vnd.ms-office.vbaProject")
            ),
            [
                "BOOK: (file): expected an .xlsx workbook without macros (save it as .xlsx: Excel Workbook, not macro-enabled), got a workbook holding a macro project (vbaProject.bin)"
            ],
        ),
        Case(
            "no_content_types",
            "[Content_Types].xml removed",
            lambda p: zip_of({k: v for k, v in p.items() if k != "[Content_Types].xml"}),
            [
                "BOOK: (file): expected an .xlsx workbook (a damaged file? save it again from Excel), got no [Content_Types].xml"
            ],
        ),
        Case(
            "no_workbook_part",
            "xl/workbook.xml removed",
            lambda p: zip_of({k: v for k, v in p.items() if k != "xl/workbook.xml"}),
            [
                "BOOK: (file): expected an .xlsx workbook (a damaged file? save it again from Excel), got no xl/workbook.xml"
            ],
        ),
        Case(
            "sheet_part_missing",
            "the Growth sheet listed, its part gone",
            lambda p: zip_of({k: v for k, v in p.items() if k != growth}),
            [
                f"BOOK: Growth: expected the sheet's contents ({growth}), got a workbook without them (damaged: save it again from Excel)"
            ],
        ),
        # --- the XML -----------------------------------------------------------------------------------
        Case(
            "truncated_sheet_xml",
            "the Growth sheet's XML cut short",
            lambda p: zip_of({**p, growth: p[growth][: len(p[growth]) // 2]}),
            [
                "BOOK: Growth: expected well-formed XML (the file is damaged or cut short: save it again from Excel), got xl/worksheets/sheet4.xml broken at line 2, column 4,113"
            ],
        ),
        Case(
            "malformed_sheet_xml",
            "a row closed with the wrong tag",
            xml_edit(growth, lambda x: x.replace("</row>", "</rows>", 1)),
            [
                "BOOK: Growth: expected well-formed XML (the file is damaged or cut short: save it again from Excel), got xl/worksheets/sheet4.xml broken at line 2, column 1,106"
            ],
        ),
        Case(
            "billion_laughs",
            "an entity-expansion ('billion laughs') shared-string table",
            doctype("xl/sharedStrings.xml", LAUGHS, "&j;"),
            [
                "BOOK: (file): expected XML with no DOCTYPE or entity declarations (Excel never writes them), got xl/sharedStrings.xml declares them: a hostile or damaged file"
            ],
        ),
        Case(
            "external_entity",
            "a sheet that declares an external entity (file:///etc/passwd)",
            doctype(growth, XXE),
            [
                "BOOK: Growth: expected XML with no DOCTYPE or entity declarations (Excel never writes them), got xl/worksheets/sheet4.xml declares them: a hostile or damaged file"
            ],
        ),
        Case(
            "external_entity_workbook",
            "the workbook part declares an external entity",
            doctype("xl/workbook.xml", XXE),
            [
                "BOOK: (file): expected XML with no DOCTYPE or entity declarations (Excel never writes them), got xl/workbook.xml declares them: a hostile or damaged file"
            ],
        ),
        Case(
            "deep_nesting",
            "a chain of 100,000 nested elements in the Growth sheet (a memory bomb of depth)",
            xml_edit(growth, lambda x: x.replace("</sheetData>", "<x>" * 100_000 + "</sheetData>")),
            [f"BOOK: Growth: expected XML nested at most 64 deep, got {growth} deeper"],
        ),
        Case(
            "nan_in_number_xml",
            "NaN in a number's XML (Growth!G5)",
            cell_case("Growth", "G5", '<c r="G5" s="8"><v>NaN</v></c>'),
            [
                "BOOK: Growth!G5: lines.G1.values.2021/22: expected a finite number (the workbook's XML stores something else: a damaged file?), got 'NaN'"
            ],
        ),
        Case(
            "infinity_in_number_xml",
            "1e999 in a number's XML (Growth!G5)",
            cell_case("Growth", "G5", '<c r="G5" s="8"><v>1e999</v></c>'),
            [
                "BOOK: Growth!G5: lines.G1.values.2021/22: expected a finite number (the workbook stores one beyond any figure), got '1e999'"
            ],
        ),
        Case(
            "text_in_number_xml",
            "text where a number's XML holds digits",
            cell_case("Growth", "G5", '<c r="G5" s="8"><v>6,300</v></c>'),
            [
                "BOOK: Growth!G5: lines.G1.values.2021/22: expected a number (the workbook's XML stores something else: a damaged file?), got '6,300'"
            ],
        ),
        Case(
            "shared_string_out_of_range",
            "a cell pointing past the end of the shared strings",
            cell_case("Growth", "K5", '<c r="K5" s="6" t="s"><v>999999</v></c>'),
            [
                "BOOK: Growth!K5: lines.G1.source.doc: expected a value (the cell points at text the workbook does not hold), got '999999'"
            ],
        ),
        # --- size and far-away cells ---------------------------------------------------------------------
        Case(
            "huge_dimension",
            "the Growth sheet's used range declared as the whole grid",
            xml_edit(growth, lambda x: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', x)),
            [f"BOOK: Growth: {LIMIT}, got a sheet whose used range is A1:XFD1048576"],
        ),
        Case(
            "junk_rows_below_table",
            "20,000 junk rows below the Growth table, as Excel writes them",
            lambda p: junk_rows(p, 20_000, dimension="A1:M20099"),
            [f"BOOK: Growth: {LIMIT}, got a sheet whose used range is A1:M20099"],
        ),
        Case(
            "junk_rows_no_dimension",
            "12,000 junk rows and no used range declared",
            lambda p: junk_rows(p, 12_000, dimension=None),
            [f"BOOK: Growth: {LIMIT}, got a row 10,001"],
        ),
        Case(
            "junk_rows_no_refs",
            "400,000 junk rows with no cell references (a zip bomb of rows)",
            lambda p: junk_rows(p, 400_000, dimension=None, with_refs=False),
            [
                "BOOK: (file): expected a workbook whose parts compress at most 100:1 (a zip bomb compresses far more), got xl/worksheets/sheet4.xml: 332:1"
            ],
        ),
        Case(
            "million_rows_excel",
            "a million junk rows below the Growth table, as Excel writes them (--large only)",
            lambda p: junk_rows(p, 1_000_000, dimension="A1:M1000099"),
            [f"BOOK: Growth: {LIMIT}, got a sheet whose used range is A1:M1000099"],
            large=True,
        ),
        Case(
            "far_cell",
            "one cell at Excel's last row and column, the used range honest",
            lambda p: far_cell(p, "XFD1048576", dimension="A1:XFD1048576"),
            [f"BOOK: Growth: {LIMIT}, got a sheet whose used range is A1:XFD1048576"],
        ),
        Case(
            "far_cell_beyond_excel",
            "one cell beyond Excel's last row and column, no used range",
            lambda p: far_cell(p, "XFE1048577", dimension=None),
            [f"BOOK: Growth: {LIMIT}, got a row 1,048,577"],
        ),
        Case(
            "far_cell_lying_dimension",
            "a cell at ZZ99999 under a used range of A1:M15",
            lambda p: far_cell(p, "ZZ99999", dimension="A1:M15"),
            [f"BOOK: Growth: {LIMIT}, got a row 99,999"],
        ),
        Case(
            "far_cell_within_limits",
            "a stray text cell at Growth!G9000, inside the limits",
            lambda p: far_cell(p, "G9000", dimension="A1:M9000"),
            ["BOOK: Growth!A9000: expected a code for the row"],
        ),
        Case(
            "long_text",
            "40,000 characters in one cell (Excel's limit is 32,767)",
            cell_case("Growth", "M5", '<c r="M5" t="inlineStr"><is><t>' + "x" * 40_000 + "</t></is></c>"),
            [
                "BOOK: Growth!M5: lines.G1.source.grep: expected text of at most 32,767 characters, got 40,000 characters"
            ],
        ),
        # --- sheets --------------------------------------------------------------------------------------
        Case(
            "missing_growth_sheet",
            "the Growth sheet deleted",
            lambda p: zip_of(remove_sheet(p, "Growth")),
            ["BOOK: Growth: expected the sheet 'Growth' (growth_savings.toml), got a workbook without it"],
        ),
        Case(
            "missing_growth_entry",
            "the Growth sheet's entry gone from the workbook, its part left",
            lambda p: zip_of(remove_sheet(p, "Growth", keep_part=True)),
            ["BOOK: Growth: expected the sheet 'Growth' (growth_savings.toml), got a workbook without it"],
        ),
        Case(
            "missing_sources_sheet",
            "the Sources sheet deleted",
            lambda p: zip_of(remove_sheet(p, "Sources")),
            ["BOOK: Sources: expected the sheet 'Sources' (sources.toml), got a workbook without it"],
        ),
        Case(
            "missing_appendix_sheet",
            "the Appendix A sheet deleted",
            lambda p: zip_of(remove_sheet(p, "Appendix A")),
            ["BOOK: 'Appendix A': expected the sheet 'Appendix A' (appendix_a.csv), got a workbook without it"],
        ),
        Case(
            "renamed_growth_sheet",
            "Growth renamed 'Growth (2)'",
            lambda p: rename_sheet(p, "Growth", "Growth (2)"),
            [
                "BOOK: Growth: expected the sheet named 'Growth' (renamed? the import reads sheets by name), got 'Growth (2)'"
            ],
        ),
        Case(
            "renamed_high_needs_sheet",
            "'High Needs' renamed 'high needs'",
            lambda p: rename_sheet(p, "High Needs", "high needs"),
            [
                "BOOK: 'High Needs': expected the sheet named 'High Needs' (renamed? the import reads sheets by name), got 'high needs'"
            ],
        ),
        Case(
            "extra_sheet",
            "a scratch sheet added (not read): sound",
            lambda p: rename_sheet(p, "README", "Scratch"),
            exit=0,
        ),
        # --- cells ---------------------------------------------------------------------------------------
        Case(
            "error_cell",
            "#REF! in a figure",
            cell_case("Growth", "G5", '<c r="G5" s="8" t="e"><v>#REF!</v></c>'),
            [f"BOOK: {G5}: expected a value, not a spreadsheet error, got '#REF!'"],
        ),
        Case(
            "error_cell_formula",
            "=1/0 saved as #DIV/0!",
            cell_case("Growth", "G5", '<c r="G5" s="8" t="e"><f>1/0</f><v>#DIV/0!</v></c>'),
            [f"BOOK: {G5}: expected a value, not a spreadsheet error, got '#DIV/0!'"],
        ),
        Case(
            "boolean_for_number",
            "TRUE where a figure belongs",
            cell_case("Growth", "G5", '<c r="G5" s="8" t="b"><v>1</v></c>'),
            [f"BOOK: {G5}: {NUM}, got True"],
        ),
        Case(
            "date_for_number",
            "a date where a figure belongs",
            cell_case("Growth", "G5", '<c r="G5" s="8" t="d"><v>2021-04-01T00:00:00</v></c>'),
            [f"BOOK: {G5}: {NUM}, got 2021-04-01 (a date)"],
        ),
        Case(
            "inline_string_figure",
            "the figure as an inline string '6,300' (a number stored as text): sound",
            cell_case("Growth", "G5", '<c r="G5" s="8" t="inlineStr"><is><t>6,300</t></is></c>'),
            exit=0,
        ),
        Case(
            "inline_string_text",
            "'tbc' as an inline string where a figure belongs",
            cell_case("Growth", "G5", '<c r="G5" s="8" t="inlineStr"><is><t>tbc</t></is></c>'),
            [f"BOOK: {G5}: {NUM}, got 'tbc'"],
        ),
        Case(
            "text_with_unit",
            "'83.1m' on a list sheet",
            cell_case("High Needs", "B9", '<c r="B9" t="inlineStr"><is><t>83.1m</t></is></c>'),
            [f"BOOK: {hn}: expected a number, or a table, got '83.1m'"],
        ),
        Case(
            "formula_sound",
            "=6000+300 with its saved result: sound",
            cell_case("Growth", "G5", '<c r="G5" s="8"><f>6000+300</f><v>6300</v></c>'),
            exit=0,
        ),
        Case(
            "formula_no_saved_result",
            "a formula never calculated",
            cell_case("Growth", "G5", '<c r="G5" s="8"><f>6000+300</f></c>'),
            [
                f"BOOK: {G5}: expected a value: the formula has no saved result (open and save the book in Excel or LibreOffice, or type the figure), got '=6000+300'"
            ],
        ),
        Case(
            "formula_other_book",
            "a formula reading another workbook ([1]Sheet1!A1)",
            cell_case("Growth", "G5", '<c r="G5" s="8"><f>[1]Sheet1!A1</f><v>6300</v></c>'),
            [
                "BOOK: Growth!G5: lines.G1.values.2021/22: expected a figure or a formula within this workbook (this one reads another workbook): paste it as a value, got '=[1]Sheet1!A1'"
            ],
        ),
        Case(
            "formula_other_book_path",
            "a formula reading a workbook on a share",
            cell_case("Growth", "G5", """<c r="G5" s="8"><f>'C:\\data\\[budget.xlsx]Growth'!G5</f><v>6300</v></c>"""),
            [
                "BOOK: Growth!G5: lines.G1.values.2021/22: expected a figure or a formula within this workbook (this one reads another workbook): paste it as a value, got \"='C:\\\\data\\\\[budget.xlsx]Growth'!G5\""
            ],
        ),
        Case(
            "formula_webservice",
            "=WEBSERVICE(...)",
            cell_case(
                "Growth", "G5", '<c r="G5" s="8"><f>_xlfn.WEBSERVICE("https://example.org/g1")</f><v>6300</v></c>'
            ),
            [
                "BOOK: Growth!G5: lines.G1.values.2021/22: expected a figure or a formula within this workbook (WEBSERVICE reads from outside it): type the figure, got '=_xlfn.WEBSERVICE(\"https://example.org/g1\")'"
            ],
        ),
        Case(
            "formula_dde",
            "a DDE link to another program",
            cell_case("Growth", "G5", """<c r="G5" s="8"><f>cmd|'/c calc'!A0</f><v>6300</v></c>"""),
            [
                "BOOK: Growth!G5: lines.G1.values.2021/22: expected a figure or a formula within this workbook (this one is a link to another program): type the figure, got \"=cmd|'/c calc'!A0\""
            ],
        ),
        Case(
            "formula_now",
            "=NOW() in a figure",
            cell_case("Growth", "G5", '<c r="G5" s="8"><f>NOW()</f><v>6300</v></c>'),
            [
                "BOOK: Growth!G5: lines.G1.values.2021/22: expected a formula whose result is fixed (NOW gives a new result at every recalculation, so the figure saved is not one an auditor can trace): paste it as a value, got '=NOW()'"
            ],
        ),
        Case(
            "formula_rand",
            "=6300*(1+RAND()/100)",
            cell_case("Growth", "G5", '<c r="G5" s="8"><f>6300*(1+RAND()/100)</f><v>6300</v></c>'),
            [
                "BOOK: Growth!G5: lines.G1.values.2021/22: expected a formula whose result is fixed (RAND gives a new result at every recalculation, so the figure saved is not one an auditor can trace): paste it as a value, got '=6300*(1+RAND()/100)'"
            ],
        ),
        Case(
            "formula_indirect",
            '=INDIRECT("H5")',
            cell_case("Growth", "G5", '<c r="G5" s="8"><f>INDIRECT("H5")-3300</f><v>6300</v></c>'),
            [
                "BOOK: Growth!G5: lines.G1.values.2021/22: expected a formula whose result is fixed (INDIRECT gives a new result at every recalculation, so the figure saved is not one an auditor can trace): paste it as a value, got '=INDIRECT(\"H5\")-3300'"
            ],
        ),
        Case(
            "formula_offset",
            "=OFFSET(H5,0,0)-3300",
            cell_case("Growth", "G5", '<c r="G5" s="8"><f>OFFSET(H5,0,0)-3300</f><v>6300</v></c>'),
            [
                "BOOK: Growth!G5: lines.G1.values.2021/22: expected a formula whose result is fixed (OFFSET gives a new result at every recalculation, so the figure saved is not one an auditor can trace): paste it as a value, got '=OFFSET(H5,0,0)-3300'"
            ],
        ),
        Case(
            "formula_text_mentions_now",
            "a formula whose text mentions NOW() inside quotes: sound",
            cell_case("Growth", "G5", '<c r="G5" s="8"><f>IF("NOW()"="",0,6300)</f><v>6300</v></c>'),
            exit=0,
        ),
    ]


def _duplicate(parts: Parts, name: str) -> bytes:
    import io

    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for part, data in parts.items():
                zf.writestr(zipfile.ZipInfo(part, DATE), data, zipfile.ZIP_DEFLATED, 9)
            zf.writestr(zipfile.ZipInfo(name, DATE), parts[name], zipfile.ZIP_DEFLATED, 9)
    return buf.getvalue()


def base_parts() -> Parts:
    """The bundled edition's workbook, as ``mtfs edition export`` writes it, without the
    folder README, the files' opening comments and the notes in cells (60 kB, not 90: the
    corpus stays small; the sheets and cells the cases change are the same)."""
    files = read_folder(DEFAULT_EDITION)
    trimmed = {name: data for name, data in files.items() if name not in (NOTES, COMMENTS, "README.md")}
    return read_parts(book_bytes(trimmed, ""))


def toml_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="the corpus folder (default: tests/hostile_workbooks)")
    parser.add_argument("--large", action="store_true", help="also the cases too large to commit")
    args = parser.parse_args(argv)
    parts = base_parts()
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.xls*"):
        old.unlink()
    lines = [
        "# The hostile-workbook corpus: written by tools/make_hostile_workbooks.py (do not edit by hand).",
        "# Each case is ONE change to the bundled edition's workbook; `lines` is what `mtfs edition",
        "# import FILE -o FOLDER` prints on stderr (BOOK stands for FILE), `exit` its status.",
        "",
    ]
    total = 0
    for case in cases(parts):
        if case.large and not args.large:
            continue
        data = case.build(parts)
        name = case.id + case.suffix
        (args.out / name).write_bytes(data)
        total += len(data)
        lines += ["[[case]]", f"id = {toml_string(case.id)}", f"file = {toml_string(name)}",
                  f"what = {toml_string(case.what)}", f"exit = {case.exit}", "lines = ["]  # fmt: skip
        lines += [f"  {toml_string(line)}," for line in case.lines]
        lines += ["]", ""]
    (args.out / "cases.toml").write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}: {sum(1 for _ in args.out.glob('*.xls*'))} workbooks, {total:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
