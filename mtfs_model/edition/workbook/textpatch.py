"""The round trip that keeps the files: each file's text as exported, changed only where
the book changed.

The export embeds every file of the folder, as written, in a hidden and protected sheet
(:data:`ORIGINALS_SHEET`), with the cell notes an untouched book carries for it.  On
import that text is a **formatting template only**: the figures always come from the
visible sheets.  A TOML file whose figures, opening comment and notes are unchanged is
written back byte for byte; otherwise the template is patched (values set with tomlkit,
which keeps comments, key order and layout, and only the lines tomlkit changed are taken
from it), and the result must read back exactly as the book's figures (type for type: an
int stays an int, 0.1 stays 0.1) or the file falls back to the canonical writer.  A book
without the sheet (made by hand, or the sheet deleted), or a text whose checksum no longer
matches (edited, or damaged by a spreadsheet), imports as before: canonical TOML.
"""

from __future__ import annotations

import base64
import csv
import difflib
import hashlib
import io
import json
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mtfs_model.edition.workbook.comments import scan, split_comment, split_header
from mtfs_model.edition.workbook.layout import Path_

ORIGINALS = "(files as written)"
"""Key of the files' texts (file -> :class:`Original`) among an edition's files."""
ORIGINALS_SHEET = "Files as written"
CHUNK = 8000
"""Characters per cell (Excel's limit is 32,767; a margin for UTF-16 surrogate pairs)."""
HEADER = ("file", "part", "sha256", "text")


@dataclass(frozen=True)
class Original:
    """One file as exported: its ``text`` and the cell notes an untouched book carries for
    it (key path -> note text, as the import reads them)."""

    text: str
    notes: dict[Path_, str] = field(default_factory=dict)


def digest(text: str) -> str:
    """The SHA-256 of ``text`` (UTF-8), hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chunks(text: str, size: int = CHUNK) -> list[str]:
    """``text`` in pieces of at most ``size`` characters, cut after a newline where one is
    near (so each cell reads as whole lines); ``[""]`` for an empty text."""
    out: list[str] = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size) + 1 or size
        out.append(text[:cut])
        text = text[cut:]
    return [*out, text] if text or not out else out


_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
"""What a cell cannot hold as written: control characters (a carriage return included),
which the file format escapes as ``_x000D_`` and readers do not all unescape."""


def rows_of(originals: Mapping[str, Original]) -> list[tuple[str, str, str, str]]:
    """The hidden sheet's rows: (file, part, checksum, piece); the part is ``text`` (as
    written), or ``base64`` for a text a cell cannot hold as written (CRLF line ends,
    control characters), and ``notes`` for the notes an untouched book carries."""
    rows: list[tuple[str, str, str, str]] = []
    for name, original in originals.items():
        notes = json.dumps([[list(p), t] for p, t in original.notes.items()], ensure_ascii=False)
        text, part = original.text, "text"
        if _UNSAFE.search(text):
            text, part = base64.b64encode(text.encode("utf-8")).decode("ascii"), "base64"
        for kind, body in ((part, text), ("notes", notes)):
            sha = digest(body)
            rows.extend((name, kind, sha, piece) for piece in chunks(body))
    return rows


def originals_of(rows: Iterable[tuple[Any, ...]]) -> dict[str, Original]:
    """The files' texts from the hidden sheet's rows (header and title rows skipped); a
    file whose pieces do not add up to their checksum, or whose notes do not parse, is
    left out (it is then written by the canonical writer)."""
    parts: dict[tuple[str, str], list[str]] = {}
    sums: dict[tuple[str, str], str] = {}
    for row in rows:
        cells = [*row, None, None, None, None][:4]
        name, part, sha, piece = cells
        if not isinstance(name, str) or part not in ("text", "base64", "notes") or not isinstance(sha, str):
            continue
        key = (name, str(part))
        parts.setdefault(key, []).append("" if piece is None else str(piece))
        sums.setdefault(key, sha)
    out: dict[str, Original] = {}
    for (name, part), pieces in parts.items():
        if part == "notes":
            continue
        text = "".join(pieces)
        notes_text = "".join(parts.get((name, "notes"), ["[]"]))
        if digest(text) != sums[(name, part)] or digest(notes_text) != sums.get((name, "notes"), digest("[]")):
            continue
        try:
            if part == "base64":
                text = base64.b64decode(text, validate=True).decode("utf-8")
            notes = {_path(p): str(t) for p, t in json.loads(notes_text)}
        except (ValueError, TypeError):  # binascii.Error and UnicodeDecodeError are ValueErrors
            continue
        out[name] = Original(text, notes)
    return out


def _path(items: Any) -> Path_:
    if not isinstance(items, list) or not all(isinstance(s, str | int) and not isinstance(s, bool) for s in items):
        raise TypeError("a key path")
    return tuple(items)


# --- exact equality of TOML data ----------------------------------------------------------


def same(a: Any, b: Any) -> bool:
    """``a`` and ``b`` are the same TOML data, type for type (``1`` is not ``1.0``, a date
    is not a datetime); NaN equals NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


