"""``python -m mtfs_model`` runs the ``mtfs`` command line."""

from mtfs_model.cli.main import main

raise SystemExit(main())
