"""Reporting: tables as a finance partner reads them (files are written by
:mod:`mtfs_model.base.output`).

GBP000 with thousands separators, fiscal years as ``2021/22``, negatives with a minus
sign as the papers print savings.  CSV and JSON are deterministic byte for byte (fixed
decimals, fixed key order) and hold only finite numbers: a NaN or an infinity is refused
with an :class:`~mtfs_model.base.errors.InputError` naming the table and cell, so JSON is
always valid JSON.  The one exception is a **payback column** (a name containing
``payback``, in years): infinity there means *never pays back*, shown ``never`` in the
``table`` and ``markdown`` formats and written as ``null`` in JSON and an empty cell in
CSV.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import textwrap
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from mtfs_model.base.args import FORMATS
from mtfs_model.base.errors import InputError
from mtfs_model.base.rounding import number, pct
from mtfs_model.base.terminal import figures_only, fit, terminal_width, wrap_paragraphs

__all__ = [
    "display_frame",
    "fit",
    "money",
    "safe_cell",
    "stop_progress_bars",
    "tables_text",
    "terminal_progress",
    "terminal_width",
    "to_text",
]

DECIMALS = 3  # GBP000 to the pound in CSV/JSON


def money(x: Any) -> str:
    """``-13200.0`` -> ``-13,200``; leaves text alone; infinite -> ``never``."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return str(x)
    return number(x)


def _cell(column: str, x: Any) -> str:
    if isinstance(x, bool | np.bool_):
        return "yes" if x else "no"
    if not isinstance(x, int | float):
        return str(x)
    if math.isinf(x):
        return "never"
    if any(k in column for k in ("payback", "life_years")):
        return number(x, 2)
    if column in ("occupancy", "irr", "discount_rate") or column.endswith("_pct"):
        return pct(x)
    if column in ("tolerance", "difference", "expected", "actual") and abs(x) < 100 and not float(x).is_integer():
        return number(x, 3)
    return money(x)


def display_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with every cell formatted as text for reading (money, %, years)."""
    out = df.copy().astype(object)
    for col in df.columns:
        out[col] = [_cell(str(col), v) for v in df[col]]
    return out


def never_column(column: str) -> bool:
    """A payback column (years): infinity there means *never pays back*."""
    return "payback" in column


def _plain(x: Any, where: str, column: str) -> Any:
    """A cell as JSON/CSV holds it: rounded to :data:`DECIMALS`, only finite numbers
    (payback infinities -> None); anything else raises :class:`InputError` at ``where``."""
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, float):
        if math.isinf(x) and never_column(column):
            return None
        if not math.isfinite(x):
            raise InputError("(output)", where, "a finite number", x)
        return round(x, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    return x


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula (OWASP, CSV injection)."""


_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
"""A number written as text (``-0.028``, ``+5``, ``1e-3``): a spreadsheet reads it as that
number and nothing else, so it needs no guard."""


def safe_cell(x: Any) -> Any:
    """A text cell a spreadsheet would read as a formula (it starts with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return) with a ``'`` before it, as OWASP's CSV
    injection guidance says; numbers -- and text that is only a number, ``-0.028`` -- are
    left alone, so they read back as numbers.  A carriage return inside text becomes a line
    feed, so the cell is quoted and reads back as one cell."""
    if not isinstance(x, str):
        return x
    if x.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(x):
        x = "'" + x
    return x.replace("\r\n", "\n").replace("\r", "\n") if "\r" in x else x


def _records(df: pd.DataFrame, table: str) -> list[dict[str, Any]]:
    """Rows as plain dicts, the index first (``index`` if unnamed), every cell checked."""
    index_name = str(df.index.name or "index")
    records = []
    for i, row in zip(df.index, df.to_dict(orient="records"), strict=True):
        record = {index_name: _plain(i, f"{table}.{index_name}", index_name)}
        for c, v in row.items():
            record[str(c)] = _plain(v, f"{table}.{i}.{c}", str(c))
        records.append(record)
    return records


