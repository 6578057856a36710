"""Figures marked "to update": what a rolled-forward edition still needs from the new papers.

``mtfs edition new`` writes the text ``"to update"`` wherever a figure must come from next
year's papers (a new year of a line, the opening budget, a headline's figure ...).  The
loader refuses an edition holding one and names every one of them, one line each, so
``mtfs run --edition FOLDER`` lists exactly what remains to enter.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from mtfs_model.base.errors import Problem

TO_UPDATE = "to update"
EXPECTED = "the figure from the new papers"


def key_text(path: tuple[str | int, ...]) -> str:
    """A key as the loader's messages write it: ``lines.G1.values.2025/26``, ``rows[0].value``."""
    out = ""
    for seg in path:
        out += f"[{seg}]" if isinstance(seg, int) else (f".{seg}" if out else str(seg))
    return out


def marked(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Paths of every value ``"to update"`` under ``node``, in file order."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from marked(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from marked(v, (*path, i))
    elif isinstance(node, str) and node.strip().lower() == TO_UPDATE:
        yield path


def marker_problems(folder: str | Path, files: Mapping[str, Any]) -> list[Problem]:
    """One problem per figure still marked "to update" in an edition's files."""
    return [
        Problem(str(Path(folder) / name), key_text(p), EXPECTED, TO_UPDATE)
        for name, tree in files.items()
        for p in marked(tree)
    ]
