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
* Ctrl-C, at any moment (while modules load, during a brief's notebook kernel):
  exactly one line, ``error: interrupted``, exit **130**, no traceback; a partial output
  file is removed and nothing half-written is left (:class:`CtrlC`).
* Out of memory all the same: ``error: out of memory ...``, exit **1**.
* ``mtfs reconcile`` exits 1 if the engine's own identities fail; ``mtfs brief`` 1 if the
  notebook or the export fails; ``mtfs scenarios`` see :func:`list_scenarios`.

Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

__all__ = ["INTERRUPTED", "main"]

INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), as a shell reports a process it interrupted."""


class CtrlC:
    """Ctrl-C while a command runs: the first SIGINT raises :class:`KeyboardInterrupt`
    where the command is (so :func:`~mtfs_model.base.report.atomic_write` removes its
    partial file and temporary folders go), and any later one is ignored while that
    unwinds, so the one ``error: interrupted`` line is never cut short by a traceback.

    Installed by :func:`main` before any heavy import; not installed off the main thread,
    nor when SIGINT was ignored when the process started (a shell's background job:
    Ctrl-C at the terminal is not meant for it).
    """

    def __init__(self) -> None:
        self.seen = False
        self.installed = False
        self.previous: object = None

    def install(self) -> None:
        """Install the SIGINT handler (main thread only; an inherited 'ignore SIGINT' is kept)."""
        if threading.current_thread() is not threading.main_thread():
            return
        previous = signal.getsignal(signal.SIGINT)
        if previous in (signal.SIG_IGN, None):
            return
        self.previous = previous
        signal.signal(signal.SIGINT, self.handle)
        self.installed = True

    def handle(self, signum: int, frame: FrameType | None) -> None:
        """On the first Ctrl-C raise KeyboardInterrupt; ignore later ones while the command unwinds."""
        if self.seen:
            return
        self.seen = True
        raise KeyboardInterrupt

    def finish(self, *, process: bool) -> None:
        """Hand SIGINT back: to the handler before (a caller in this process), or, when
        the process is about to exit, to nothing (a Ctrl-C in its last instant is moot)."""
        if self.installed:
            signal.signal(signal.SIGINT, signal.SIG_IGN if process else self.previous)  # type: ignore[arg-type]
            self.installed = False


def _quiet_stdout() -> None:
    """After a closed pipe (``mtfs run | head``): send what is left of stdout nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (captured)
        pass


def _stop_progress_bars() -> None:
    """A progress bar the interrupted work left on the terminal goes first (if one was drawn)."""
    report = sys.modules.get("mtfs_model.base.report")
    if report is not None:
        report.stop_progress_bars()


def _command(argv: Sequence[str] | None) -> int:
    """Parse and run one command; Ctrl-C is the caller's."""
    from mtfs_model.base.errors import InputError, OutputError
    from mtfs_model.cli.parser import build_parser, check_path_arguments, print_error

    command = None
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:  # --help (0) or a bad argument (2, already reported)
            return exc.code if isinstance(exc.code, int) else 2
        command = args.command
        check_path_arguments(args)
        if command == "edition":  # export / import / new: no engine, no pandas
            from mtfs_model.cli.edition import dispatch as edition_dispatch

            return edition_dispatch(args)
        from mtfs_model.cli.commands import dispatch  # the heavy libraries load only for a command

        return dispatch(args)
    except (InputError, OutputError) as exc:
        _stop_progress_bars()
        print_error(exc)
        return 2
    except BrokenPipeError:  # the reader went away: nothing to tell it
        _quiet_stdout()
        return 1
    except MemoryError:
        hint = "; a smaller --n or --chunk-size needs less" if command in ("simulate", "brief") else ""
        print(f"error: out of memory{hint}", file=sys.stderr)
        return 1


def main(argv: Sequence[str] | None = None, *, process: bool | None = None) -> int:
    """The ``mtfs`` command: returns the exit status (see the module docstring).

    ``process`` (default: ``argv`` is None, i.e. the ``mtfs`` program itself) says the
    process exits after this call: Ctrl-C is then ignored from the end of the command on.
    """
    ctrl_c = CtrlC()
    code = INTERRUPTED
    try:
        ctrl_c.install()
        try:
            code = _command(argv)
        except KeyboardInterrupt:
            code = INTERRUPTED
        if ctrl_c.seen or code == INTERRUPTED:  # a library that swallowed the interrupt still stops here
            code = INTERRUPTED
            _stop_progress_bars()
            print("error: interrupted", file=sys.stderr, flush=True)
    except KeyboardInterrupt:  # Ctrl-C in the instant before the handler was in place
        code = INTERRUPTED
        print("error: interrupted", file=sys.stderr, flush=True)
    finally:
        ctrl_c.finish(process=argv is None if process is None else process)
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
