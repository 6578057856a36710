"""TOML text from Python values: what ``Scenario.to_toml`` writes (tomllib reads it back equal)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mtfs_model.base.errors import InputError
from mtfs_model.base.output import write_text

__all__ = ["META", "dumps", "dumps_value", "write_toml"]

META = "scenario"
"""The table holding a scenario's name, description and references."""

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise InputError("(to_toml)", repr(key), "string keys only (TOML has no other)", show_got=False)
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def dumps_value(value: Any) -> str:
    """One TOML value: a string, number, boolean, date/time, array or inline table."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise InputError("(to_toml)", "(value)", "an integer within TOML's 64 bits", value)
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)  # shortest text that reads back to the same float
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(dumps_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {dumps_value(v)}" for k, v in value.items()) + " }"
    raise InputError("(to_toml)", "(value)", "a string, number, boolean, date, list or table", value)


def _table(lines: list[str], table: Mapping[str, Any], path: list[str]) -> None:
    """Write ``table``'s plain keys under its header, then each sub-table."""
    plain = [(k, v) for k, v in table.items() if not isinstance(v, Mapping)]
    subs = [(k, v) for k, v in table.items() if isinstance(v, Mapping)]
    if path and (plain or not subs):
        lines.append("")
        lines.append("[" + ".".join(_key(p) for p in path) + "]")
    lines.extend(f"{_key(k)} = {dumps_value(v)}" for k, v in plain)
    for k, v in subs:
        _key(k)
        _table(lines, v, [*path, k])


def dumps(overrides: Mapping[str, Any], comment: str | None = None) -> str:
    """The override dict as TOML text that ``tomllib`` reads back to an equal dict.

    The ``[scenario]`` table comes first; ``comment`` (optional) heads the file as
    ``#`` lines.
    """
    lines = [f"# {c}".rstrip() for c in (comment or "").splitlines()]
    ordered = dict(overrides)
    if META in ordered:
        ordered = {META: ordered.pop(META), **ordered}
    _table(lines, ordered, [])
    text = "\n".join(lines).lstrip("\n")
    return text + "\n"


def write_toml(overrides: Mapping[str, Any], path: str | Path, comment: str | None = None) -> Path:
    """Write :func:`dumps` of ``overrides`` to ``path`` atomically (the folder must exist)."""
    return write_text(path, dumps(overrides, comment=comment))
