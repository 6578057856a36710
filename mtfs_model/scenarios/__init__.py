"""Scenarios: overrides of an edition, as data.

Model inputs (:mod:`.inputs`), the scenario file schema (:mod:`.schema`), applying
overrides (:mod:`.overrides`), loading (:mod:`.load`), composing in Python
(:mod:`.compose`) and writing TOML (:mod:`.toml_writer`).
"""