def reads_as(text: str, data: Any) -> bool:
    """``text`` is TOML that reads back as exactly ``data``."""
    try:
        return same(tomllib.loads(text), data)
    except (tomllib.TOMLDecodeError, RecursionError):
        return False


# --- patching a text ----------------------------------------------------------------------


def merge_lines(original: str, base: str, changed: str) -> str:
    """``changed`` with every line it shares with ``base`` taken from ``original`` instead.

    ``base`` is a rendering of ``original``'s data line for line (tomlkit's, which may
    differ from the original in spacing inside a line); ``changed`` the same rendering after
    the edit.  So only the lines the edit touched come from the renderer.  Without a line
    for line correspondence, ``changed`` as it is."""
    o, b, c = (t.splitlines(keepends=True) for t in (original, base, changed))
    if len(o) != len(b):
        return changed
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, b, c, autojunk=False).get_opcodes():
        out.extend(o[i1:i2] if tag == "equal" else c[j1:j2])
    return "".join(out)


def _plain(item: Any) -> Any:
    return item.unwrap() if hasattr(item, "unwrap") else item


def _reconcile(node: Any, target: Mapping[str, Any]) -> None:
    """Make the tomlkit table ``node`` hold ``target``: keys it lacks added where the book
    has them (after the key before them), keys ``target`` lacks removed, a value set only
    where it differs (so the other lines stay as they are)."""
    from tomlkit.items import Array, InlineTable

    for key in [k for k in node if k not in target]:
        del node[key]
    for key, want in target.items():
        if key not in node:
            _insert(node, key, want, target)
            continue
        have = node[key]
        if isinstance(have, InlineTable) and isinstance(want, dict) and list(have) != list(want):
            node[key] = _inline(want)  # its keys changed: the table's line written afresh
        elif isinstance(have, Array) and isinstance(want, list) and len(have) != len(want):
            node[key] = _inline(want, _item_indent(have.as_string()))  # an item added or removed
        elif isinstance(want, dict) and isinstance(have, dict):
            _reconcile(have, want)
        elif (
            isinstance(want, list)
            and isinstance(have, list)
            and len(want) == len(have)
            and all(isinstance(w, dict) and isinstance(h, dict) for w, h in zip(want, have, strict=True))
        ):
            for h, w in zip(have, want, strict=True):
                _reconcile(h, w)
        elif not same(_plain(have), want):
            node[key] = want


def _insert(node: Any, key: str, value: Any, target: Mapping[str, Any]) -> None:
    """Add ``key`` to ``node`` just after the key that comes before it in ``target`` (a row
    added in the middle of a sheet lands in the middle of its table, so the engine sees the
    lines in the book's order): the keys after that point are taken out and put back."""
    order = list(target)
    before = next((k for k in reversed(order[: order.index(key)]) if k in node), None)
    keys = list(node)
    after = keys[keys.index(before) + 1 :] if before is not None else keys
    moved = [(k, node[k]) for k in after]
    for k, _ in moved:
        del node[k]
    node[key] = value
    for k, item in moved:
        node[k] = item


def _item_indent(array_text: str) -> str | None:
    """The indent of a multi-line array's items (``"  "``), or None for a one-line array."""
    lines = array_text.split("\n")
    if len(lines) < 3:
        return None
    return lines[1][: len(lines[1]) - len(lines[1].lstrip())]


def _inline(value: Any, indent: str | None = None) -> Any:
    """``value`` as a tomlkit inline table or array, written ``{ key = value, ... }`` as the
    edition's files write one; an array with ``indent`` one item a line."""
    import tomlkit

    def text(v: Any) -> str:
        if isinstance(v, dict):
            inner = ", ".join(f"{tomlkit.key(k).as_string()} = {text(x)}" for k, x in v.items())
            return f"{{ {inner} }}" if inner else "{}"
        if isinstance(v, list):
            return "[" + ", ".join(text(x) for x in v) + "]"
        return str(tomlkit.item(v).as_string())

    if indent is not None and isinstance(value, list) and value:
        body = "".join(f"{indent}{text(x)},\n" for x in value)
        return tomlkit.parse(f"x = [\n{body}]\n")["x"]
    return tomlkit.parse(f"x = {text(value)}\n")["x"]


