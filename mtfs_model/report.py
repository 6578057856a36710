"""Reporting: tables as a finance partner reads them, and safe file output.

GBP000 with thousands separators, fiscal years as ``2021/22``, negatives with a minus
sign as the papers print savings.  CSV and JSON are deterministic byte for byte (fixed
decimals, fixed key order); every file is written to a temporary name and renamed, so
nothing half-written is ever left on disk.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

FORMATS = ("table", "csv", "json", "markdown")
DECIMALS = 3  # GBP000 to the pound in CSV/JSON


def money(x: Any) -> str:
    """``-13200.0`` -> ``-13,200``; leaves text alone; infinite -> ``never``."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return str(x)
    if math.isinf(x):
        return "never"
    return f"{x:,.0f}"


def _cell(column: str, x: Any) -> str:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return str(x)
    if math.isinf(x):
        return "never"
    if any(k in column for k in ("payback", "life_years")):
        return f"{x:,.2f}"
    if column in ("occupancy", "irr", "discount_rate") or column.endswith("_pct"):
        return f"{x:.1%}"
    if column in ("tolerance", "difference", "expected", "actual") and abs(x) < 100 and not float(x).is_integer():
        return f"{x:,.3f}"
    return money(x)


def display_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with every cell formatted as text for reading (money, %, years)."""
    out = df.copy().astype(object)
    for col in df.columns:
        out[col] = [_cell(str(col), v) for v in df[col]]
    return out


def _plain(x: Any) -> Any:
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if hasattr(x, "item"):
        x = x.item()
    if isinstance(x, float):
        if math.isinf(x):
            return None
        return round(x, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    return x


def to_text(df: pd.DataFrame, fmt: str = "table", title: str | None = None) -> str:
    """Render one table as ``table``, ``csv``, ``json`` or ``markdown``."""
    if fmt not in FORMATS:
        raise ValueError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    index_name = df.index.name or ""
    if fmt == "csv":
        flat = df.reset_index()
        for col in flat.columns:
            flat[col] = [_plain(v) for v in flat[col]]
        return str(flat.to_csv(index=False, lineterminator="\n", float_format=f"%.{DECIMALS}f"))
    if fmt == "json":
        records = [
            {index_name or "index": _plain(i), **{str(c): _plain(v) for c, v in row.items()}}
            for i, row in zip(df.index, df.to_dict(orient="records"), strict=True)
        ]
        return json.dumps({"title": title, "rows": records}, indent=2, ensure_ascii=False) + "\n"
    shown = display_frame(df)
    if fmt == "markdown":
        head = [str(index_name), *map(str, shown.columns)]
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * len(shown.columns)) + "|"]
        for i, row in shown.iterrows():
            lines.append("| " + " | ".join([str(i), *(str(v) for v in row)]) + " |")
        text = "\n".join(lines) + "\n"
        return (f"### {title}\n\n" if title else "") + text
    body = _aligned(df, shown)
    return (f"{title}\n{'=' * len(title)}\n" if title else "") + body + "\n"


def _aligned(df: pd.DataFrame, shown: pd.DataFrame) -> str:
    """Plain-text grid: labels and text columns left-aligned, figures right-aligned."""
    numeric = {str(c) for c in df.select_dtypes("number").columns}
    header = [str(df.index.name or ""), *map(str, shown.columns)]
    rows = [[str(i), *map(str, row)] for i, row in zip(shown.index, shown.itertuples(index=False), strict=True)]
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
    right = [False, *(str(c) in numeric for c in shown.columns)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path`` and rename it into place.

    If ``write`` raises, the temporary file is removed and ``path`` is left untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        # mkstemp creates the file 0600; give it the permissions a plain open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` atomically (UTF-8, ``\\n`` line ends)."""

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8", newline="\n")

    return atomic_write(path, write)
