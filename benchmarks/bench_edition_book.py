"""Benchmark (not a test): the edition as a workbook, in-process.

    python benchmarks/bench_edition_book.py                     # the bundled edition, 5 repeats
    python benchmarks/bench_edition_book.py --edition path/to/editions/other --repeats 3

Prints the median wall-clock seconds (and process CPU seconds) of writing the workbook (``export_edition``), of
reading it back (``read_book``: the container checks, then one bounded pass over each sheet's
XML for values, formulas and notes), of the whole import
(read, write the folder beside the target, load it as an edition, rename) of the book
as exported (each file written back as it was) and of the book with one figure changed
(that file patched with tomlkit), and of ``roll_forward`` plus the workbook of the new
edition; and the workbook's size.  The
libraries are imported once before timing.  It measures and reports; it does not assert.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mtfs_model.edition.folder import DEFAULT_EDITION, load_edition
from mtfs_model.edition.workbook.export import book_bytes, export_edition, read_folder
from mtfs_model.edition.workbook.importer import import_book, read_book
from mtfs_model.edition.workbook.rollforward import roll_forward


def median_seconds(fn: Callable[[int], object], repeats: int) -> tuple[float, float]:
    """Median wall-clock and process CPU seconds of ``fn(i)`` over ``repeats`` calls (CPU
    time is the steadier figure on a machine shared with other jobs)."""
    walls, cpus = [], []
    for i in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        fn(i)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _one_figure_changed(book: Path, out: Path) -> None:
    """``book`` with the first whole number on the Growth sheet's data rows one higher."""
    import openpyxl

    wb = openpyxl.load_workbook(book)
    ws = wb["Growth"]
    cell = next(c for row in ws.iter_rows(min_row=5) for c in row if type(c.value) is int)
    cell.value += 1
    wb.save(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edition", type=Path, default=DEFAULT_EDITION, help="an edition folder")
    parser.add_argument("--repeats", type=int, default=5, help="timed calls of each step (default 5)")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench_edition_book."))
    try:
        book = tmp / "book.xlsx"
        export_edition(args.edition, book)  # warm: imports XlsxWriter, openpyxl, pydantic
        import_book(book, tmp / "warm", load_edition)
        changed = tmp / "changed.xlsx"
        _one_figure_changed(book, changed)
        import_book(changed, tmp / "warm_changed", load_edition)
        files = read_folder(args.edition)
        years = list(files["edition.toml"]["horizon"]["years"])
        first = int(years[0][:4]) + 1
        new_years = [f"{y}/{(y + 1) % 100:02d}" for y in range(first, first + len(years))]
        rows = [
            (
                "export_edition (folder -> .xlsx)",
                median_seconds(lambda i: export_edition(args.edition, book), args.repeats),
            ),
            ("read_book (.xlsx -> data)", median_seconds(lambda i: read_book(book), args.repeats)),
            (
                "import_book (.xlsx -> checked folder)",
                median_seconds(lambda i: import_book(book, tmp / f"out{i}", load_edition), args.repeats),
            ),
            (
                "import_book, one figure changed",
                median_seconds(lambda i: import_book(changed, tmp / f"changed{i}", load_edition), args.repeats),
            ),
            (
                "roll_forward + its workbook",
                median_seconds(lambda i: book_bytes(roll_forward(files, new_years), ""), args.repeats),
            ),
        ]
        print(f"edition: {args.edition}  ({platform.python_implementation()} {platform.python_version()}, "
              f"{platform.machine()}, median of {args.repeats})")  # fmt: skip
        for name, (wall, cpu) in rows:
            print(f"  {name:<40} {wall:7.3f} s  (CPU {cpu:.3f} s)")
        print(f"  workbook size: {book.stat().st_size:,} bytes")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
