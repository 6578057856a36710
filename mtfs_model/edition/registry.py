"""Load-time checks of edition files that upper layers own, declared in one place.

``risk.toml`` is read by the risk model and ``outturns.toml`` by forecast evaluation, both
above this layer; their checks run when an edition loads so a bad file fails at once,
naming the file and key.  They are named here by ``module:function`` and imported only
when an edition is loaded: the edition layer never imports upward at import time, and
no check is registered by the side effect of importing a module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["EDITION_FILE_CHECKS", "edition_file_checks"]

EDITION_FILE_CHECKS: dict[str, str] = {
    "risk.toml": "mtfs_model.risk.schema:check_defaults",
    "outturns.toml": "mtfs_model.forecast.outturns:check_edition",
}
"""File -> ``module:function`` taking the loaded :class:`~mtfs_model.edition.folder.Edition`
and raising :class:`~mtfs_model.base.errors.InputError` for every problem."""


def edition_file_checks() -> list[tuple[str, Callable[[Any], None]]]:
    """The declared checks, imported: ``[(file, check), ...]`` in declaration order."""
    found = []
    for file, target in EDITION_FILE_CHECKS.items():
        module, _, name = target.partition(":")
        found.append((file, getattr(importlib.import_module(module), name)))
    return found
