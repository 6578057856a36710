"""``mtfs edition new``: next year's edition, with every figure the new papers must give
marked "to update" and named by ``mtfs run`` and by the workbook import."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from mtfs_model.base.errors import InputError
from mtfs_model.cli.main import main
from mtfs_model.edition.folder import DEFAULT_EDITION, load_edition
from mtfs_model.edition.markers import TO_UPDATE
from mtfs_model.edition.workbook.export import read_folder
from mtfs_model.edition.workbook.importer import import_book
from mtfs_model.edition.workbook.rollforward import parse_years
from mtfs_model.engine.run import run
from mtfs_model.scenarios.load import load_scenario

from .test_workbook import validate

NEW = ["2022/23", "2023/24", "2024/25", "2025/26", "2026/27"]


def test_parse_years() -> None:
    assert parse_years("2022/23..2026/27") == NEW
    for bad in ("2022/23-2026/27", "2026/27..2022/23", "2022/24..2026/27", "2000/01..2030/31"):
        with pytest.raises(InputError):
            parse_years(bad)


@pytest.fixture(scope="module")
def rolled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("new")
    out, book = tmp / "cfs_2022_23", tmp / "next.xlsx"
    code = main(["edition", "new", "--from", str(DEFAULT_EDITION), "--years", "2022/23..2026/27",
                 "-o", str(out), "--xlsx", str(book)])  # fmt: skip
    assert code == 0
    return out, book


def test_keeps_carries_and_marks(rolled: tuple[Path, Path]) -> None:
    out, _ = rolled
    old, new = read_folder(DEFAULT_EDITION), read_folder(out)
    ed = new["edition.toml"]
    assert ed["horizon"] == {"years": NEW, "base_year": "2021/22", "appraisal_last_year": "2031/32"}
    assert ed["edition"]["id"] == "cfs-2022-23"
    assert ed["edition"]["title"] == "Children and Family Services MTFS 2022/23–2026/27"
    assert ed["programmes"] == old["edition.toml"]["programmes"]
    assert ed["links"] == old["edition.toml"]["links"]
    assert new["sources.toml"] == old["sources.toml"]
    for code, line in old["growth_savings.toml"]["lines"].items():
        got = new["growth_savings.toml"]["lines"][code]
        # cumulative profiles re-based on 2021/22, now in the opening budget
        assert got["values"] == {
            **{y: line["values"][y] - line["values"]["2021/22"] for y in NEW[:3]},
            "2025/26": TO_UPDATE,
            "2026/27": TO_UPDATE,
        }
        assert got["title"] == line["title"] and got["programme"] == line["programme"]
    assert new["revenue.toml"]["roll_forward"]["original_prior_year_budget"] == TO_UPDATE
    assert new["cip.toml"]["properties"] == old["cip.toml"]["properties"]


def test_run_names_every_figure_to_update(rolled: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = rolled
    assert main(["run", "baseline", "--edition", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert all(e.endswith(f"expected the figure from the new papers, got '{TO_UPDATE}'") for e in err)
    for code in read_folder(DEFAULT_EDITION)["growth_savings.toml"]["lines"]:
        for year in ("2025/26", "2026/27"):
            assert sum(f"growth_savings.toml: lines.{code}.values.{year}:" in e for e in err) == 1
    assert any("revenue.toml: roll_forward.original_prior_year_budget:" in e for e in err)


def test_book_names_each_cell_to_update_then_imports_once_filled(rolled: tuple[Path, Path], tmp_path: Path) -> None:
    _, book = rolled
    with pytest.raises(InputError) as caught:
        import_book(book, tmp_path / "a", validate)
    lines = caught.value.lines()
    assert any(re.search(r": Growth![A-Z]+\d+: lines\.G1\.values\.2026/27: expected the figure", e) for e in lines)
    assert not (tmp_path / "a").exists()
    # the finance partner types the new figures (here: the last year's again) and imports
    wb = openpyxl.load_workbook(book)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value == TO_UPDATE:
                    left = ws.cell(c.row, c.column - 1).value
                    c.value = left if isinstance(left, int | float) and c.column > 2 else 0
                    if ws.cell(4, c.column).value in ("printed_total", "column"):
                        c.value = "0"  # text as printed (the schema refuses a number there)
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    import_book(filled, tmp_path / "b", validate)
    new, old = load_edition(tmp_path / "b"), load_edition(DEFAULT_EDITION)
    assert new.years == tuple(NEW)
    # each year both horizons share keeps its in-year growth and savings
    r_new, r_old = run(load_scenario("baseline", edition=new)), run(load_scenario("baseline", edition=old))
    for y in NEW[:3]:
        assert r_new.in_year[y].tolist() == r_old.in_year[y].tolist()
