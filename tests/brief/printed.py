"""Measuring what a reader sees on paper: the brief printed by headless Chromium, the
workbook printed by LibreOffice, each page rendered by poppler (``pdftoppm``,
``pdftotext -bbox``).  Used by tests/brief/test_brief_print.py and tools/print_check.py.

* :func:`page_fills` -- how full each page is: the lowest ink in the page's body (the
  margins and the page number left out) as a share of the body's height.
* :func:`overprints` -- words printed over other words (a row too short for its wrapped
  text, a header running into the next column).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = shutil.which("pdftoppm") is not None and shutil.which("pdftotext") is not None
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
A4_HEIGHT_MM = 297.0
TOP_MM, BOTTOM_MM = 14.0, 15.0
"""The brief's ``@page`` margins (mtfs_model/brief/css.py): the body lies between them;
the page number sits in the bottom margin."""
INK = 200
"""A pixel darker than this (0-255 grey) is ink."""


def chromium_pdf(html: Path, pdf: Path, timeout: int = 180) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium (no header or footer of its own)."""
    assert CHROMIUM is not None, "headless Chromium is not installed"
    cmd = [CHROMIUM, *FLAGS, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", html.resolve().as_uri()]
    subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    assert pdf.is_file(), f"Chromium wrote no {pdf}"
    return pdf


def soffice_pdf(book: Path, folder: Path, timeout: int = 240) -> Path:
    """Print a workbook to PDF with LibreOffice headless (every sheet, its print setup)."""
    assert SOFFICE is not None, "LibreOffice is not installed"
    profile = folder / "lo-profile"  # a profile of its own: no clash with another soffice
    cmd = [SOFFICE, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--convert-to", "pdf"]
    subprocess.run([*cmd, "--outdir", str(folder), str(book)], capture_output=True, timeout=timeout, check=False)
    pdf = folder / (book.stem + ".pdf")
    assert pdf.is_file(), f"LibreOffice wrote no {pdf}"
    return pdf


def page_images(pdf: Path, folder: Path, dpi: int = 50) -> list[Path]:
    """Each page of ``pdf`` as a PNG (``pdftoppm``), in page order."""
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def page_fill(png: Path) -> float:
    """How full a brief page is (0-1): from the top of its body to the lowest ink in it, as a
    share of the body's height (the body: between the ``@page`` margins)."""
    from PIL import Image

    a = np.asarray(Image.open(png).convert("L"))
    h = a.shape[0]
    top, bottom = int(h * TOP_MM / A4_HEIGHT_MM), int(h * (A4_HEIGHT_MM - BOTTOM_MM) / A4_HEIGHT_MM)
    body = a[top:bottom]
    ink = np.where((body < INK).any(axis=1))[0]
    return float(ink.max() + 1) / body.shape[0] if len(ink) else 0.0


def page_fills(pdf: Path, folder: Path, dpi: int = 50) -> list[float]:
    """:func:`page_fill` of every page of ``pdf``."""
    return [page_fill(p) for p in page_images(pdf, folder, dpi)]


WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)


def overprints(pdf: Path, share: float = 0.3) -> list[tuple[int, str, str]]:
    """Words printed over other words: (page, word, word) for each pair whose boxes
    (``pdftotext -bbox``) overlap by more than ``share`` of the smaller box's area."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found: list[tuple[int, str, str]] = []
    for n, page in enumerate(PAGE.findall(xml), start=1):
        words = WORD.findall(page)
        if len(words) < 2:
            continue
        box = np.array([[float(w[i]) for i in range(4)] for w in words])
        x0, y0, x1, y1 = (box[:, i] for i in range(4))
        wide = np.clip(np.minimum(x1[:, None], x1[None, :]) - np.maximum(x0[:, None], x0[None, :]), 0, None)
        tall = np.clip(np.minimum(y1[:, None], y1[None, :]) - np.maximum(y0[:, None], y0[None, :]), 0, None)
        area = (x1 - x0) * (y1 - y0)
        smaller = np.minimum(area[:, None], area[None, :])
        over = np.triu(wide * tall > share * np.maximum(smaller, 1e-9), k=1)
        found += [(n, words[i][4], words[j][4]) for i, j in zip(*np.nonzero(over), strict=True)]
    return found
