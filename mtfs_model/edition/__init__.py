"""An edition: one MTFS as a folder of data (``mtfs_model/editions/<id>/``).

Loading and caching the folder (:mod:`.folder`), its pydantic schema (:mod:`.schema`),
cross-file checks (:mod:`.checks`) and the registry of driver models (:mod:`.drivers`).
"""
