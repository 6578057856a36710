"""The comments inside an edition's TOML files, anchored to the key they annotate.

A comment line belongs to the next key or table header after it (a comment at the end of
a line, or inside a multi-line array, to that line's key).  In the workbook each becomes
the note on the key's cell (Excel's red-cornered comment); on the way back it is written
above the key's line, so nothing the transcriber wrote is lost.  The file's opening
comment is kept apart (:func:`mtfs_model.edition.workbook.header_comment`).
"""

from __future__ import annotations

import tomllib
from typing import Any

Path_ = tuple[str | int, ...]


def as_comment(text: str, *, keep_blank: bool = False) -> str:
    """A note typed in a spreadsheet as TOML comment lines: ``# `` put before any line
    that does not start with ``#`` (Excel's ``Author:`` line included)."""
    lines = [line if not line.strip() or line.lstrip().startswith("#") else f"# {line}" for line in text.splitlines()]
    out = "\n".join(lines)
    return out if keep_blank else out.strip("\n")


def split_header(text: str) -> tuple[str, int]:
    """A TOML file's opening comment (its ``#:schema`` line left out) and how many lines it
    takes: the comment lines up to the last blank line before the first key or table (the
    lines after that blank belong to the first key)."""
    lines = text.splitlines()
    start = 1 if lines and lines[0].startswith("#:schema") else 0
    n, blank = start, None
    while n < len(lines) and (not lines[n].strip() or lines[n].lstrip().startswith("#")):
        if not lines[n].strip():
            blank = n
        n += 1
    if blank is None:
        return "", start
    return "\n".join(lines[start:blank]).strip("\n"), blank


def _path_of(fragment: str) -> Path_ | None:
    """The dotted key of ``a."b c".d`` (parsed by tomllib, quotes and all)."""
    try:
        node: Any = tomllib.loads(f"{fragment} = 0")
    except tomllib.TOMLDecodeError:
        return None
    out: list[str | int] = []
    while isinstance(node, dict) and len(node) == 1:
        key = next(iter(node))
        out.append(key)
        node = node[key]
    return tuple(out)


def split_comment(line: str) -> tuple[str, str, int]:
    """A line's code and its comment (outside strings), and the change in bracket depth."""
    depth, quote, i = 0, "", 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 2
                continue
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "#":
            return line[:i], line[i:], depth
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
        i += 1
    return line, "", depth


def _key_end(code: str) -> int:
    """Where the ``=`` after a key is (outside quotes), or -1."""
    quote = ""
    for i, c in enumerate(code):
        if quote:
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "=":
            return i
    return -1


def scan(text: str, skip: int = 0) -> list[tuple[int, Path_, list[str]]]:
    """Each key or table line of a TOML text after its first ``skip`` lines: (line index,
    its path, the comment lines that belong to it), in file order."""
    out: list[tuple[int, Path_, list[str]]] = []
    table: Path_ = ()
    counts: dict[Path_, int] = {}
    pending: list[str] = []
    depth = 0
    owner: tuple[int, Path_, list[str]] | None = None
    for n, line in enumerate(text.splitlines()):
        if n < skip:
            continue
        code, comment, change = split_comment(line)
        stripped = code.strip()
        if depth > 0:  # inside a multi-line array or table: its comments go to its key
            depth += change
            if comment and owner is not None:
                owner[2].append(comment.rstrip())
            continue
        if not stripped:
            if comment:
                pending.append(comment.rstrip())
            elif pending:
                pending.append("")
            continue
        path: Path_ | None = None
        if stripped.startswith("[["):
            p = _path_of(stripped[2:-2].strip()) if stripped.endswith("]]") else None
            if p is not None:
                counts[p] = counts.get(p, -1) + 1
                table = (*p, counts[p])
                path = table
        elif stripped.startswith("["):
            p = _path_of(stripped[1:-1].strip()) if stripped.endswith("]") else None
            if p is not None:
                table = p
                path = table
        else:
            eq = _key_end(code)
            key = _path_of(code[:eq].strip()) if eq > 0 else None
            if key is not None:
                path = (*table, *key)
                depth = change
        if path is None:
            continue
        notes = _trim(pending) + ([comment.rstrip()] if comment else [])
        pending = []
        owner = (n, path, notes)
        out.append(owner)
    return out


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[0]:
        lines = lines[1:]
    while lines and not lines[-1]:
        lines = lines[:-1]
    return lines


def comments_of(text: str, skip: int = 0) -> dict[Path_, str]:
    """Path -> its comment lines (``# ...``, joined by newlines), for every commented key."""
    return {path: "\n".join(notes) for _, path, notes in scan(text, skip) if notes}


def with_comments(text: str, notes: dict[Path_, str]) -> str:
    """``text`` (TOML as tomli_w writes it) with each note written above its key's line;
    a note whose key has no line of its own (inside an inline table) goes above the
    nearest enclosing key that has one."""
    lines = text.split("\n")
    where = {path: n for n, path, _ in scan(text)}
    above: dict[int, list[str]] = {}
    for path, note in notes.items():
        for k in range(len(path), 0, -1):
            if path[:k] in where:
                above.setdefault(where[path[:k]], []).extend(note.split("\n"))
                break
    out: list[str] = []
    for n, line in enumerate(lines):
        out.extend(above.get(n, []))
        out.append(line)
    return "\n".join(out)
