"""Write an edition folder from its files' data, atomically.

A file the book carries as written (its hidden sheet) is that text, changed only where the
book changed (:mod:`mtfs_model.edition.workbook.textpatch`).  Otherwise: TOML through
tomli_w (one figure a line, keys in a fixed order: diff-friendly and the same bytes for
the same data), CSV with ``\\n`` line ends.  Each TOML file whose schema exists
in the repository's ``schemas/`` starts with a ``#:schema`` line relative to where the
folder is written (editors such as VS Code's Even Better TOML read it).

The folder is built in a hidden folder beside the target and renamed into place only once
it is complete and checked: nothing is left behind on failure.  The parent folder must
exist (it is never created); the target must not exist, or be an empty folder.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mtfs_model.base.errors import InputError
from mtfs_model.edition.workbook.comments import with_comments
from mtfs_model.edition.workbook.sheets import COMMENTS, NOTES
from mtfs_model.edition.workbook.textpatch import ORIGINALS, Original, csv_text, plain_text, toml_text

SCHEMAS_DIR = Path(__file__).resolve().parents[3] / "schemas"
"""The repository's JSON Schemas (absent in an installed wheel: then no ``#:schema`` line)."""


def schema_line(name: str, folder: Path) -> str:
    """``#:schema ../../schemas/edition.schema.json`` for ``edition.toml`` written in ``folder``."""
    schema = SCHEMAS_DIR / (Path(name).stem + ".schema.json")
    if not schema.is_file():
        return ""
    try:
        rel = os.path.relpath(schema, folder.resolve())
    except ValueError:  # another drive (Windows)
        rel = schema.as_uri()
    return f"#:schema {Path(rel).as_posix()}\n"


def file_bytes(
    name: str,
    data: Any,
    folder: Path,
    header: str = "",
    notes: Mapping[tuple[str | int, ...], str] | None = None,
    original: Original | None = None,
) -> bytes:
    """One file of the folder, as written (a TOML file's opening comment ``header`` and
    the comments ``notes`` above their keys).

    With the file's ``original`` text (the book's hidden sheet), that text changed only
    where the book changed (:mod:`mtfs_model.edition.workbook.textpatch`); without one, or
    if it cannot hold ``data``, the canonical text below."""
    if original is not None:
        if name.endswith(".toml"):
            text = toml_text(original, data, header, notes or {})
            if text is not None:
                return text.encode("utf-8")
        elif name.endswith(".csv"):
            return csv_text(original, data).encode("utf-8")
        else:
            return plain_text(original, str(data).rstrip("\n") + "\n").encode("utf-8")
    if name.endswith(".toml"):
        import tomli_w

        top = schema_line(name, folder) + (header + "\n\n" if header else "")
        return (top + with_comments(tomli_w.dumps(data), dict(notes or {}))).encode("utf-8")
    if name.endswith(".csv"):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(data)
        return buf.getvalue().encode("utf-8")
    return (str(data).rstrip("\n") + "\n").encode("utf-8")


def check_target(out: Path, key: str = "-o/--output") -> None:
    """The folder can be written: its parent exists, it does not (or is an empty folder)."""
    parent = out.resolve().parent
    if not parent.is_dir():
        raise InputError("(arguments)", key, f"a folder in an existing folder ({parent} does not exist)", str(out))
    if out.exists() and not (out.is_dir() and not any(out.iterdir())):
        raise InputError("(arguments)", key, "a new folder, or an empty one (it is never overwritten)", str(out))
    if not os.access(parent, os.W_OK):
        raise InputError("(arguments)", key, f"a folder in a writable folder ({parent})", str(out))


def write_folder(
    files: Mapping[str, Any],
    out: str | Path,
    check: Callable[[Path], None] | None = None,
) -> Path:
    """Write ``files`` as the edition folder ``out``; ``check(tmp)`` may raise to refuse it.

    Built in ``.<name>.partial-*`` beside ``out`` and renamed into place; removed on any
    failure (bad data, a full disk, Ctrl-C)."""
    out = Path(out)
    check_target(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.resolve().parent))
    try:
        headers, inner, originals = files.get(NOTES, {}), files.get(COMMENTS, {}), files.get(ORIGINALS, {})
        for name, data in files.items():
            if name not in (NOTES, COMMENTS, ORIGINALS):
                content = file_bytes(name, data, out, headers.get(name, ""), inner.get(name), originals.get(name))
                (tmp / name).write_bytes(content)
        if check is not None:
            check(tmp)
        os.chmod(tmp, 0o777 & ~_umask())
        if out.is_dir():
            out.rmdir()
        os.rename(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
