"""Print the Newton brief and its auditor workbook as a reader would, and measure them.

    python tools/print_check.py [OUTPUT_FOLDER]

Writes ``brief.html`` and ``brief.xlsx`` (``mtfs brief newton_guarantee newton_estimate
newton_stretch --date 2021-03-09``, the default 100,000 trajectories), prints the brief with
headless Chromium and the workbook with LibreOffice, renders every page to PNG (poppler)
for looking at, and prints:

* each brief page's fill: the lowest ink in the page's body as a share of the body's
  height (tests/brief/printed.py: ``page_fill``), and the words on the last page;
* the workbook's page count and every pair of words printed over each other.

Needs ``chromium``, ``soffice`` and ``pdftoppm``/``pdftotext`` on the PATH.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mtfs_model.cli.main import main as mtfs
from tests.brief.printed import chromium_pdf, overprints, page_fills, page_images, soffice_pdf

SCENARIOS = ["newton_guarantee", "newton_estimate", "newton_stretch"]


def run(folder: Path) -> None:
    html, book = folder / "brief.html", folder / "brief.xlsx"
    code = mtfs(["brief", *SCENARIOS, "-o", str(html), "--xlsx", str(book), "--date", "2021-03-09"])
    if code != 0:
        raise SystemExit(code)
    pages = folder / "brief-pages"
    pages.mkdir(exist_ok=True)
    pdf = chromium_pdf(html, folder / "brief.pdf")
    fills = page_fills(pdf, pages, dpi=70)
    last = subprocess.run(
        ["pdftotext", "-f", str(len(fills)), "-l", str(len(fills)), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    print(f"brief: {len(fills)} pages, PNGs in {pages}")
    for n, f in enumerate(fills, start=1):
        print(f"  page {n}: {f:.0%} full")
    print(f"  last page: {len(last)} words")
    sheets = folder / "workbook-pages"
    sheets.mkdir(exist_ok=True)
    wpdf = soffice_pdf(book, folder)
    n_pages = len(page_images(wpdf, sheets, dpi=60))
    found = overprints(wpdf)
    print(f"workbook (LibreOffice): {n_pages} pages, PNGs in {sheets}; words printed over others: {len(found)}")
    for page, a, b in found[:20]:
        print(f"  page {page}: {a!r} over {b!r}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        out = Path(sys.argv[1])
        out.mkdir(parents=True, exist_ok=True)
        run(out)
    else:
        with tempfile.TemporaryDirectory(prefix="mtfs-print-") as tmp:
            run(Path(tmp))
