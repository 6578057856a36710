"""The evidence a fan is built from: the reference class, as it stood, pooled and checked.

* :mod:`~mtfs_model.evidence.reference_class` -- the records and pairs with their sources
  and publication dates, and the out-of-sample rule (:func:`screen`).
* :mod:`~mtfs_model.evidence.la_data` -- DfE's local-authority tables (High Needs budgets
  against outturns; DSG deficit reversals).
* :mod:`~mtfs_model.evidence.pooled` -- the pooled, horizon-aware calibration.
* :mod:`~mtfs_model.evidence.context` -- :class:`EvidenceContext`, the one door every fan
  goes through, and :class:`Predictive`.
* :mod:`~mtfs_model.evidence.checks` -- leave-one-council-out: coverage, PIT, CRPS.
* :mod:`~mtfs_model.evidence.calibration` -- the plain per-group fit ``mtfs evidence`` shows.
"""

from __future__ import annotations

from mtfs_model.evidence.context import EvidenceContext, Predictive, evidence_date
from mtfs_model.evidence.la_data import DeficitReversals
from mtfs_model.evidence.reference_class import (
    REFERENCE_CLASS_FILE,
    ReferenceClass,
    check_edition,
    load_reference_class,
    screen,
)

__all__ = [
    "REFERENCE_CLASS_FILE",
    "DeficitReversals",
    "EvidenceContext",
    "Predictive",
    "ReferenceClass",
    "check_edition",
    "evidence_date",
    "load_reference_class",
    "screen",
]
