"""Former name of :mod:`mtfs_model.guarantee` (the transformation partner's guarantee).

Kept so ``from mtfs_model import newton`` and ``newton.guarantee_table(result)`` still
work; new code imports :mod:`mtfs_model.guarantee`.
"""

from __future__ import annotations

from .guarantee import *  # noqa: F403  (the alias re-exports the whole public API)
from .guarantee import __all__ as __all__