def patch_values(text: str, data: dict[str, Any]) -> str | None:
    """``text`` (TOML) changed to hold ``data``, touching only the lines that must change;
    None if it cannot be done (the text is not TOML, or tomlkit cannot place a value)."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        doc = tomlkit.parse(text)
        base = doc.as_string()
        _reconcile(doc, data)
        changed = doc.as_string()
    except (TOMLKitError, ValueError, TypeError, KeyError, RecursionError):
        return None
    for out in (merge_lines(text, base, changed), changed):
        if reads_as(out, data):
            return out
    return None


def replace_header(text: str, header: str) -> str:
    """``text`` with its opening comment (below any ``#:schema`` line) replaced by ``header``."""
    lines = text.split("\n")
    start = 1 if lines and lines[0].startswith("#:schema") else 0
    _, end = split_header(text)
    if end == start:  # no opening comment: it goes on top, a blank line below it
        new = [*header.split("\n"), ""] if header else []
    else:
        new = header.split("\n") if header else []
        if not header:
            end += 1  # the blank line that closed the comment goes with it
    return "\n".join([*lines[:start], *new, *lines[end:]])


def patch_notes(text: str, before: Mapping[Path_, str], after: Mapping[Path_, str]) -> str:
    """``text`` with the comment lines of every cell note that changed: lines a note gained
    written above its key's line (or its nearest enclosing key's), lines it lost removed
    (the nearest such comment line above the key)."""
    lines = text.split("\n")
    where = {path: n for n, path, _ in scan(text)}
    above: dict[int, list[str]] = {}
    drop: set[int] = set()
    trim: set[int] = set()
    for path in dict.fromkeys([*before, *after]):
        old = before.get(path, "").split("\n") if before.get(path) else []
        new = after.get(path, "").split("\n") if after.get(path) else []
        if old == new:
            continue
        at = next((where[path[:k]] for k in range(len(path), 0, -1) if path[:k] in where), None)
        if at is None:
            continue
        gone = [t for t in old if t not in new and t.strip()]
        for t in gone:
            for n in range(at, -1, -1):
                code, comment, _ = split_comment(lines[n])
                if n in drop or n in trim or comment.strip() != t.strip():
                    continue
                (trim if code.strip() else drop).add(n)
                break
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        above.setdefault(at, []).extend(indent + t if t else t for t in new if t not in old)
    out: list[str] = []
    for n, line in enumerate(lines):
        out.extend(above.get(n, []))
        if n in drop:
            continue
        out.append(split_comment(line)[0].rstrip() if n in trim else line)
    return "\n".join(out)


def with_empty_texts(data: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """``data`` with each empty text of ``before`` that it lacks put back, where the table
    holding it is still there.  A spreadsheet saves a cell holding ``""`` as a blank cell
    (openpyxl, LibreOffice): to the person editing the book the two look the same, so a
    blank cell where the file had ``""`` reads as ``""``."""
    out = dict(data)
    for key, old in before.items():
        if key not in out:
            if old == "":
                out[key] = ""
        elif isinstance(old, dict) and isinstance(out[key], dict):
            out[key] = with_empty_texts(out[key], old)
        elif isinstance(old, list) and isinstance(out[key], list) and len(old) == len(out[key]):
            out[key] = [
                with_empty_texts(n, o) if isinstance(n, dict) and isinstance(o, dict) else n
                for n, o in zip(out[key], old, strict=True)
            ]
    return out


def toml_text(original: Original, data: dict[str, Any], header: str, notes: Mapping[Path_, str]) -> str | None:
    """A TOML file's text from its exported ``original``: byte for byte if the book's
    ``data``, opening comment ``header`` and cell notes ``notes`` are those it was exported with,
    else patched where they differ; None if the result would not read back as ``data``
    (empty texts saved as blank cells put back: :func:`with_empty_texts`)."""
    try:
        before = tomllib.loads(original.text)
    except (tomllib.TOMLDecodeError, RecursionError):
        return None
    data = with_empty_texts(data, before)
    unchanged = same(before, data)
    text = original.text
    if not unchanged:
        patched = patch_values(text, data)
        if patched is None:
            return None
        text = patched
    if header != split_header(original.text)[0]:
        text = replace_header(text, header)
    if dict(notes) != original.notes:
        text = patch_notes(text, original.notes, notes)
    return text if (unchanged and text == original.text) or reads_as(text, data) else None


def csv_text(original: Original, rows: list[list[str]]) -> str:
    """A CSV file's text from its exported ``original``: unchanged rows keep their line as
    written, changed or new rows are written as the csv module writes them."""

    def render(data: list[list[str]]) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(data)
        return buf.getvalue()

    try:
        old = list(csv.reader(io.StringIO(original.text, newline="")))
    except csv.Error:
        return render(rows)
    if old == rows:
        return original.text
    return merge_lines(original.text, render(old), render(rows))


def plain_text(original: Original, text: str) -> str:
    """A text file (README.md) from its exported ``original``: as written if the book's
    lines are its lines, else the book's text."""
    as_read = original.text.replace("\r\n", "\n").rstrip("\n") + "\n"  # as the book's lines read back
    return original.text if as_read == text else text
