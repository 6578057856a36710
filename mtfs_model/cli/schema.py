"""JSON Schema of scenario and edition files, for editors that validate and autocomplete
TOML (Taplo / Even Better TOML read a ``#:schema path-or-url`` first line).

The scenario schema is the declarative model (:class:`~mtfs_model.scenarios.schema.ScenarioFile`)
with the edition's names filled in: its line codes, programmes, High Needs lines and
properties become the only keys an editor offers.
"""

from __future__ import annotations

import json
from typing import Any

from mtfs_model.edition.declared import ChecksFile, HeadlinesFile
from mtfs_model.edition.folder import Edition, load_edition
from mtfs_model.edition.schema import FILE_MODELS
from mtfs_model.evidence.reference_class import ReferenceClassFile
from mtfs_model.forecast.outturns_schema import OutturnsFile
from mtfs_model.risk.schema import RiskTable
from mtfs_model.scenarios.schema import ScenarioFile

EDITION_FILES = {name.removesuffix(".toml"): model for name, model in FILE_MODELS.items()}
EDITION_FILES.update(checks=ChecksFile, headlines=HeadlinesFile)
"""Each file of an edition folder with a schema here, by its name without ``.toml``."""
KINDS = ("scenario", *EDITION_FILES, "outturns", "reference_class")


def _names(schema: dict[str, Any], prop: str, names: list[str]) -> None:
    node = schema["properties"].get(prop)
    if node is not None and names:
        node["propertyNames"] = {"enum": sorted(names)}


def scenario_schema(edition: Edition | None = None) -> dict[str, Any]:
    """The JSON Schema of a scenario file for ``edition`` (default: the bundled one)."""
    ed = edition or load_edition()
    schema = ScenarioFile.model_json_schema()
    schema["title"] = f"mtfs_model scenario ({ed.id})"
    schema["description"] = f"A scenario of {ed.title}: it names only what it changes."
    _names(schema, "lines", list(ed.line_codes))
    _names(schema, "programmes", ed.programme_ids())
    _names(schema, "properties", list(ed.cip.get("properties", {})))
    risk = RiskTable.model_json_schema()
    schema.setdefault("$defs", {}).update(risk.pop("$defs", {}))
    schema["properties"]["risk"] = {**risk, "description": "Budget-risk distributions (see scenarios/README.md)"}
    return schema


def edition_schema(name: str = "edition") -> dict[str, Any]:
    """The JSON Schema of an edition's ``<name>.toml`` (``edition``, ``capital``, ...)."""
    schema = EDITION_FILES[name].model_json_schema()
    schema["title"] = f"mtfs_model {name}.toml"
    return schema


def outturns_schema() -> dict[str, Any]:
    """The JSON Schema of an edition's ``outturns.toml``."""
    schema = OutturnsFile.model_json_schema()
    schema["title"] = "mtfs_model outturns.toml"
    return schema


def reference_class_schema() -> dict[str, Any]:
    """The JSON Schema of a reference-class file (the bundled ``evidence/reference_class.toml``
    or a council's own)."""
    schema = ReferenceClassFile.model_json_schema()
    schema["title"] = "mtfs_model reference class"
    return schema


def schema_json(kind: str, edition: Edition | None = None) -> str:
    """``kind`` (one of :data:`KINDS`) as deterministic JSON text."""
    if kind in EDITION_FILES:
        data = edition_schema(kind)
    else:
        makers = {
            "scenario": lambda: scenario_schema(edition),
            "outturns": outturns_schema,
            "reference_class": reference_class_schema,
        }
        data = makers[kind]()
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
