"""The engine: derives every table of the MTFS from an edition and a scenario.

:mod:`.run` (``run`` and ``Result``), one module per ledger (:mod:`.revenue`,
:mod:`.high_needs`, :mod:`.capital`), the partner's guarantee (:mod:`.guarantee`,
:mod:`.guarantee_terms`), printed labels (:mod:`.labels`) and side-by-side comparison
(:mod:`.compare`).
"""
