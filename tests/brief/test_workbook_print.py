"""The auditor workbook printed by LibreOffice (headless, every sheet with its own print
setup) as a reader sees it: no word printed over another (a row too short for its
wrapped text overprints the next row), and every header word there to read (a
two-line header in a one-line row loses a line).  Skipped where LibreOffice or poppler
is not installed (``apt-get install -y libreoffice-calc-nogui poppler-utils``)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mtfs_model.brief import build as brief
from mtfs_model.brief.xlsx import HEADER_ROW, LINE_HEIGHT
from tests.brief.printed import POPPLER, SOFFICE, overprints, soffice_pdf

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE is None or not POPPLER, reason="LibreOffice or poppler is not installed"),
]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Path]:
    folder = tmp_path_factory.mktemp("workbook")
    b = brief.build(["newton_guarantee", "newton_estimate", "newton_stretch"], run_date="2021-03-09", risk_n=2000)
    book = folder / "brief.xlsx"
    book.write_bytes(brief.workbook(b))
    return book.read_bytes(), soffice_pdf(book, folder)


def test_no_word_is_printed_over_another(printed: tuple[bytes, Path]) -> None:
    _, pdf = printed
    found = overprints(pdf)
    assert not found, found[:10]


def test_every_header_word_is_printed(printed: tuple[bytes, Path]) -> None:
    data, pdf = printed
    words = set(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    book = load_workbook(io.BytesIO(data))
    for name in ("Summary", "Reconciliation findings", "Guarantee summary"):
        ws = book[name]
        for c in ws[HEADER_ROW]:
            if isinstance(c.value, str):
                missing = [w for w in c.value.split() if w not in words]
                assert not missing, (name, c.coordinate, c.value, missing)
        # the header row is tall enough for its wrapped lines (Summary!I4 has three)
        assert (ws.row_dimensions[HEADER_ROW].height or 0) >= 2 * LINE_HEIGHT, name
