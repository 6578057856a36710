"""The ``mtfs`` command line (also ``python -m mtfs_model``).

mtfs run SCENARIO [--table NAME ...] [--format table|csv|json|markdown] [-o FILE]
mtfs compare A B [C ...] [--table key_figures] [--format ...]
mtfs reconcile [--all] [--format ...]
mtfs scenarios
mtfs simulate SCENARIO [--n N] [--seed S] [--chunk-size N] [--format ...] [-o FILE]
mtfs brief SCENARIO [SCENARIO ...] -o FILE.html [--xlsx FILE.xlsx] [--date YYYY-MM-DD] [--n N] [--seed S]
mtfs solve SCENARIO --lever PATH --target NAME[:YEAR] [--value X] [--bound at_most]
mtfs grid SCENARIO --lever PATH=v1,v2 [--lever PATH=...] [--target ...] [--chart FILE.png]
mtfs schema scenario|edition|outturns [-o FILE]
mtfs outturns
mtfs backtest [SCENARIO] [--n N] [--seed S] [--chart FILE.png]
mtfs simulate SCENARIO --from-outturns [--through YEAR]
mtfs edition export [--edition PATH] -o BOOK.xlsx | import BOOK.xlsx -o FOLDER | new --years A..B -o FOLDER

Every subcommand takes ``--edition PATH`` (an edition folder; default: the bundled one).
A SCENARIO is a name, a ``.toml`` path, or names joined with ``+`` (``a+b``: both
scenarios' changes at once; the same key set differently is an error naming it).

Failures are one line on standard error, never a traceback, and nothing is written:

* bad input -- a scenario or data file, an argument, an output path -- exits **2** with
  ``error: <file or (arguments)>: <key>: expected <what>[, got <x>]``.  ``-o`` (and
  ``--xlsx``) must name a file in an existing, writable directory (it is never created),
  not a directory, device or pipe and nothing under ``/proc``, ``/sys`` or ``/dev``; it
  is checked before any work, and written atomically (:func:`mtfs_model.base.report.atomic_write`).
  A file that cannot be written after all (disk full) is ``error: <file>: (output): ...``,
  also 2.
* ``--n`` and ``--chunk-size`` are whole numbers up to
  :data:`~mtfs_model.base.limits.MAX_TRAJECTORIES` (20,000,000), at least 1 (``brief --n 0``
  leaves the risk section out), and a simulation must fit the memory limit
  (:mod:`mtfs_model.base.limits`: 4,096 MiB unless ``MTFS_MEMORY_LIMIT_MB`` says otherwise);
  ``--seed`` is a whole number >= 0.
* Ctrl-C: ``error: interrupted``, exit **130**; a partial output file is removed.
* Out of memory all the same: ``error: out of memory ...``, exit **1**.
* ``mtfs reconcile`` exits 1 if the engine's own identities fail; ``mtfs brief`` 1 if the
  notebook or the export fails; ``mtfs scenarios`` see :func:`list_scenarios`.

Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from mtfs_model.base.errors import InputError, OutputError
from mtfs_model.cli.parser import build_parser, print_error

__all__ = ["main"]


def _quiet_stdout() -> None:
    """After a closed pipe (``mtfs run | head``): send what is left of stdout nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (captured)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """The ``mtfs`` command: returns the exit status (see the module docstring)."""
    command = None
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:  # --help (0) or a bad argument (2, already reported)
            return exc.code if isinstance(exc.code, int) else 2
        command = args.command
        if command == "edition":  # export / import / new: no engine, no pandas
            from mtfs_model.cli.edition import dispatch as edition_dispatch

            return edition_dispatch(args)
        from mtfs_model.cli.commands import dispatch  # the heavy libraries load only for a command

        return dispatch(args)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except (InputError, OutputError) as exc:
        print_error(exc)
        return 2
    except BrokenPipeError:  # the reader went away: nothing to tell it
        _quiet_stdout()
        return 1
    except MemoryError:
        hint = "; a smaller --n or --chunk-size needs less" if command in ("simulate", "brief") else ""
        print(f"error: out of memory{hint}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
