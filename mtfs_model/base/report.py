"""Reporting: tables as a finance partner reads them, and safe file output.

GBP000 with thousands separators, fiscal years as ``2021/22``, negatives with a minus
sign as the papers print savings.  CSV and JSON are deterministic byte for byte (fixed
decimals, fixed key order) and hold only finite numbers: a NaN or an infinity is refused
with an :class:`~mtfs_model.base.errors.InputError` naming the table and cell, so JSON is
always valid JSON.  The one exception is a **payback column** (a name containing
``payback``, in years): infinity there means *never pays back*, shown ``never`` in the
``table`` and ``markdown`` formats and written as ``null`` in JSON and an empty cell in
CSV.

Every file is written by :func:`atomic_write`: to ``.NAME.mtfs-partial-<pid>-<random>``
in the target's own directory, flushed to disk, then renamed over the target, so nothing
half-written is ever left under the target's name.  The partial file is removed on any
exception (Ctrl-C included), and a later write to the same target removes partial files
a dead process left behind.  The directory must exist (it is never created), and a
directory, a device or pipe, or anything under ``/proc``, ``/sys`` or ``/dev`` is refused
before anything is written (:func:`output_problem`, :class:`OutputError`).
"""

from __future__ import annotations

import contextlib
import glob
import json
import math
import os
import secrets
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from mtfs_model.base.args import FORMATS
from mtfs_model.base.errors import InputError, OutputError

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


def to_text(df: pd.DataFrame, fmt: str = "table", title: str | None = None, *, name: str | None = None) -> str:
    """Render one table as ``table``, ``csv``, ``json`` or ``markdown``.

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
            flat[col] = [_plain(v, w, str(col)) for v, w in zip(flat[col], where, strict=True)]
        return str(flat.to_csv(index=False, lineterminator="\n", float_format=f"%.{DECIMALS}f"))
    if fmt == "json":
        doc = {"title": title, "rows": _records(df, table)}
        return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
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


def tables_text(
    head: str,
    frames: Mapping[str, pd.DataFrame],
    titles: Mapping[str, str],
    fmt: str,
    meta: Mapping[str, Any],
    lead: str = "",
    after: Mapping[str, Any] | None = None,
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
    text = "\n".join(to_text(df, fmt, titles[k], name=k) for k, df in frames.items())
    top = f"**{head}**\n\n" if fmt == "markdown" else f"{head}\n\n"
    return top + (lead + "\n\n" if lead else "") + text


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


# --- Writing files ------------------------------------------------------------------------

PARTIAL = ".mtfs-partial-"
"""Marks a file being written: ``.NAME.mtfs-partial-<pid>-<random>`` beside ``NAME``."""
SYSTEM_DIRS = ("/proc", "/sys", "/dev")
STALE_SECONDS = 3600
"""Where a writer's process cannot be checked (not POSIX): a partial file this old is stale."""


def output_problem(path: str | Path) -> str | None:
    """Why ``path`` cannot take an output file (the *expected* part of an error), or None.

    Refused: an empty name, a name ending in ``/``, a directory, an existing device,
    pipe or socket, anything under ``/proc``, ``/sys`` or ``/dev``, a directory that does
    not exist (it is never created), a parent that is a file, a read-only directory.
    """
    text = os.fspath(path)
    if not text or text.endswith(("/", os.sep)):
        return "a file name, not a directory"
    target = Path(text)
    try:
        real = target.resolve()
    except (OSError, RuntimeError):
        return "a file name that resolves (not a symlink loop)"
    if any(real == Path(d) or Path(d) in real.parents for d in SYSTEM_DIRS):
        return "a file outside " + ", ".join(SYSTEM_DIRS)
    if target.is_dir():
        return "a file name, not a directory"
    if target.exists() and not target.is_file():
        return "a regular file, not a device, pipe or socket"
    parent = target.parent
    if not parent.exists():
        return f"a file in an existing directory ({parent} does not exist)"
    if not parent.is_dir():
        return f"a file in a directory ({parent} is not a directory)"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"a file in a writable directory ({parent} is read-only)"
    return None


def check_output(path: str | Path, key: str = "-o/--output") -> Path:
    """``path`` as a Path if a file can be written there, else :class:`InputError`
    (``<path>: <key>: expected ...``): the command line's check before any work."""
    problem = output_problem(path)
    if problem:
        raise InputError(path, key, problem, show_got=False)
    return Path(path)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, someone else's
        return True
    return True


def _stale(partial: Path, prefix: str) -> bool:
    """A partial file no live writer owns: its process has gone (POSIX) or it is old."""
    pid_text = partial.name[len(prefix) :].split("-", 1)[0]
    if os.name == "posix" and pid_text.isdigit():
        pid = int(pid_text)
        return pid != os.getpid() and not _pid_alive(pid)
    try:
        return time.time() - partial.stat().st_mtime > STALE_SECONDS
    except OSError:
        return False


def remove_stale_partials(path: str | Path) -> list[Path]:
    """Remove the ``.NAME.mtfs-partial-*`` files an interrupted writer left beside
    ``path``; a partial file whose writer still runs is left alone.  Returns those removed."""
    target = Path(path)
    prefix = f".{target.name}{PARTIAL}"
    removed = []
    for partial in target.parent.glob(glob.escape(prefix) + "*"):
        if _stale(partial, prefix):
            with contextlib.suppress(OSError):
                partial.unlink()
                removed.append(partial)
    return removed


def _fsync(path: Path, *, directory: bool = False) -> None:
    if directory and os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a new partial file beside ``path``, then rename it into place.

    The partial file (``.NAME.mtfs-partial-<pid>-<random>``, created with the permissions
    a plain ``open()`` gives) is flushed to disk before the rename.  If anything fails or
    is interrupted (``KeyboardInterrupt`` included) it is removed and ``path`` is left
    untouched.  A target :func:`output_problem` refuses, or an :class:`OSError` while
    writing, raises :class:`OutputError` (one line naming the file).
    """
    target = Path(path)
    problem = output_problem(target)
    if problem:
        raise OutputError(target, problem)
    remove_stale_partials(target)
    tmp = target.parent / f".{target.name}{PARTIAL}{os.getpid()}-{secrets.token_hex(4)}"
    try:  # the name holds this process's id and 32 random bits: no one else's file
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        write(tmp)
        _fsync(tmp)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(target, "a file that can be written", exc.strerror or str(exc)) from exc
        raise
    with contextlib.suppress(OSError):
        _fsync(target.parent, directory=True)
    return target


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` atomically (UTF-8, ``\\n`` line ends)."""

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8", newline="\n")

    return atomic_write(path, write)
