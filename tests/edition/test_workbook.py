"""The edition as a workbook: export, import, round trip, errors named by sheet and cell."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from mtfs_model.base.errors import InputError
from mtfs_model.cli.main import main
from mtfs_model.edition.folder import DEFAULT_EDITION, load_edition
from mtfs_model.edition.workbook.export import export_edition, read_folder
from mtfs_model.edition.workbook.folder_write import SCHEMAS_DIR
from mtfs_model.edition.workbook.importer import import_book, read_book
from mtfs_model.edition.workbook.sheets import COMMENTS
from mtfs_model.edition.workbook.textpatch import ORIGINALS_SHEET
from mtfs_model.engine.run import run
from mtfs_model.reconciliation.reconcile import reconcile
from mtfs_model.scenarios.load import load_scenario

from ..forecast.test_outturns import cell, path, write_edition

TEST_EDITION = Path(__file__).resolve().parents[1] / "editions" / "cfs_2022_23"


def validate(folder: Path) -> None:
    import mtfs_model.risk.simulate  # noqa: F401  (registers the risk.toml check)

    load_edition(folder)


def book_content(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's cell values and number formats: what a reader of the book sees."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[(c.value, c.number_format) for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def same_files(imported: dict[str, Any], original: dict[str, Any]) -> None:
    """The same files, tables and opening comments; every comment inside a file kept, on
    its key or, for a comment on a table, on the first key below it (the cell it sits on)."""
    assert imported.keys() == original.keys()
    for name in original:
        if name != COMMENTS:
            assert imported[name] == original[name], name
    for name, notes in original.get(COMMENTS, {}).items():
        got = dict(imported[COMMENTS][name])
        for key, text in notes.items():
            at = next(p for p, t in got.items() if t == text and p[: len(key)] == key)
            del got[at]
        assert not got, (name, got)


def round_trip(folder: Path, tmp: Path) -> tuple[Path, Path]:
    book = tmp / "book.xlsx"
    export_edition(folder, book)
    out = tmp / "imported"
    import_book(book, out, validate)
    return book, out


def same_results(a: Path, b: Path) -> None:
    ea, eb = load_edition(a), load_edition(b)
    ra, rb = run(load_scenario("baseline", edition=ea)), run(load_scenario("baseline", edition=eb))
    for table in ("revenue", "cumulative", "high_needs", "capital_programme", "capital_financing", "cip"):
        pd.testing.assert_frame_equal(getattr(ra, table), getattr(rb, table))
    fa, fb = reconcile(edition=ea), reconcile(edition=eb)
    pd.testing.assert_frame_equal(fa.reset_index(drop=True), fb.reset_index(drop=True))


@pytest.mark.slow  # many examples or whole-edition round trips (the full suite runs it)
@pytest.mark.parametrize("folder", [DEFAULT_EDITION, TEST_EDITION], ids=["bundled", "cfs_2022_23"])
def test_round_trip_identical(folder: Path, tmp_path: Path) -> None:
    book, out = round_trip(folder, tmp_path)
    original, imported = read_folder(folder), read_folder(out)
    same_files(imported, original)
    same_results(folder, out)
    again = tmp_path / "again.xlsx"
    export_edition(out, again)
    assert book_content(again) == book_content(book)
    import_book(again, tmp_path / "twice", validate)
    assert read_folder(tmp_path / "twice") == imported  # a folder from a book comes back as it is


def test_export_is_deterministic(tmp_path: Path) -> None:
    export_edition(DEFAULT_EDITION, tmp_path / "a.xlsx")
    export_edition(DEFAULT_EDITION, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_template_conventions(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    export_edition(DEFAULT_EDITION, book)
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[0] == "README"
    growth = wb["Growth"]
    assert growth.freeze_panes == "B5"
    assert [growth.cell(4, c).value for c in range(1, 4)] == ["code", "kind", "title"]
    g1 = next(r for r in range(5, growth.max_row + 1) if growth.cell(r, 1).value == "G1")
    years = {growth.cell(4, c).value: c for c in range(1, growth.max_column + 1)}
    assert growth.cell(g1, years["2021/22"]).value == 6300
    assert growth.cell(g1, years["2021/22"]).number_format == "#,##0"
    assert not growth.merged_cells.ranges
    lists = {str(dv.sqref).split(":")[0][:1]: dv.formula1 for dv in growth.data_validations.dataValidation}
    assert any("Programmes" in f for f in lists.values() if f)
    parts = wb["Appraisal"]
    rate = next(r for r in range(5, parts.max_row + 1) if parts.cell(r, 1).value == "discount_rate")
    assert (parts.cell(rate, 2).value, parts.cell(rate, 2).number_format) == (0.035, "0.0%")
    assert growth.column_dimensions["C"].width > 20


def _cell_of(ws: Any, key: str, header: str) -> str:
    row = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value == key)
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(4, c).value == header)
    return ws.cell(row, col).coordinate


def test_text_in_a_number_cell_names_the_cell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "book.xlsx"
    export_edition(DEFAULT_EDITION, book)
    wb = openpyxl.load_workbook(book)
    ref = _cell_of(wb["Growth"], "G2", "2023/24")
    wb["Growth"][ref] = "tbc"
    wb.save(book)
    before = sorted(p.name for p in tmp_path.iterdir())
    code = main(["edition", "import", str(book), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == [f"error: {book}: Growth!{ref}: lines.G2.values.2023/24: expected a number in £000, got 'tbc'"]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing left behind


def test_every_problem_at_once_and_nothing_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "book.xlsx"
    export_edition(DEFAULT_EDITION, book)
    wb = openpyxl.load_workbook(book)
    wb["Growth"][_cell_of(wb["Growth"], "G3", "kind")] = "sideways"
    wb["High Needs"][_cell_of(wb["High Needs"], "forecast.expenditure.placement_costs", "2024/25")] = "n/a"
    wb.save(book)
    out = tmp_path / "out"
    out.mkdir()  # an empty folder may be the target
    assert main(["edition", "import", str(book), "-o", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert any(re.match(rf"error: {re.escape(str(book))}: Growth!B\d+: lines\.G3\.kind: expected", e) for e in err)
    assert any("'High Needs'!" in e and "forecast.expenditure.placement_costs.2024/25" in e for e in err)
    assert list(out.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_formula_cells_read_their_saved_value(tmp_path: Path) -> None:
    import xlsxwriter

    book = tmp_path / "book.xlsx"
    export_edition(DEFAULT_EDITION, book)
    files, _ = read_book(book)
    # a book whose G1 2021/22 is a formula: with a saved result it imports that value,
    # without one it is refused naming the cell
    wb = openpyxl.load_workbook(book)
    ref = _cell_of(wb["Growth"], "G1", "2021/22")
    for saved, expect in ((6300, None), (None, "has no saved result")):
        src = tmp_path / f"f{saved}.xlsx"
        w = xlsxwriter.Workbook(src)
        for ws in wb.worksheets:
            out = w.add_worksheet(ws.title)
            for row in ws.iter_rows():
                for c in row:
                    if c.value is None:
                        continue
                    if ws.title == "Growth" and c.coordinate == ref:
                        out.write_formula(c.coordinate, "=6000+300", None, saved if saved is not None else "")
                    else:
                        out.write(c.coordinate, c.value)
        w.close()
        if expect is None:
            got, _ = read_book(src)
            assert got["growth_savings.toml"]["lines"]["G1"]["values"]["2021/22"] == 6300
        else:
            with pytest.raises(Exception, match=rf"Growth!{ref}: .*{expect}"):
                read_book(src)
    assert files["growth_savings.toml"]["lines"]["G1"]["values"]["2021/22"] == 6300


def test_target_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "book.xlsx"
    assert main(["edition", "export", "-o", str(book)]) == 0
    full = tmp_path / "full"
    full.mkdir()
    (full / "x.txt").write_text("keep")
    assert main(["edition", "import", str(book), "-o", str(full)]) == 2
    assert main(["edition", "import", str(book), "-o", str(tmp_path / "no" / "such")]) == 2
    assert not (tmp_path / "no").exists()
    err = capsys.readouterr().err
    assert "never overwritten" in err and "does not exist" in err
    assert (full / "x.txt").read_text() == "keep"


def test_schema_line_is_relative_to_where_the_folder_is(tmp_path: Path) -> None:
    """A book without the files as written (made by hand, or the hidden sheet deleted) is
    written by the canonical writer, whose ``#:schema`` line points from the new folder to
    the repository's schema; with them, the line is the file's own, as written."""
    book = tmp_path / "book.xlsx"
    export_edition(DEFAULT_EDITION, book)
    wb = openpyxl.load_workbook(book)
    del wb[ORIGINALS_SHEET]
    wb.save(book)
    out = tmp_path / "imported"
    import_book(book, out, validate)
    first = (out / "edition.toml").read_text(encoding="utf-8").splitlines()[0]
    if not (SCHEMAS_DIR / "edition.schema.json").is_file():
        pytest.skip("no schemas/ folder (installed package)")
    assert first.startswith("#:schema ")
    assert (out / first.removeprefix("#:schema ")).resolve() == (SCHEMAS_DIR / "edition.schema.json").resolve()
    (tmp_path / "kept").mkdir()
    _, kept = round_trip(DEFAULT_EDITION, tmp_path / "kept")
    as_written = (DEFAULT_EDITION / "edition.toml").read_text(encoding="utf-8").splitlines()[0]
    assert (kept / "edition.toml").read_text(encoding="utf-8").splitlines()[0] == as_written


FY = re.compile(r"\b(\d{4})/(\d{2})\b")


def _moved_on(text: str) -> str:
    def shift(m: re.Match[str]) -> str:
        y = int(m.group(1)) + 1
        return f"{y}/{(y + 1) % 100:02d}"

    return re.sub(r"\bG2\b", "G7", FY.sub(shift, text))


def test_book_moved_on_a_year_with_a_line_renamed_imports_and_runs(tmp_path: Path) -> None:
    """What a finance partner does in January: every year one on, G2 renamed G7 (Find and
    Replace over the whole book); no code change."""
    book = tmp_path / "book.xlsx"
    export_edition(DEFAULT_EDITION, book)
    wb = openpyxl.load_workbook(book)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    c.value = _moved_on(c.value)
    wb.save(book)
    out = tmp_path / "next"
    import_book(book, out, validate)
    old, new = load_edition(DEFAULT_EDITION), load_edition(out)
    assert new.years == ("2022/23", "2023/24", "2024/25", "2025/26")
    assert "G7" in new.line_codes and "G2" not in new.line_codes
    r_old, r_new = run(load_scenario("baseline", edition=old)), run(load_scenario("baseline", edition=new))
    # the same figures a year later: the engine's tables match column for column
    assert r_new.revenue.to_numpy().tolist() == r_old.revenue.to_numpy().tolist()
    assert r_new.cumulative.loc["G7"].tolist() == r_old.cumulative.loc["G2"].tolist()


def test_a_code_twice_names_both_rows(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    export_edition(DEFAULT_EDITION, book)
    wb = openpyxl.load_workbook(book)
    growth = wb["Growth"]
    g3 = next(r for r in range(5, growth.max_row + 1) if growth.cell(r, 1).value == "G3")
    growth.cell(g3, 1).value = "G2"
    wb.save(book)
    with pytest.raises(InputError) as caught:
        read_book(book)
    assert caught.value.lines() == [
        f"{book}: Growth!A{g3}: lines.G2: expected a row for each key once (also Growth!A{g3 - 1}), got 'G2'"
    ]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_book_saved_by_libreoffice_imports_to_the_same_edition(tmp_path: Path) -> None:
    """What a finance partner's spreadsheet writes back: types, dates, percentages and
    booleans survive; an empty text cell comes back blank (the key takes its default)."""
    book = tmp_path / "book.xlsx"
    export_edition(DEFAULT_EDITION, book)
    saved = tmp_path / "saved"
    saved.mkdir()
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", str(book), "--outdir", str(saved)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    out = tmp_path / "out"
    import_book(saved / "book.xlsx", out, validate)
    same_results(DEFAULT_EDITION, out)
    same_files(read_folder(out), read_folder(DEFAULT_EDITION))
    # the hidden sheet of the files as written survives LibreOffice's save: the same bytes
    # ("" saved as a blank cell reads as the file's "")
    written = {p.name: p.read_bytes() for p in DEFAULT_EDITION.iterdir()}
    assert {p.name: p.read_bytes() for p in out.iterdir()} == written


@pytest.mark.slow  # many examples or whole-edition round trips (the full suite runs it)
def test_outturns_round_trip(tmp_path: Path) -> None:
    """An edition recording outturns (engine cells and keys, dates, a boolean, a note)."""
    folder = write_edition(tmp_path / "src", [
        cell("revenue", "net_budget", "2021/22", 90512),
        path("lines.G1.drivers.unit_cost_current_gbp_week", "2021/22", 4350),
        path("high_needs.schools_block_transfer_approved", "2022/23", False, as_of=dt.date(2023, 3, 31),
             note="The Forum refused"),
        cell("high_needs", "cumulative_gap", "2022/23", 25000.5, kind="reforecast", as_of=dt.date(2022, 11, 1)),
    ])  # fmt: skip
    book, out = round_trip(folder, tmp_path)
    assert {"Outturns", "Outturn sources"} <= set(openpyxl.load_workbook(book).sheetnames)
    same_files(read_folder(out), read_folder(folder))
    again = tmp_path / "again.xlsx"
    export_edition(out, again)
    assert book_content(again) == book_content(book)


def test_a_note_typed_in_the_book_becomes_a_comment(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    export_edition(DEFAULT_EDITION, book)
    wb = openpyxl.load_workbook(book)
    ref = _cell_of(wb["Growth"], "G2", "2023/24")
    wb["Growth"][ref].comment = openpyxl.comments.Comment("Sue:\ncheck with finance", "Sue")
    wb.save(book)
    out = tmp_path / "out"
    import_book(book, out, validate)
    text = (out / "growth_savings.toml").read_text(encoding="utf-8")
    assert '# Sue:\n# check with finance\nvalues = { "2021/22" = 3030, "2022/23" = 3685, "2023/24" = 4520,' in text
    # the values are an inline table: the note is written above it, the table's comment
    assert read_folder(out)[COMMENTS]["growth_savings.toml"][("lines", "G2", "values")].endswith("finance")


def test_a_year_column_inserted_without_its_group_joins_its_neighbours(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    export_edition(DEFAULT_EDITION, book)
    wb = openpyxl.load_workbook(book)
    growth = wb["Growth"]
    last = next(c for c in range(1, growth.max_column + 1) if growth.cell(4, c).value == "2024/25")
    growth.insert_cols(last + 1)
    growth.cell(4, last + 1).value = "2025/26"  # row 3 ("values") left blank, as a user would
    for r in range(5, growth.max_row + 1):
        growth.cell(r, last + 1).value = growth.cell(r, last).value
    wb.save(book)
    files, _ = read_book(book)
    assert files["growth_savings.toml"]["lines"]["G1"]["values"]["2025/26"] == 17200


def test_a_line_added_as_a_row_imports_and_runs(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    export_edition(DEFAULT_EDITION, book)
    wb = openpyxl.load_workbook(book)
    growth = wb["Growth"]
    header = {growth.cell(4, c).value: c for c in range(1, growth.max_column + 1)}
    row = growth.max_row + 1
    typed = {"code": "G9", "kind": "growth", "title": "Home to school transport", "programme": "growth",
             "2021/22": 100, "2022/23": 200, "2023/24": 300, "2024/25": 400,
             "doc": "mtfs_report", "ref": "para 17", "grep": "transport"}  # fmt: skip
    for name, value in typed.items():
        growth.cell(row, header[name]).value = value
    wb.save(book)
    out = tmp_path / "out"
    import_book(book, out, validate)
    result = run(load_scenario("baseline", edition=load_edition(out)))
    assert result.cumulative.loc["G9"].tolist() == [100, 200, 300, 400]


def test_a_formula_with_no_saved_value_is_reported_with_every_other_problem(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    export_edition(DEFAULT_EDITION, book)
    wb = openpyxl.load_workbook(book)
    formula, text = _cell_of(wb["Growth"], "G1", "2021/22"), _cell_of(wb["Growth"], "G2", "2023/24")
    wb["Growth"][formula] = "=6000+300"  # openpyxl saves no result: as a script would
    wb["Growth"][text] = "tbc"
    wb.save(book)
    with pytest.raises(InputError) as caught:
        import_book(book, tmp_path / "out", validate)
    assert caught.value.lines() == [
        f"{book}: Growth!{formula}: lines.G1.values.2021/22: expected a value: the formula has no saved result "
        "(open and save the book in Excel or LibreOffice, or type the figure), got '=6000+300'",
        f"{book}: Growth!{text}: lines.G2.values.2023/24: expected a number in £000, got 'tbc'",
    ]
    assert not (tmp_path / "out").exists()
