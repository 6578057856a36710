"""The evidence a fan is built from: the reference class, as it stood, pooled and checked.

* :mod:`~mtfs_model.evidence.context` -- the public face: :class:`~.context.EvidenceContext`,
  the one door every fan goes through (``EvidenceContext.for_edition(edition)``), and
  :class:`~.context.Predictive`, how far one more forecast of a subject may miss.
* :mod:`~mtfs_model.evidence.reference_class` -- the records and pairs with their sources
  and publication dates, and the out-of-sample rule (:func:`~.reference_class.screen`).
* :mod:`~mtfs_model.evidence.la_data` -- DfE's local-authority tables (High Needs budgets
  against outturns; DSG deficit reversals).
* :mod:`~mtfs_model.evidence.pooled` -- the pooled, horizon-aware calibration.
* :mod:`~mtfs_model.evidence.checks` -- leave one council out: coverage, PIT, CRPS.
* :mod:`~mtfs_model.evidence.calibration` -- the plain per-group fit ``mtfs evidence`` shows.

Like every subpackage's face, this module imports nothing (``tests/architecture``): import
from the modules, ``from mtfs_model.evidence.context import EvidenceContext, Predictive``.
"""
