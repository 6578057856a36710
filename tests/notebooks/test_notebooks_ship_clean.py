"""The shipped notebooks carry no outputs (an nbstripout-style check, run in CI): running
them in JupyterLab must not leave results, execution counts or widget state in the
repository (``.ipynb_checkpoints/`` is ignored by git)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KEEP_METADATA = {"kernelspec", "language_info"}


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 4


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_ships_without_outputs(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        if cell.get("outputs"):
            dirty.append(f"cell {i}: outputs")
        if cell.get("execution_count") is not None:
            dirty.append(f"cell {i}: execution_count")
        if set(cell.get("metadata", {})) - {"tags"}:
            dirty.append(f"cell {i}: metadata {sorted(cell['metadata'])}")
    extra = set(nb.get("metadata", {})) - KEEP_METADATA
    if extra:
        dirty.append(f"notebook metadata {sorted(extra)} (widget state?)")
    assert not dirty, f"{path.name}: {dirty}; strip with `nbstripout {path.name}` before committing"


def test_checkpoints_are_ignored_by_git() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    probe = "notebooks/.ipynb_checkpoints/what_if-checkpoint.ipynb"
    found = subprocess.run(["git", "check-ignore", "-q", probe], cwd=ROOT, check=False)
    assert found.returncode == 0, ".ipynb_checkpoints/ must be in .gitignore"
