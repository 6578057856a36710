"""The round trip keeps the files: an unchanged book imports to the same bytes, a change to
one cell changes one line of one file, and the book holds the figures the papers print."""

from __future__ import annotations

import csv
import difflib
import tomllib
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from mtfs_model.cli.main import main
from mtfs_model.edition.folder import DEFAULT_EDITION
from mtfs_model.edition.workbook.export import export_edition
from mtfs_model.edition.workbook.importer import import_book
from mtfs_model.edition.workbook.textpatch import ORIGINALS_SHEET, Original, patch_values, toml_text

from .test_workbook import TEST_EDITION, validate

SLOW = pytest.mark.slow  # a whole-edition export, an edit through openpyxl and an import (the full suite runs it)


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def changed_lines(a: Path, b: Path) -> dict[str, tuple[list[str], list[str]]]:
    """Each file that differs: (lines removed, lines added)."""
    fa, fb = folder_bytes(a), folder_bytes(b)
    out: dict[str, tuple[list[str], list[str]]] = {}
    for name in sorted(fa.keys() | fb.keys()):
        old = fa.get(name, b"").decode("utf-8").splitlines()
        new = fb.get(name, b"").decode("utf-8").splitlines()
        if old != new or fa.get(name) != fb.get(name):
            diff = list(difflib.unified_diff(old, new, lineterm="", n=0))
            removed = [d[1:] for d in diff if d.startswith("-") and not d.startswith("---")]
            added = [d[1:] for d in diff if d.startswith("+") and not d.startswith("+++")]
            out[name] = (removed, added)
    return out


def cell_at(ws: Any, key: str, header: str) -> Any:
    """The cell in the row whose first column reads ``key`` and the column headed ``header``."""
    row = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value == key)
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(4, c).value == header)
    return ws.cell(row, col)


def edited(tmp: Path, folder: Path, edit: Any) -> Path:
    """Export ``folder``, apply ``edit(workbook)`` with openpyxl, save, import; the folder."""
    book = tmp / "book.xlsx"
    export_edition(folder, book)
    wb = openpyxl.load_workbook(book)
    edit(wb)
    wb.save(book)
    out = tmp / "out"
    import_book(book, out, validate)
    return out


