"""Printed labels for the engine's tables: ids in, the edition's labels out (display only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from mtfs_model.engine.run import Result

CAPITAL_TABLES = ("capital_programme", "capital_financing")


def row_labels(result: Result, name: str) -> dict[str, str]:
    """``{row id: printed label}`` for table ``name`` of ``result``."""
    ed = result.edition
    frame: pd.DataFrame = result.key_figures() if name == "key_figures" else getattr(result, name)
    ids = [str(i) for i in frame.index]
    if name == "revenue":
        return {i: ed.label("revenue", i) for i in ids}
    if name in ("cumulative", "in_year"):
        return {i: ed.line_label(i) for i in ids}
    if name == "high_needs":
        return {i: ed.hn_label(i) for i in ids}
    if name in CAPITAL_TABLES:
        blocks = ed.capital["programme"].get("blocks", {})
        return {i: blocks[i]["label"] if i in blocks else ed.label("capital", i) for i in ids}
    if name in ("cip", "cip_cash"):
        props = ed.cip.get("properties", {})
        return {i: props[i]["name"] if i in props else ("All properties" if i == "all" else i) for i in ids}
    return {i: i for i in ids}


def labelled(result: Result, name: str) -> pd.DataFrame:
    """Table ``name`` with printed labels in place of row ids (index named ``row``)."""
    frame: pd.DataFrame = result.key_figures() if name == "key_figures" else getattr(result, name)
    if isinstance(frame.index, pd.MultiIndex):
        return frame
    mapping = row_labels(result, name)
    out = frame.rename(index=lambda i: mapping.get(str(i), str(i)))
    return out
