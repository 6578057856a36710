"""The reconciler: every identity the papers' tables should satisfy, and where they do not.

Check kinds (:mod:`.checks`) declared as edition data (:mod:`.schema`), selectors
(:mod:`.select`, :mod:`.figures`), the findings table (:mod:`.findings`) and the generic
identities (:mod:`.paper`, :mod:`.capital`, :mod:`.identities`).  Entry point:
:func:`mtfs_model.reconciliation.reconcile.reconcile`.
"""
