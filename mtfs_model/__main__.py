"""``python -m mtfs_model`` runs the ``mtfs`` command line."""

from .cli import main

raise SystemExit(main())