@pytest.mark.parametrize("folder", [DEFAULT_EDITION, TEST_EDITION], ids=["bundled", "cfs_2022_23"])
def test_unchanged_book_gives_the_folder_back_byte_for_byte(folder: Path, tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    export_edition(folder, book)
    out = tmp_path / "out"
    import_book(book, out, validate)
    assert folder_bytes(out) == folder_bytes(folder)


def test_unchanged_book_through_the_cli(tmp_path: Path) -> None:
    book, out = tmp_path / "b.xlsx", tmp_path / "F"
    assert main(["edition", "export", "--edition", str(TEST_EDITION), "-o", str(book)]) == 0
    assert main(["edition", "import", str(book), "-o", str(out)]) == 0
    assert folder_bytes(out) == folder_bytes(TEST_EDITION)


def _set(sheet: str, key: str, header: str, value: Any) -> Any:
    def edit(wb: Any) -> None:
        cell_at(wb[sheet], key, header).value = value

    return edit


@pytest.mark.parametrize(
    ("sheet", "key", "header", "value", "file", "old", "new"),
    [
        ("Growth", "G2", "2023/24", 4521, "growth_savings.toml",
         'values = { "2021/22" = 3030, "2022/23" = 3685, "2023/24" = 4520, "2024/25" = 4935 }',
         'values = { "2021/22" = 3030, "2022/23" = 3685, "2023/24" = 4521, "2024/25" = 4935 }'),
        pytest.param("High Needs", "dsg_blocks.high_needs_block", "value", 83.2, "high_needs.toml",
                     "high_needs_block = 83.1", "high_needs_block = 83.2", marks=SLOW),
        pytest.param("Growth", "G3", "title", "Social care market premia", "growth_savings.toml",
                     'title = "Social Care market premia to support recruitment"',
                     'title = "Social care market premia"', marks=SLOW),
        pytest.param("Growth", "G1", "grep", "Placements demand", "growth_savings.toml", None, "Placements demand",
                     marks=SLOW),
    ],
    ids=["year-value-on-a-grid", "value-on-a-list-sheet", "text-cell", "source-phrase"],
)  # fmt: skip
def test_one_cell_changes_one_line_of_one_file(
    tmp_path: Path, sheet: str, key: str, header: str, value: Any, file: str, old: str | None, new: str
) -> None:
    out = edited(tmp_path, DEFAULT_EDITION, _set(sheet, key, header, value))
    changes = changed_lines(DEFAULT_EDITION, out)
    assert list(changes) == [file]
    removed, added = changes[file]
    assert len(removed) == 1 and len(added) == 1, changes
    assert new in added[0]
    if old is not None:
        assert (removed[0].strip(), added[0].strip()) == (old, new)
    assert tomllib.loads((out / file).read_text(encoding="utf-8")) != tomllib.loads(
        (DEFAULT_EDITION / file).read_text(encoding="utf-8")
    )


@SLOW
def test_a_note_typed_in_the_book_adds_only_its_lines(tmp_path: Path) -> None:
    def edit(wb: Any) -> None:
        cell_at(wb["Growth"], "G2", "2023/24").comment = openpyxl.comments.Comment("check with finance", "Sue")

    out = edited(tmp_path, DEFAULT_EDITION, edit)
    assert changed_lines(DEFAULT_EDITION, out) == {"growth_savings.toml": ([], ["# check with finance"])}
    text = (out / "growth_savings.toml").read_text(encoding="utf-8")
    assert '# check with finance\nvalues = { "2021/22" = 3030, "2022/23" = 3685, "2023/24" = 4520,' in text


@SLOW
def test_an_appendix_a_cell_and_a_readme_line(tmp_path: Path) -> None:
    def edit(wb: Any) -> None:
        ws = wb["Appendix A"]
        ws.cell(6, 4).value = f"{ws.cell(6, 4).value} (renamed)"
        readme = wb["Folder README"]
        readme.cell(5, 1).value = "A new first line"

    out = edited(tmp_path, DEFAULT_EDITION, edit)
    changes = changed_lines(DEFAULT_EDITION, out)
    assert set(changes) == {"appendix_a.csv", "README.md"}
    assert all(len(removed) == 1 and len(added) == 1 for removed, added in changes.values())
    assert changes["README.md"][1] == ["A new first line"]
    rows = list(csv.reader((out / "appendix_a.csv").open(encoding="utf-8", newline="")))
    assert rows[2][3] == "C&FS Safeguarding (renamed)"


@SLOW
def test_a_row_added_lands_in_its_table(tmp_path: Path) -> None:
    """A new growth line lands in the file with the rest untouched."""

    def edit(wb: Any) -> None:
        growth = wb["Growth"]
        header = {growth.cell(4, c).value: c for c in range(1, growth.max_column + 1)}
        row = growth.max_row + 1
        typed = {"code": "G9", "kind": "growth", "title": "Home to school transport", "programme": "growth",
                 "2021/22": 100, "2022/23": 200, "2023/24": 300, "2024/25": 400,
                 "doc": "mtfs_report", "ref": "para 17", "grep": "transport"}  # fmt: skip
        for name, value in typed.items():
            growth.cell(row, header[name]).value = value

    out = edited(tmp_path, DEFAULT_EDITION, edit)
    changes = changed_lines(DEFAULT_EDITION, out)
    assert list(changes) == ["growth_savings.toml"]
    removed, added = changes["growth_savings.toml"]
    assert removed == [] and any("G9" in line for line in added)
    data = tomllib.loads((out / "growth_savings.toml").read_text(encoding="utf-8"))
    assert data["lines"]["G9"]["values"] == {"2021/22": 100, "2022/23": 200, "2023/24": 300, "2024/25": 400}


@SLOW
def test_the_hidden_text_is_never_a_source_of_figures(tmp_path: Path) -> None:
    """Tampered with (a figure changed, a key added), the embedded text is only a template:
    the figures are the visible cells'; a text whose checksum fails is not used at all."""

    def edit(wb: Any) -> None:
        ws = wb[ORIGINALS_SHEET]
        for row in ws.iter_rows(min_row=5):
            if row[0].value == "growth_savings.toml" and row[1].value == "text" and '"2023/24" = 4520' in row[3].value:
                row[3].value = row[3].value.replace('"2023/24" = 4520', '"2023/24" = 9999\nsneaky = 1')

    out = edited(tmp_path, DEFAULT_EDITION, edit)
    assert list(changed_lines(DEFAULT_EDITION, out)) == ["growth_savings.toml"]  # the others as written
    data = tomllib.loads((out / "growth_savings.toml").read_text(encoding="utf-8"))
    assert data == without_empty_texts(tomllib.loads((DEFAULT_EDITION / "growth_savings.toml").read_text("utf-8")))


def test_a_forged_template_still_takes_the_cells_figures() -> None:
    """Even a template that passes its checksum (forged along with it) gives the cells' data."""
    original = Original('# note\n[lines.G2.values]\n"2023/24" = 9999  # kept\nsneaky = 1\n')
    data = {"lines": {"G2": {"values": {"2023/24": 4520}}}}
    text = toml_text(original, data, "", {})
    assert text == '# note\n[lines.G2.values]\n"2023/24" = 4520  # kept\n'
    assert tomllib.loads(text) == data


def test_numbers_keep_their_type_and_digits() -> None:
    text = "a = 1\nb = 0.1\nc = 2.0\nd = 1e-05\n"
    data = {"a": 1.0, "b": 0.1, "c": 2, "d": 1e-05}  # the book says a is 1.0 and c is 2
    out = patch_values(text, data)
    assert out is not None
    back = tomllib.loads(out)
    assert [type(back[k]) for k in "abcd"] == [float, float, int, float]
    assert out.splitlines()[1] == "b = 0.1" and out.splitlines()[3] == "d = 1e-05"


@SLOW
def test_a_book_without_its_hidden_sheet_imports_canonically(tmp_path: Path) -> None:
    def edit(wb: Any) -> None:
        del wb[ORIGINALS_SHEET]

    out = edited(tmp_path, DEFAULT_EDITION, edit)
    for name, data in folder_bytes(DEFAULT_EDITION).items():
        if name.endswith(".toml"):
            expected = without_empty_texts(tomllib.loads(data.decode("utf-8")))
            assert tomllib.loads((out / name).read_text(encoding="utf-8")) == expected


def without_empty_texts(node: Any) -> Any:
    """The data with its empty texts left out: what a book saved by openpyxl or a
    spreadsheet holds once its "" cells are blank (and no hidden sheet puts them back)."""
    if isinstance(node, dict):
        return {k: without_empty_texts(v) for k, v in node.items() if v != ""}
    if isinstance(node, list):
        return [without_empty_texts(v) for v in node]
    return node


def _numbers(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [x for v in node.values() for x in _numbers(v)]
    if isinstance(node, list):
        return [x for v in node for x in _numbers(v)]
    return [node] if isinstance(node, int | float) and not isinstance(node, bool) else []


@pytest.mark.parametrize("folder", [DEFAULT_EDITION, TEST_EDITION], ids=["bundled", "cfs_2022_23"])
def test_every_number_in_the_book_is_the_printed_figure(folder: Path, tmp_path: Path) -> None:
    """Each numeric cell holds exactly a figure of the folder (no 83.09999999999999 for
    83.1): the XML's text is the shortest decimal of a value in the files."""
    import re
    import zipfile

    book = tmp_path / "book.xlsx"
    export_edition(folder, book)
    figures: set[str] = set()
    for p in folder.glob("*.toml"):
        figures.update(repr(x) for x in _numbers(tomllib.loads(p.read_text(encoding="utf-8"))))
    if (folder / "appendix_a.csv").is_file():
        with (folder / "appendix_a.csv").open(encoding="utf-8", newline="") as fh:
            figures.update(x for row in csv.reader(fh) for x in row if re.fullmatch(r"-?\d+", x))
    printed = {f.removesuffix(".0") for f in figures}  # 6300.0 is written 6300, read back by its format
    checked = 0
    with zipfile.ZipFile(book) as z:
        for name in z.namelist():
            if not name.startswith("xl/worksheets/sheet"):
                continue
            xml = z.read(name).decode("utf-8")
            for attrs, value in re.findall(r"<c ([^>]*)><v>([^<]*)</v></c>", xml):
                if 't="' in attrs:
                    continue  # a string, boolean or formula result
                checked += 1
                is_date = value.isdigit() and 30000 < int(value) < 60000 and value not in printed
                assert value in printed or is_date, f"{name}: {attrs}: {value}"
    assert checked > 500


@SLOW
def test_a_percentage_changes_one_line(tmp_path: Path) -> None:
    def edit(wb: Any) -> None:
        ws = wb["Appraisal"]
        cell_at(ws, "discount_rate", "value").value = 0.04

    out = edited(tmp_path, DEFAULT_EDITION, edit)
    changes = changed_lines(DEFAULT_EDITION, out)
    assert list(changes) == ["cip.toml"]
    assert [line.strip() for line in changes["cip.toml"][1]] == ["discount_rate = 0.04"]


@SLOW
def test_a_book_moved_on_a_year_patches_in_the_books_order(tmp_path: Path) -> None:
    """Find and Replace over the visible sheets (every year one on, G2 renamed G7): the
    files are patched, G7 stays where G2 was, and the engine's tables are those of the
    same book imported without its hidden sheet (the canonical writer)."""
    from mtfs_model.edition.folder import load_edition
    from mtfs_model.engine.run import run
    from mtfs_model.scenarios.load import load_scenario

    from .test_workbook import _moved_on

    def edit(wb: Any) -> None:
        for ws in wb.worksheets:
            if ws.sheet_state == "visible":
                for row in ws.iter_rows():
                    for c in row:
                        if isinstance(c.value, str):
                            c.value = _moved_on(c.value)

    patched = edited(tmp_path, DEFAULT_EDITION, edit)
    wb = openpyxl.load_workbook(tmp_path / "book.xlsx")
    del wb[ORIGINALS_SHEET]
    wb.save(tmp_path / "canonical.xlsx")
    import_book(tmp_path / "canonical.xlsx", tmp_path / "canonical", validate)
    text = (patched / "growth_savings.toml").read_text(encoding="utf-8")
    assert text.index("[lines.G1]") < text.index("[lines.G7]") < text.index("[lines.G3]")
    assert text.startswith((DEFAULT_EDITION / "growth_savings.toml").read_text(encoding="utf-8")[:400])  # comments kept
    a = run(load_scenario("baseline", edition=load_edition(patched)))
    b = run(load_scenario("baseline", edition=load_edition(tmp_path / "canonical")))
    for table in ("revenue", "cumulative", "high_needs", "capital_programme", "cip"):
        assert getattr(a, table).equals(getattr(b, table)), table


def test_crlf_line_ends_and_escape_lookalikes_come_back(tmp_path: Path) -> None:
    """Files with Windows line ends (a carriage return is a control character a cell
    holds only escaped) and a README naming ``_x000D_`` come back byte for byte."""
    import shutil

    folder = tmp_path / "crlf"
    shutil.copytree(TEST_EDITION, folder)
    for p in folder.iterdir():
        p.write_bytes(p.read_bytes().replace(b"\n", b"\r\n"))
    (folder / "README.md").write_bytes(b"# Notes\r\n\r\n  Excel escapes a carriage return as _x000D_ \r\n\ttabbed\r\n")
    book = tmp_path / "book.xlsx"
    export_edition(folder, book)
    out = tmp_path / "out"
    import_book(book, out, validate)
    assert folder_bytes(out) == folder_bytes(folder)


@SLOW
def test_a_note_removed_and_a_file_note_line_changed(tmp_path: Path) -> None:
    """Deleting a cell's note removes its comment (here one at the end of the key's line);
    changing a line of the File notes sheet changes that line of the file's opening
    comment; the ``#:schema`` line stays."""

    def edit(wb: Any) -> None:
        ws = wb["Edition"]
        cell = next(
            c for row in ws.iter_rows(min_row=5) for c in row if c.comment and "rolls forward" in c.comment.text
        )
        cell.comment = None
        notes = wb["File notes"]
        notes.cell(5, 2).value = "# The Children and Family Services MTFS, renamed."

    out = edited(tmp_path, DEFAULT_EDITION, edit)
    changes = changed_lines(DEFAULT_EDITION, out)
    assert list(changes) == ["edition.toml"]
    removed, added = changes["edition.toml"]
    assert added == ["# The Children and Family Services MTFS, renamed.", 'base_year = "2020/21"']  # comment gone
    assert len(removed) == 2 and "rolls forward" in removed[1]
    original = (DEFAULT_EDITION / "edition.toml").read_text(encoding="utf-8").splitlines()[0]
    assert (out / "edition.toml").read_text(encoding="utf-8").splitlines()[0] == original


@SLOW
def test_an_item_added_to_a_multi_line_array_adds_one_line(tmp_path: Path) -> None:
    """Two rows typed on the Edition sheet (``edition.papers[3].doc`` and ``.date``): one
    line added to the ``papers`` array, in its style."""
    import datetime as dt

    def edit(wb: Any) -> None:
        ws = wb["Edition"]
        last = max(r for r in range(5, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("edition.papers["))
        ws.insert_rows(last + 1, 2)
        ws.cell(last + 1, 1).value, ws.cell(last + 1, 2).value = "edition.papers[3].doc", "mtfs_report"
        ws.cell(last + 2, 1).value, ws.cell(last + 2, 2).value = "edition.papers[3].date", dt.datetime(2021, 2, 1)
        ws.cell(last + 2, 2).number_format = "yyyy-mm-dd"

    out = edited(tmp_path, DEFAULT_EDITION, edit)
    changes = changed_lines(DEFAULT_EDITION, out)
    assert list(changes) == ["edition.toml"]
    removed, added = changes["edition.toml"]
    assert removed == [] and len(added) == 1
    assert added[0].startswith('  { doc = "mtfs_report", date = 2021-02-01')


def test_a_key_removed_and_one_added_in_the_books_order() -> None:
    text = "# lines\n[lines.A]\nx = 1  # one\n\n[lines.B]\nx = 2\n\n[lines.C]\nx = 3\n"
    data = {"lines": {"A": {"x": 1}, "N": {"x": 9}, "C": {"x": 3}}}
    out = patch_values(text, data)
    assert out is not None
    assert list(tomllib.loads(out)["lines"]) == ["A", "N", "C"]
    assert "[lines.B]" not in out and out.startswith("# lines\n[lines.A]\nx = 1  # one\n")
