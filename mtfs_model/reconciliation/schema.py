"""The schema of an edition's declared checks (``checks.toml``, ``headlines.toml``).

The models live with the edition (:mod:`mtfs_model.edition.declared`) so that a bad check
is refused when the edition loads; they are re-exported here for the reconciler.
"""

from __future__ import annotations

from mtfs_model.edition.declared import (
    DATA_ROOTS,
    YEAR_WORDS,
    AnyCheck,
    CheckBase,
    CheckId,
    ChecksFile,
    CheckSpec,
    DriverImplied,
    Equals,
    Finite,
    Headline,
    HeadlinesFile,
    Selector,
    SumOfParts,
    WithinPrintedPrecision,
)

__all__ = [
    "DATA_ROOTS",
    "YEAR_WORDS",
    "AnyCheck",
    "CheckBase",
    "CheckId",
    "CheckSpec",
    "ChecksFile",
    "DriverImplied",
    "Equals",
    "Finite",
    "Headline",
    "HeadlinesFile",
    "Selector",
    "SumOfParts",
    "WithinPrintedPrecision",
]