def to_text(
    df: pd.DataFrame,
    fmt: str = "table",
    title: str | None = None,
    *,
    name: str | None = None,
    labels: Mapping[str, str] | None = None,
    width: int | None = None,
) -> str:
    """Render one table as ``table``, ``csv``, ``json`` or ``markdown``.

    ``table`` and ``markdown`` are for reading: ``labels`` maps column (and index) names
    to words, and a ``table`` fits ``width`` columns (default :func:`terminal_width`,
    see :func:`fit`).  CSV and JSON keep the names, for programs.

    ``name`` (else ``title``) names the table in the error a non-finite cell raises in
    CSV or JSON: ``(output): <name>.<row>.<column>: expected a finite number, got nan``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    index_name = df.index.name or ""
    table = name or title or "table"
    if fmt == "csv":
        flat = df.reset_index()
        for col in flat.columns:
            where = [f"{table}.{i}.{col}" for i in df.index]
            flat[col] = [safe_cell(_plain(v, w, str(col))) for v, w in zip(flat[col], where, strict=True)]
        flat.columns = pd.Index([safe_cell(str(c)) for c in flat.columns])
        return str(flat.to_csv(index=False, lineterminator="\n", float_format=f"%.{DECIMALS}f"))
    if fmt == "json":
        doc = {"title": title, "rows": _records(df, table)}
        return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if df.empty:  # an empty state is a sentence, never a bare header
        sentence = "Nothing to show: the edition or scenario has no rows for this table."
        if fmt == "markdown":
            return (f"### {title}\n\n" if title else "") + sentence + "\n"
        return (f"{title}\n{'=' * min(len(title), terminal_width())}\n" if title else "") + sentence + "\n"
    shown = display_frame(df)
    words = dict(labels or {})
    if isinstance(df.index, pd.MultiIndex):  # ("G1", "2021/22") reads "G1 2021/22" under "line year"
        index_name = " ".join(w for n in df.index.names if n is not None and (w := words.get(str(n), str(n))))
        shown.index = pd.Index([" ".join(map(str, i)) for i in df.index], name=index_name)
    if words:
        shown.columns = pd.Index([words.get(str(c), str(c)) for c in shown.columns])
        index_name = words.get(str(index_name), str(index_name))
        shown.index.name = index_name
    if fmt == "markdown":
        head = [str(index_name), *map(str, shown.columns)]
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * len(shown.columns)) + "|"]
        for i, row in shown.iterrows():
            lines.append("| " + " | ".join([str(i), *(str(v) for v in row)]) + " |")
        text = "\n".join(lines) + "\n"
        return (f"### {title}\n\n" if title else "") + text
    body = _aligned(df, shown, width)
    if not title:
        return body + "\n"
    lines = textwrap.wrap(title, width or terminal_width(), break_long_words=False) or [title]
    return "\n".join(lines) + "\n" + "=" * max(len(x) for x in lines) + "\n" + body + "\n"


def tables_text(
    head: str,
    frames: Mapping[str, pd.DataFrame],
    titles: Mapping[str, str],
    fmt: str,
    meta: Mapping[str, Any],
    lead: str = "",
    after: Mapping[str, Any] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
) -> str:
    """Several titled tables as one text: JSON one object (``meta`` first, each table by
    name, then ``after``), CSV blocks each under a ``# title`` line, or the tables one after
    another under ``head`` (bold in markdown) and an optional ``lead`` paragraph."""
    if fmt == "json":
        body = {k: json.loads(to_text(df, "json", titles[k], name=k)) for k, df in frames.items()}
        return json.dumps({**meta, **body}, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "csv":
        return f"# {head}\n" + "".join(
            f"# {titles[k]}\n" + to_text(df, "csv", name=k) + "\n" for k, df in frames.items()
        )
    text = "\n".join(to_text(df, fmt, titles[k], name=k, labels=labels) for k, df in frames.items())
    top = f"**{head}**\n\n" if fmt == "markdown" else f"{head}\n\n"
    if lead and fmt == "table":
        lead = wrap_paragraphs(lead)  # each bullet its own paragraph, wrapped to the terminal
    return top + (lead + "\n\n" if lead else "") + text


def _aligned(df: pd.DataFrame, shown: pd.DataFrame, width: int | None = None) -> str:
    """A text grid that fits ``width`` (:func:`fit`): labels and text left-aligned,
    figures right-aligned."""
    numeric = [pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in df.columns]
    header = [str(shown.index.name or ""), *map(str, shown.columns)]
    rows = [[str(i), *map(str, row)] for i, row in zip(shown.index, shown.itertuples(index=False), strict=True)]
    right = [False, *(n or _figures(shown.iloc[:, k]) for k, n in enumerate(numeric))]
    return fit(header, rows, right, width)


def _figures(column: pd.Series) -> bool:
    """A text column that holds figures (``1,234``, ``-0.785``, ``12.5%``, ``never``, ``n/a``):
    :func:`~mtfs_model.base.terminal.figures_only`."""
    return figures_only([str(v) for v in column])


# --- Progress on a terminal ---------------------------------------------------------------


def terminal_progress(what: str, stream: Any = None) -> Callable[[int, int], None] | None:
    """A ``progress(done, total)`` callback drawing a progress bar (rich) on ``stream``
    (standard error) when it is a terminal; None when it is not (a pipe, a file, CI),
    so logs stay quiet.  The bar disappears when ``done`` reaches ``total``."""
    import sys

    out = stream if stream is not None else sys.stderr
    if not (hasattr(out, "isatty") and out.isatty()):
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    state: dict[str, Any] = {}

    def progress(done: int, total: int) -> None:
        if "bar" not in state:
            bar = Progress(
                TextColumn(what),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(file=out),
                transient=True,
            )
            bar.start()
            ACTIVE_BARS.append(bar)
            state["bar"], state["task"] = bar, bar.add_task(what, total=total)
        state["bar"].update(state["task"], completed=done, total=total)
        if done >= total:
            bar = state.pop("bar")
            bar.stop()
            ACTIVE_BARS.remove(bar)

    return progress


ACTIVE_BARS: list[Any] = []
"""Progress bars on the terminal now (:func:`terminal_progress`)."""


def stop_progress_bars() -> None:
    """Take every progress bar off the terminal (and give the cursor back): before an
    error line, after Ctrl-C or a failure stopped the work mid-bar."""
    while ACTIVE_BARS:
        with contextlib.suppress(Exception):
            ACTIVE_BARS.pop().stop()
