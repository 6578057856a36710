"""Scenarios built in Python: from a dict, combined, and written back to TOML.

A scenario in a notebook has the same shape as a scenario file (``scenarios/README.md``)
and the same one-line errors::

    >>> from mtfs_model import compose
    >>> s = compose.scenario({"programmes": {"<id>": {"delivery": 0.8}}},
    ...                      name="p80", description="<id> 80% delivered")   # doctest: +SKIP
    >>> both = compose.combine(s, "another_scenario")                     # doctest: +SKIP
    >>> compose.to_toml(both, "scenarios/p80_and_another.toml")           # doctest: +SKIP

Money in any override is GBP000 as in the files; factors (``delivery``, ``scale``) are
shares of the published profile.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .edition import Edition
from .errors import InputError
from .scenarios import Scenario, load_scenario, scenario_from_dict

__all__ = ["as_scenario", "combine", "dumps", "rebuild", "scenario", "to_toml"]

META = "scenario"
"""The table holding a scenario's name, description and references."""

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


# --- building ----------------------------------------------------------------------------


def scenario(
    overrides: Mapping[str, Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    edition: Edition | None = None,
    **tables: Any,
) -> Scenario:
    """A scenario from a dict with the layout of a scenario file.

    ``overrides`` is what ``tomllib`` would give for the file (``{"lines": {"<code>":
    {"drivers": {...}}}}``); ``tables`` adds top-level tables by keyword
    (``programmes={"<id>": {"delivery": 0.8}}``).  ``description`` (required, here or in
    the dict's ``[scenario]`` table) and ``name`` fill the ``[scenario]`` table.  Every
    key is checked as in a file: bad input raises one :class:`InputError`
    (``<name>: key: expected ...``).
    """
    where = f"<{name or 'scenario'}>"
    if overrides is not None and not isinstance(overrides, Mapping):
        raise InputError(where, "(overrides)", "a dict shaped like a scenario file", overrides)
    raw: dict[str, Any] = copy.deepcopy(dict(overrides or {}))
    for key, value in tables.items():
        if key in raw:
            raise InputError(where, key, "each table once: in the dict or as a keyword, not both", show_got=False)
        raw[key] = copy.deepcopy(value)
    meta = raw.get(META, {})
    if not isinstance(meta, Mapping):
        raise InputError(where, META, "a [scenario] table with a description", meta)
    meta = dict(meta)
    if description is not None:
        meta["description"] = description
    if name is not None and "name" in meta:
        meta["name"] = name
    raw[META] = meta
    return scenario_from_dict(raw, name=name, edition=edition)


def _name_of(s: Scenario) -> str:
    return s.name


def rebuild(raw: Mapping[str, Any], like: Scenario | None = None, name: str | None = None) -> Scenario:
    """A scenario from ``raw`` on the same edition as ``like`` (default: the bundled one)."""
    edition = getattr(like, "edition", None) if like is not None else None
    if edition is not None:
        return scenario_from_dict(raw, name=name, edition=edition)
    return scenario_from_dict(raw, name=name)


def _merge(into: dict[str, Any], other: Mapping[str, Any], owners: dict[str, str], who: str, file: str) -> None:
    """Deep-merge ``other`` into ``into``; ``owners`` remembers which scenario set each leaf."""

    def walk(dst: dict[str, Any], src: Mapping[str, Any], prefix: str) -> None:
        for key, value in src.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in dst:
                dst[key] = copy.deepcopy(value)
                _own(value, path)
            elif isinstance(dst[key], dict) and isinstance(value, Mapping):
                walk(dst[key], value, path)
            elif dst[key] != value or isinstance(dst[key], dict) != isinstance(value, Mapping):
                first = owners.get(path) or next(
                    (o for p, o in owners.items() if p.startswith(path + ".")), "an earlier scenario"
                )
                raise InputError(
                    file,
                    path,
                    f"the same value in every scenario combined, got {_show(dst[key])} in {first!r} "
                    f"and {_show(value)} in {who!r}",
                    show_got=False,
                )

    def _own(value: Any, path: str) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                _own(v, f"{path}.{k}")
        else:
            owners[path] = who

    walk(into, other, "")


def _show(value: Any) -> str:
    return dumps_value(value) if not isinstance(value, Mapping) else "a table"


def combine(*scenarios: Any, name: str | None = None, edition: Edition | None = None) -> Scenario:
    """One scenario making every change of ``scenarios`` (each anything :func:`as_scenario`
    takes).

    The override dicts are deep-merged; one leaf key set to different values by two
    scenarios raises :class:`InputError` naming the key and both scenarios (the same value
    twice is fine).  The description is the descriptions joined with ``" + "``, the
    references are all of them, the name ``name`` or the names joined with ``+``.
    """
    parts = [as_scenario(s, edition=edition) for s in scenarios]
    if not parts:
        raise InputError("<combine>", "scenarios", "at least one scenario to combine", show_got=False)
    combined_name = name or "+".join(_name_of(s) for s in parts)
    file = f"<{combined_name}>"
    merged: dict[str, Any] = {}
    owners: dict[str, str] = {}
    references: list[dict[str, Any]] = []
    for s in parts:
        body = {k: v for k, v in s.overrides.items() if k != META}
        _merge(merged, body, owners, s.name, file)
        for ref in s.overrides.get(META, {}).get("references", []):
            if ref not in references:
                references.append(copy.deepcopy(dict(ref)))
    meta: dict[str, Any] = {"description": " + ".join(s.description for s in parts)}
    if references:
        meta["references"] = references
    return rebuild({META: meta, **merged}, parts[0], combined_name)


def as_scenario(x: Any, edition: Edition | None = None) -> Scenario:
    """A :class:`Scenario` from a Scenario (itself), a dict (:func:`scenario`), a name or
    ``.toml`` path (:func:`~mtfs_model.load_scenario`), or ``"a+b"`` (:func:`combine` of
    the named scenarios)."""
    if isinstance(x, Scenario):
        return x
    if isinstance(x, Mapping):
        return scenario(x, edition=edition)
    if isinstance(x, Path):
        return load_scenario(x, edition=edition)
    if isinstance(x, str):
        text = x.strip()
        if "+" in text and not Path(text).is_file():
            names = [part.strip() for part in text.split("+")]
            if any(not n for n in names):
                raise InputError("scenarios/", "name", 'names joined with "+", as "a+b"', x)
            return combine(*names, name=text.replace(" ", ""), edition=edition)
        return load_scenario(text, edition=edition)
    raise InputError("(arguments)", "scenario", "a Scenario, a dict, a scenario name or path, or 'a+b'", x)


# --- TOML ---------------------------------------------------------------------------------


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


def to_toml(scenario: Scenario, path: str | Path) -> Path:
    """Write ``scenario`` as a scenario file at ``path`` (atomically) and return the path.

    Loading the file back (``load_scenario(path)``) gives a scenario with equal
    ``overrides``.  ``Scenario.to_toml(path)`` is this function.
    """
    target = Path(path)
    text = dumps(scenario.overrides, comment=f"Scenario {scenario.name!r}, written by mtfs_model.compose.to_toml")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
