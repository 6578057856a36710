"""The hostile-workbook corpus: each file of ``tests/hostile_workbooks/`` is ONE change to the
bundled edition's workbook (``tools/make_hostile_workbooks.py`` makes them and writes the
lines each must print).  ``mtfs edition import FILE -o FOLDER`` gives exit 2 with exactly those
``error:`` lines (or exit 0 where the workbook is sound), no warning, no traceback, and leaves
nothing on disk; in a subprocess its peak memory stays far below 500 MiB.  The timings are
printed by ``benchmarks/bench_hostile_workbooks.py`` (not asserted here).
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
import warnings
from pathlib import Path
from typing import Any

import pytest

from mtfs_model.cli.main import main

CORPUS = Path(__file__).resolve().parents[1] / "hostile_workbooks"
CASES: list[dict[str, Any]] = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))["case"]
KINDS = {  # the corpus covers every kind of hostile or broken workbook the issue names
    "zip bomb": ("zip_bomb_sheet", "zip_bomb_ratio", "junk_rows_no_refs"),
    "huge sheet": ("junk_rows_below_table", "junk_rows_no_dimension", "huge_dimension"),
    "far-away cell": ("far_cell", "far_cell_beyond_excel", "far_cell_lying_dimension"),
    "truncated or malformed XML": ("truncated_sheet_xml", "malformed_sheet_xml", "truncated_zip"),
    "entities": ("billion_laughs", "external_entity", "external_entity_workbook"),
    "encrypted and .xls": ("encrypted_workbook", "old_xls", "old_xls_named_xlsx"),
    "missing and renamed sheets": ("missing_growth_sheet", "sheet_part_missing", "renamed_growth_sheet"),
    "cells": ("error_cell", "boolean_for_number", "date_for_number", "inline_string_text", "nan_in_number_xml"),
    "formulas": ("formula_other_book", "formula_webservice", "formula_now", "formula_dde"),
    "macro part": ("macro_part",),
}


def test_corpus_is_large_small_and_complete() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) >= 40 and len(set(ids)) == len(ids)
    files = {p.name for p in CORPUS.iterdir() if p.suffix in (".xlsx", ".xls")}
    assert files == {c["file"] for c in CASES}
    assert sum((CORPUS / f).stat().st_size for f in files) < 5 * 2**20
    for kind, needed in KINDS.items():
        assert set(needed) <= set(ids), kind
    for case in CASES:  # a refusal names what was expected; a sound book prints no error
        assert (case["exit"] == 2) == bool(case["lines"]), case["id"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_hostile_workbook(case: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = CORPUS / case["file"]
    out = tmp_path / "edition"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a library's warning is a failure, not a line for the user
        code = main(["edition", "import", str(book), "-o", str(out)])
    stdout, stderr = capsys.readouterr()
    assert code == case["exit"], stderr
    expected = [f"error: {line.replace('BOOK', str(book))}" for line in case["lines"]]
    assert stderr.splitlines() == expected
    if code == 2:
        assert stdout == "" and list(tmp_path.iterdir()) == []  # nothing half-written, nothing hidden
    else:
        assert stdout.startswith(f"wrote {out}") and [p.name for p in tmp_path.iterdir()] == ["edition"]


# The peak is read from /proc/self/status (VmHWM, this process image's own high-water mark):
# Linux carries ru_maxrss across fork and exec, so a child of a large pytest process would
# report its parent's peak (561 MiB for an empty file under the whole suite).
PEAK_SCRIPT = """
import resource, sys, tempfile
from pathlib import Path
from mtfs_model.cli.main import main
with tempfile.TemporaryDirectory() as tmp:
    main(["edition", "import", sys.argv[1], "-o", str(Path(tmp) / "out")])
status = Path("/proc/self/status")
lines = status.read_text().splitlines() if status.exists() else []
hwm = [int(line.split()[1]) for line in lines if line.startswith("VmHWM:")]
print(hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_kib(book: Path) -> int:
    done = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, str(book)], capture_output=True, text=True, check=False, timeout=600
    )
    return int(done.stdout.split()[-1])


@pytest.mark.slow  # a fresh process for each workbook of the corpus (about a second each)
def test_corpus_peak_memory_in_a_subprocess() -> None:
    """Each case in a fresh process, as a user meets it: its peak resident memory (with the
    libraries loaded) stays under 500 MiB.  One process for all 65 would measure what the
    allocator keeps between imports, not what any one workbook needs."""
    from concurrent.futures import ThreadPoolExecutor

    books = [CORPUS / case["file"] for case in CASES]
    with ThreadPoolExecutor(max_workers=2) as pool:
        peaks = dict(zip(books, pool.map(_peak_kib, books), strict=True))
    over = {b.name: f"{kib / 1024:.0f} MiB" for b, kib in peaks.items() if kib >= 500 * 1024}
    assert not over, over


@pytest.mark.slow  # rebuilds the corpus from the export (about 10 s)
def test_corpus_is_what_the_script_makes(tmp_path: Path) -> None:
    """The committed corpus is the generator's: the same files and the same expected lines
    (the bytes follow the export, which may change; the lines each file must print are
    asserted on the committed files above)."""
    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [sys.executable, str(root / "tools" / "make_hostile_workbooks.py"), "--out", str(tmp_path)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in CORPUS.iterdir())
    assert (tmp_path / "cases.toml").read_text(encoding="utf-8") == (CORPUS / "cases.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("formula", "refused"),
    [
        ("=6000+300", None),
        ("=ROUND(Growth!H5/1000,1)", None),
        ("='High Needs'!B9*1000", None),
        ("=SUM(Table1[Amount])+Sheet2!A1", None),  # a table's column, then another sheet: both in the book
        ('="as at NOW()"', None),  # a name inside quotes is not a call
        ("=NOWHERE(1)", None),
        ("=[1]Sheet1!A1", "another workbook"),
        ("='[budget.xlsx]Growth'!G5", "another workbook"),
        ("=[2]!Total", "another workbook"),
        ('=_xlfn.WEBSERVICE("https://example.org")', "WEBSERVICE"),
        ('=FILTERXML(A1,"//x")', "FILTERXML"),
        ('=RTD("server",,"x")', "RTD"),
        ("=cmd|'/c calc'!A0", "another program"),
        ("=today()+1", "TODAY"),
        ("=RANDBETWEEN(1,2)", "RANDBETWEEN"),
        ("=SUM(OFFSET(A1,0,0,3))", "OFFSET"),
        ('=INDIRECT("A"&ROW())', "INDIRECT"),
    ],
)
def test_which_formulas_are_refused(formula: str, refused: str | None) -> None:
    from mtfs_model.edition.workbook.container import formula_problem

    why = formula_problem(formula)
    assert (why is None) if refused is None else (why is not None and refused in why), why


def test_a_book_past_its_time_budget_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mtfs_model.base.errors import InputError
    from mtfs_model.edition.workbook import container
    from mtfs_model.edition.workbook.importer import read_book

    sound = CORPUS / next(c["file"] for c in CASES if c["id"] == "extra_sheet")
    monkeypatch.setattr(container, "TIME_BUDGET", 0.0)
    with pytest.raises(InputError) as err:
        read_book(sound)
    (line,) = err.value.lines()
    assert line.startswith(f"{sound}: (file): expected a workbook read within 0 s, got still reading xl/"), line
