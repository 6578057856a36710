"""An edition's ``appendix_a.csv``: the detailed revenue budget, one row per printed line.

The header is ``id,parent,kind,label``, the money columns ``revenue.toml`` lists under
``[appendix_a] columns`` (GBP, whole pounds) and ``source_line``.  Every problem is
reported at once, each naming the line of the file and the column: the encoding (UTF-8,
no byte-order mark, no NUL), the header (every column once, none unknown), each row
(as many fields as the header, a unique id, a known kind, a label, whole numbers), and
the hierarchy (each parent a subtotal row of the file, no row its own ancestor).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pandas as pd

from mtfs_model.base.errors import InputError, Problems

KEYS = ("id", "parent", "kind", "label")
"""The text columns, first in the header."""
SOURCE_LINE = "source_line"
"""The last column: the line of the text extraction the row was read from."""
KINDS = ("line", "subtotal")
MAX_GBP = 10**12
"""The largest magnitude of an Appendix A figure (GBP1,000bn: a guard, not a limit anyone meets)."""
MAX_ROWS = 10_000
ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def _text(raw: bytes, path: Path) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raise InputError(
            path, "(encoding)", "UTF-8 without a byte-order mark (save as 'CSV UTF-8' without BOM)", show_got=False
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            path,
            "(encoding)",
            f"UTF-8 text (byte {exc.start} is not UTF-8: saved as Windows-1252 or binary?)",
            show_got=False,
        ) from None
    if "\x00" in text:
        raise InputError(path, "(encoding)", "a text file (it holds NUL bytes: binary?)", show_got=False)
    return text


def _whole(text: str) -> int | None:
    """A whole number of pounds as the file writes it (``-44875``), else None."""
    t = text.strip()
    digits = t[1:] if t[:1] == "-" else t
    if not digits.isascii() or not digits.isdigit() or len(digits) > 15:
        return None
    value = int(t)
    return value if abs(value) <= MAX_GBP else None


def _header(header: list[str], columns: tuple[str, ...] | None, problems: Problems) -> tuple[str, ...] | None:
    """The money columns of the header, or None if the header is unusable."""
    money = tuple(h for h in header if h not in KEYS and h != SOURCE_LINE)
    expected = [*KEYS, *(columns if columns is not None else money), SOURCE_LINE]
    seen: set[str] = set()
    ok = True
    for h in header:
        if h in seen:
            problems.add(f"line 1, {h or '(empty)'}", "each column once in the header", h)
            ok = False
        seen.add(h)
    for name in expected:
        if name not in seen:
            problems.add(f"line 1, {name}", "this column in the header: " + ",".join(expected), show_got=False)
            ok = False
    for h in header:
        if h not in expected:
            what = "a column revenue.toml [appendix_a] columns lists" if columns is not None else "a known column"
            problems.add(f"line 1, {h or '(empty)'}", what, h)
            ok = False
    return money if ok and columns is None else (columns if ok else None)


def read_appendix_a(path: Path, columns: tuple[str, ...] | None) -> pd.DataFrame:
    """Appendix A as a DataFrame indexed by row id, money in GBP (whole pounds).

    ``columns``: the money columns ``revenue.toml`` declares (None: as the header has
    them).  Raises one :class:`InputError` with every problem of the file.
    """
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise InputError(path, "(file)", "a CSV file, not a folder", show_got=False) from None
    except OSError as exc:
        raise InputError(path, "(file)", f"a readable file ({exc.strerror})", show_got=False) from None
    text = _text(raw, path)
    problems = Problems(path)
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise InputError(path, "(syntax)", f"valid CSV ({exc})", show_got=False) from None
    table = [r for r in table if r]  # blank lines carry nothing
    if not table:
        raise InputError(
            path, "(file)", "a header row (id,parent,kind,label,...) and one row per printed line", show_got=False
        )
    if len(table) > MAX_ROWS + 1:
        raise InputError(path, "(file)", f"at most {MAX_ROWS:,} rows", len(table) - 1)
    header = [h.strip() for h in table[0]]
    money = _header(header, columns, problems)
    if len(table) == 1:
        problems.add("line 2", "at least one row after the header", show_got=False)
    problems.raise_if_any()
    assert money is not None
    records: list[dict[str, Any]] = []
    ids: dict[str, int] = {}
    for n, cells in enumerate(table[1:], start=2):
        if len(cells) != len(header):
            problems.add(f"line {n}", f"{len(header)} fields, as in the header", len(cells))
            continue
        row = dict(zip(header, cells, strict=True))
        rec: dict[str, Any] = {k: row[k].strip() for k in KEYS}
        rid = rec["id"]
        if not rid or not set(rid) <= ID_CHARS or not rid[0].isalpha() or len(rid) > 64:
            problems.add(f"line {n}, id", "an id: a letter, then letters, digits, _ or -", rid)
        elif rid in ids:
            problems.add(f"line {n}, id", f"each id once (also on line {ids[rid]})", rid)
        ids.setdefault(rid, n)
        if rec["kind"] not in KINDS:
            problems.add(f"line {n}, kind", "one of " + ", ".join(KINDS), rec["kind"])
        if not rec["label"] or len(rec["label"]) > 2000:
            problems.add(f"line {n}, label", "the printed label, not empty", rec["label"])
        for col in (*money, SOURCE_LINE):
            value = _whole(row[col])
            if value is None:
                problems.add(f"line {n}, {col}", f"a whole number within +/-{MAX_GBP:,}", row[col])
            rec[col] = value or 0
        rec["_line"] = n
        records.append(rec)
    problems.raise_if_any()
    kinds = {r["id"]: r["kind"] for r in records}
    parents = {r["id"]: r["parent"] for r in records}
    for r in records:
        parent, n = r["parent"], r["_line"]
        if parent and kinds.get(parent) != "subtotal":
            problems.add(f"line {n}, parent", "the id of a subtotal row of this file (or empty)", parent)
    for r in records:  # no row may be its own ancestor (the roll-up would never end)
        seen, at = {r["id"]}, parents.get(r["id"], "")
        while at and at in parents:
            if at in seen:
                problems.add(
                    f"line {r['_line']}, parent", "a hierarchy without a loop (a row under itself)", r["parent"]
                )
                break
            seen.add(at)
            at = parents[at]
    problems.raise_if_any()
    frame = pd.DataFrame.from_records([{k: v for k, v in r.items() if k != "_line"} for r in records]).set_index("id")
    return frame
