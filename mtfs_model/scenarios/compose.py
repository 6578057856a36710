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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mtfs_model.base.errors import InputError
from mtfs_model.edition.folder import Edition, load_edition
from mtfs_model.scenarios.load import Scenario, load_scenario, scenario_from_dict
from mtfs_model.scenarios.toml_writer import META, dumps, dumps_value

__all__ = ["as_scenario", "combine", "dumps", "rebuild", "scenario", "scenario_on", "to_toml"]


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


def to_toml(scenario: Scenario, path: str | Path) -> Path:
    """Write ``scenario`` as a scenario file at ``path`` (atomically; the folder must exist)
    and return the path.  Loading the file back (``load_scenario(path)``) gives a scenario
    with equal ``overrides``.  ``Scenario.to_toml(path)`` is this function."""
    return scenario.to_toml(path)


def scenario_on(scenario: Scenario | str | None, edition: Edition | str | Path | None) -> Scenario:
    """A Scenario as given (on its own edition), else ``scenario`` (default the edition as
    published) on ``edition`` (an Edition, a folder, or None: the bundled one)."""
    if isinstance(scenario, Scenario):
        return scenario
    ed = edition if isinstance(edition, Edition) else load_edition(edition)
    return as_scenario(scenario or "baseline", edition=ed)
