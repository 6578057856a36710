"""Scenarios side by side: one table of each result, and each one's difference from the first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import pandas as pd

from mtfs_model.base.errors import InputError
from mtfs_model.base.frames import Comparison
from mtfs_model.edition.folder import Edition
from mtfs_model.engine.run import Result, run, unique_names
from mtfs_model.scenarios.compose import as_scenario

__all__ = ["LABELLED", "compare", "table_of"]

LABELLED = ("revenue", "cumulative", "in_year", "high_needs", "capital_programme", "capital_financing", "cip_cash")
"""Tables shown with the edition's printed labels (ids stay in ``run()``'s DataFrames)."""


def flatten(items: Sequence[object]) -> list[object]:
    """Scenario arguments with lists and tuples opened (a string is one name, never its letters)."""
    out: list[object] = []
    for item in items:
        if isinstance(item, list | tuple):
            out.extend(flatten(item))
        else:
            out.append(item)
    return out


def table_of(result: Result, name: str) -> pd.DataFrame:
    """One named table of a result (``key_figures`` included), rows labelled as printed."""
    if name == "key_figures":
        return result.key_figures()
    if name not in Result.TABLES:
        raise InputError("(arguments)", "--table", "one of key_figures, " + ", ".join(Result.TABLES), name)
    frame: pd.DataFrame = result.labelled(name) if name in LABELLED else getattr(result, name)
    if name == "cip":
        frame = frame.drop(columns=["name"])
    return frame


def compare(*scenarios: object, table: str = "key_figures", edition: Edition | None = None) -> pd.DataFrame:
    """Scenarios side by side for one table, with each one's difference from the first.

    Each argument is anything :func:`mtfs_model.as_scenario` takes (a name, ``a+b``, a
    path, a Scenario, a dict) or a list or tuple of them:
    ``compare("baseline", "placement_unit_cost_plus_10pct")`` and
    ``compare(["baseline", "placement_unit_cost_plus_10pct"])`` are the same."""
    names = flatten(scenarios)
    if len(names) < 2:
        raise InputError("(arguments)", "scenarios", "at least two scenarios to compare", len(names))
    results = [run(as_scenario(n, edition=edition)) for n in names]
    frames = {
        key: table_of(r, table).select_dtypes("number") for key, r in zip(unique_names(results), results, strict=True)
    }
    first = next(iter(frames))
    parts = dict(frames)
    for key in list(frames)[1:]:
        diff = frames[key] - frames[first]
        for col in diff.columns:  # equal infinities (two paybacks both "never") differ by nothing
            same = (frames[key][col] == frames[first][col]) & diff[col].isna()
            if same.any():
                diff.loc[same, col] = 0.0
        parts[f"{key} - {first}"] = diff
    out = pd.concat(parts, axis=1)
    out.columns = pd.Index([f"{scen} | {col}" for scen, col in cast(list[tuple[str, str]], list(out.columns))])
    return Comparison(out)
