"""Load-time checks of edition files that upper layers own, declared in one place.

``risk.toml`` is read by the risk model and ``outturns.toml`` by forecast evaluation, both
above this layer; their checks run when an edition loads so a bad file fails at once,
naming the file and key.  They are named here by ``module:function`` and imported only
when an edition is loaded: the edition layer never imports upward at import time, and
no check is registered by the side effect of importing a module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection

__all__ = ["EDITION_FILE_CHECKS", "SCENARIO_SECTION_CHECKS", "edition_file_checks", "scenario_section_checks"]

EDITION_FILE_CHECKS: dict[str, str] = {
    "risk.toml": "mtfs_model.risk.merge:check_defaults",
    "outturns.toml": "mtfs_model.forecast.outturns:check_edition",
}
"""File -> ``module:function`` taking the loaded :class:`~mtfs_model.edition.folder.Edition`
and raising :class:`~mtfs_model.base.errors.InputError` for every problem."""


SCENARIO_SECTION_CHECKS: dict[str, str] = {
    "risk": "mtfs_model.risk.merge:check_section",
}
"""A scenario file's free-form section -> ``module:function`` taking the section, the
Edition and the scenario file's path, raising :class:`~mtfs_model.base.errors.InputError`."""


def _resolved(declared: dict[str, str]) -> list[tuple[str, Callable[..., None]]]:
    found = []
    for key, target in declared.items():
        module, _, name = target.partition(":")
        found.append((key, getattr(importlib.import_module(module), name)))
    return found


ONLY_WHEN_PRESENT: frozenset[str] = frozenset({"outturns.toml"})
"""Files whose check has nothing to do when the file is absent: their checker is not even
imported then (``mtfs run`` on an edition without outturns never loads forecast evaluation)."""


def edition_file_checks(present: Collection[str] | None = None) -> list[tuple[str, Callable[..., None]]]:
    """The declared edition-file checks, imported: ``[(file, check), ...]`` in order.

    Parameters
    ----------
    present
        The names of the files in the edition's folder; a file of :data:`ONLY_WHEN_PRESENT`
        not among them is skipped.  ``None``: every declared check.

    Returns
    -------
    list of (str, callable)
        The file name and its check, which takes the loaded Edition.
    """
    wanted = {
        file: target
        for file, target in EDITION_FILE_CHECKS.items()
        if present is None or file not in ONLY_WHEN_PRESENT or file in present
    }
    return _resolved(wanted)


def scenario_section_checks() -> list[tuple[str, Callable[..., None]]]:
    """The declared scenario-section checks, imported: ``[(section, check), ...]``."""
    return _resolved(SCENARIO_SECTION_CHECKS)
