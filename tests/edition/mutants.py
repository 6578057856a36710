"""Mutants of the bundled edition, one change each, as DATA for tests.

A mutant is the bundled edition folder with one change to one file: a value replaced
(another type; a huge, negative, zero, NaN or infinite number; text; an empty table or
array), a key deleted, added or renamed (a year dropped or relabelled), an array item
dropped or duplicated, or, in ``appendix_a.csv``, a row dropped, duplicated or broken, a
cell or header changed, the file emptied or saved in another encoding.  Nothing here is
model code: it only writes files that ``load_edition`` then reads like any other.
"""

from __future__ import annotations

import copy
import csv
import io
import math
import shutil
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from mtfs_model.edition.folder import DEFAULT_EDITION

SOURCE = DEFAULT_EDITION
TOML_FILES = tuple(sorted(p.name for p in SOURCE.glob("*.toml")))
CSV_FILE = "appendix_a.csv"

VALUES: tuple[Any, ...] = (
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    -1e308,
    10**18,
    0,
    -1,
    -5000.5,
    0.5,
    "x",
    "",
    "=1+1",
    True,
    {},
    [],
    {"zz": 1},
    ["x"],
    [1, 2],
    "2021-13",
    "2019/20",
)
"""What a value may be replaced with."""
NEW_KEYS = ("zz_extra", "2019/20", "2025/26", "Total", "G99", "source")
"""What a key may be renamed to, or a new key be called."""
TOML_OPS = ("set", "delete", "add", "rename", "drop_item", "duplicate_item")
CSV_OPS = (
    "drop_row",
    "duplicate_row",
    "cell",
    "empty",
    "header_only",
    "drop_column",
    "rename_column",
    "short_row",
    "long_row",
    "bom",
    "cp1252",
    "nul",
)
CSV_CELLS = ("", "x", "nan", "inf", "-inf", "1e308", "-1", "1.5", "99999999999999999999", "total_cfs", "zz", "=1+1")


def original(name: str) -> Any:
    """A file of the bundled edition, parsed (TOML) or as text (CSV)."""
    text = (SOURCE / name).read_text(encoding="utf-8")
    return text if name == CSV_FILE else tomllib.loads(text)


def paths(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key path in a parsed TOML document (tables and array items too)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield (*at, k)
            yield from paths(v, (*at, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield (*at, i)
            yield from paths(v, (*at, i))


def _node(doc: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        doc = doc[p]
    return doc


@dataclass(frozen=True)
class Mutation:
    """One change to one file of the edition."""

    file: str
    op: str
    path: tuple[Any, ...] = ()
    value: Any = None

    def __str__(self) -> str:
        where = ".".join(map(str, self.path))
        return f"{self.file}: {self.op} {where} {self.value!r}".rstrip()

    def apply(self, folder: Path) -> None:
        """Make the change in ``folder`` (a copy of the bundled edition)."""
        target = folder / self.file
        if self.file == CSV_FILE:
            target.write_bytes(mutate_csv(original(CSV_FILE), self.op, self.path, self.value))
        else:
            target.write_text(
                tomli_w.dumps(mutate_toml(original(self.file), self.op, self.path, self.value)), encoding="utf-8"
            )


def mutate_toml(doc: dict[str, Any], op: str, path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """A copy of ``doc`` with one change at ``path`` (see :data:`TOML_OPS`)."""
    doc = copy.deepcopy(doc)
    parent, last = _node(doc, path[:-1]), path[-1]
    if op == "set":
        parent[last] = copy.deepcopy(value)
    elif op == "delete":
        del parent[last]
    elif op == "add":
        node = parent[last]
        if isinstance(node, dict):
            node[str(value)] = 1
        elif isinstance(node, list):
            node.append(copy.deepcopy(node[-1]) if node else 1)
        else:
            parent[last] = copy.deepcopy(value)
    elif op == "rename" and isinstance(parent, dict):
        if str(value) not in parent:
            parent[str(value)] = parent.pop(last)
    elif op == "drop_item" and isinstance(parent, list):
        del parent[last]
    elif op == "duplicate_item" and isinstance(parent, list):
        parent.insert(last, copy.deepcopy(parent[last]))
    else:  # the operation does not apply here: change the value instead
        parent[last] = copy.deepcopy(value)
    return doc


def mutate_csv(text: str, op: str, path: tuple[Any, ...], value: Any) -> bytes:
    """``appendix_a.csv`` with one change (see :data:`CSV_OPS`); ``path`` is (row, column)."""
    rows = list(csv.reader(io.StringIO(text)))
    i = 1 + (path[0] if path else 0) % (len(rows) - 1)
    j = (path[1] if len(path) > 1 else 0) % len(rows[0])
    if op == "empty":
        return b""
    if op == "header_only":
        rows = rows[:1]
    elif op == "drop_row":
        del rows[i]
    elif op == "duplicate_row":
        rows.insert(i, list(rows[i]))
    elif op == "cell":
        rows[i][j] = str(value)
    elif op == "drop_column":
        rows = [r[:j] + r[j + 1 :] for r in rows]
    elif op == "rename_column":
        rows[0][j] = str(value)
    elif op == "short_row":
        rows[i] = rows[i][:-1]
    elif op == "long_row":
        rows[i] = [*rows[i], "1"]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    data = out.getvalue()
    if op == "bom":
        return b"\xef\xbb\xbf" + data.encode("utf-8")
    if op == "cp1252":
        return data.replace("C&FS Directorate", "C&FS Directorate \u00a3", 1).encode("cp1252")
    if op == "nul":
        return data.replace("LSCB", "LS\x00CB", 1).encode("utf-8")
    return data.encode("utf-8")


def make(folder: Path, mutation: Mutation) -> Path:
    """A copy of the bundled edition at ``folder`` with ``mutation`` made."""
    shutil.copytree(SOURCE, folder)
    mutation.apply(folder)
    return folder
