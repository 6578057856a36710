"""The README is what a newcomer needs first (at most 200 lines; the rest is in the site),
and its Python tour runs as written."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.paths import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_readme_is_short_and_points_to_the_site() -> None:
    assert len(README.splitlines()) <= 200
    assert "sphinx-build -W --keep-going -b html docs docs/_build/html" in README
    assert "## Questions it answers" in README


@pytest.mark.slow
def test_the_tour_runs_as_written() -> None:
    tour = re.search(r"## A ten-line tour[^\n]*\n\n```python\n(.*?)```", README, re.S)
    assert tour is not None
    code = tour.group(1)
    assert len(code.strip().splitlines()) <= 10
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
