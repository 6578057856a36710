"""The three-scenario Newton brief prints on A4: at most eight pages, nothing wider than
the page.  Checked with headless Chromium (skipped, and marked so, where it is not
installed: ``apt-get install -y chromium``); the page count from ``pdfinfo`` if poppler
is there, else from the PDF's page objects."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mtfs_model.cli.main import main
from tests.brief.printed import POPPLER, chromium_pdf, page_fills

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = [pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed"), pytest.mark.slow]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
A4_TEXT_WIDTH_PX = 695
"""A4's 210 mm less the page margins (13 mm each side) at 96 CSS pixels an inch."""
MAX_PAGES = 8


@pytest.fixture(scope="module")
def newton_brief(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("print") / "brief.html"
    with contextlib.redirect_stderr(io.StringIO()):  # the default --n: 100,000 trajectories a scenario
        code = main(
            ["brief", "newton_guarantee", "newton_estimate", "newton_stretch", "-o", str(out), "--date", "2021-03-09"]
        )
    assert code == 0
    return out


def chromium(*args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run([CHROMIUM, *FLAGS, *args], capture_output=True, text=True, timeout=timeout, check=False)


def page_count(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes()))


def test_the_newton_brief_prints_on_at_most_eight_a4_pages(newton_brief: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "brief.pdf"
    chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", newton_brief.as_uri())
    assert pdf.is_file() and pdf.stat().st_size > 10_000
    pages = page_count(pdf)
    assert 1 < pages <= MAX_PAGES, pages
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())  # type: ignore[union-attr]
        assert abs(width - 595) < 2 and abs(height - 842) < 2  # A4 in points, from the page's @page rule


PROBE = """<script>
window.addEventListener('load', () => {
  const limit = document.documentElement.clientWidth + 1;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > limit)
    .map(el => el.tagName + '.' + (el.className || '') + ':' + Math.round(el.getBoundingClientRect().right));
  document.title = 'OVERFLOW[' + wide.slice(0, 8).join(' ') + ']' + wide.length;
});
</script>"""


def test_nothing_is_wider_than_the_page(newton_brief: Path, tmp_path: Path) -> None:
    """The print rules applied on a screen as wide as an A4 page's text: no element ends
    past its right edge (a probe script is added to a copy; the brief itself has none)."""
    page = newton_brief.read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    probe = page.replace("@media print{", "@media all{").replace("</body>", PROBE + "</body>")
    copy = tmp_path / "probe.html"
    copy.write_text(probe, encoding="utf-8")
    dom = chromium(
        "--dump-dom", "--virtual-time-budget=10000", f"--window-size={A4_TEXT_WIDTH_PX},1000", copy.as_uri()
    ).stdout
    found = re.search(r"<title>OVERFLOW\[(.*?)\](\d+)</title>", dom)
    assert found, dom[:300]
    assert found.group(2) == "0", found.group(1)


MIN_FILL = 0.6
"""Every page but the last is at least this full (tests/brief/printed.py: the lowest ink
in the page's body as a share of the body's height): no half-blank page."""
LAST_PAGE_WORDS = 40
"""The last page holds more than a heading: at least this many words."""


@pytest.mark.skipif(not POPPLER, reason="poppler's pdftoppm and pdftotext are not installed")
def test_no_page_is_half_blank(newton_brief: Path, tmp_path: Path) -> None:
    """Sections keep together without leaving a page empty (a chart's caption does not drag
    the next chart with it; a table's "the same in every scenario" line stays with its
    table), and the last page holds more than a heading."""
    pdf = chromium_pdf(newton_brief, tmp_path / "brief.pdf")
    fills = [round(f, 2) for f in page_fills(pdf, tmp_path)]
    assert len(fills) > 2
    assert all(f >= MIN_FILL for f in fills[:-1]), fills
    last = subprocess.run(
        ["pdftotext", "-f", str(len(fills)), "-l", str(len(fills)), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert len(last.split()) >= LAST_PAGE_WORDS, last
