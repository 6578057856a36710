"""Writing output files safely: every path checked before any work (never a folder created,
nothing under /proc, /sys or /dev), every file written atomically (a partial file beside
the target, flushed, then renamed), partial files of dead processes cleared.

Every file is written by :func:`atomic_write`: to ``.NAME.mtfs-partial-<pid>-<random>``
in the target's own directory, flushed to disk, then renamed over the target, so nothing
half-written is ever left under the target's name.  The partial file is removed on any
exception (Ctrl-C included), and a later write to the same target removes partial files
a dead process left behind.  The directory must exist (it is never created), and a
directory, a device or pipe, or anything under ``/proc``, ``/sys`` or ``/dev`` is refused
before anything is written (:func:`output_problem`, :class:`OutputError`).
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from mtfs_model.base.args import check_path, path_problem
from mtfs_model.base.errors import InputError, OutputError

# --- Writing files ------------------------------------------------------------------------

PARTIAL = ".mtfs-partial-"
"""Marks a file being written: ``.NAME.mtfs-partial-<pid>-<random>`` beside ``NAME``."""
SYSTEM_DIRS = ("/proc", "/sys", "/dev")
STALE_SECONDS = 3600
"""Where a writer's process cannot be checked (not POSIX): a partial file this old is stale."""


def output_problem(path: str | Path) -> str | None:
    """Why ``path`` cannot take an output file (the *expected* part of an error), or None.

    Refused: an empty name, a name or path too long for the file system
    (:func:`~mtfs_model.base.args.path_problem`), a name ending in ``/``, a directory, an
    existing device, pipe or socket, anything under ``/proc``, ``/sys`` or ``/dev``, a
    directory that does not exist (it is never created), a parent that is a file, a
    read-only directory, and any path the file system will not look at.
    """
    text = os.fspath(path)
    problem = path_problem(text)
    if problem:
        return problem
    if text.endswith(("/", os.sep)):
        return "a file name, not a directory"
    target = Path(text)
    try:
        try:
            real = target.resolve()
        except RuntimeError:
            return "a file name that resolves (not a symlink loop)"
        if any(real == Path(d) or Path(d) in real.parents for d in SYSTEM_DIRS):
            return "a file outside " + ", ".join(SYSTEM_DIRS)
        if target.is_dir():
            return "a file name, not a directory"
        if target.exists() and not target.is_file():
            return "a regular file, not a device, pipe or socket"
        parent = target.parent
        if not parent.exists():
            return f"a file in an existing directory ({parent} does not exist)"
        if not parent.is_dir():
            return f"a file in a directory ({parent} is not a directory)"
        if not os.access(parent, os.W_OK | os.X_OK):
            return f"a file in a writable directory ({parent} is read-only)"
    except OSError as exc:
        return f"a path the file system accepts ({exc.strerror or exc})"
    return None


def check_output(path: str | Path, key: str = "-o/--output") -> Path:
    """``path`` as a Path if a file can be written there, else :class:`InputError`
    (``<path>: <key>: expected ...``, or ``(arguments): <key>: ...`` for a path no file
    system takes): the command line's check before any work."""
    if path_problem(os.fspath(path)):
        check_path(path, key)
    problem = output_problem(path)
    if problem:
        raise InputError(path, key, problem, show_got=False)
    return Path(path)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, someone else's
        return True
    return True


def _stale(partial: Path, prefix: str) -> bool:
    """A partial file no live writer owns: its process has gone (POSIX) or it is old."""
    pid_text = partial.name[len(prefix) :].split("-", 1)[0]
    if os.name == "posix" and pid_text.isdigit():
        pid = int(pid_text)
        return pid != os.getpid() and not _pid_alive(pid)
    try:
        return time.time() - partial.stat().st_mtime > STALE_SECONDS
    except OSError:
        return False


def remove_stale_partials(path: str | Path) -> list[Path]:
    """Remove the ``.NAME.mtfs-partial-*`` files an interrupted writer left beside
    ``path``; a partial file whose writer still runs is left alone.  Returns those removed."""
    target = Path(path)
    prefix = f".{target.name}{PARTIAL}"
    removed = []
    for partial in target.parent.glob(glob.escape(prefix) + "*"):
        if _stale(partial, prefix):
            with contextlib.suppress(OSError):
                partial.unlink()
                removed.append(partial)
    return removed


def _fsync(path: Path, *, directory: bool = False) -> None:
    if directory and os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a new partial file beside ``path``, then rename it into place.

    The partial file (``.NAME.mtfs-partial-<pid>-<random>``, created with the permissions
    a plain ``open()`` gives) is flushed to disk before the rename.  If anything fails or
    is interrupted (``KeyboardInterrupt`` included) it is removed and ``path`` is left
    untouched.  A target :func:`output_problem` refuses, or an :class:`OSError` while
    writing, raises :class:`OutputError` (one line naming the file).
    """
    target = Path(path)
    problem = output_problem(target)
    if problem:
        raise OutputError(target, problem)
    remove_stale_partials(target)
    tmp = target.parent / f".{target.name}{PARTIAL}{os.getpid()}-{secrets.token_hex(4)}"
    try:  # the name holds this process's id and 32 random bits: no one else's file
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        write(tmp)
        _fsync(tmp)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(target, "a file that can be written", exc.strerror or str(exc)) from exc
        raise
    with contextlib.suppress(OSError):
        _fsync(target.parent, directory=True)
    return target


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` atomically (UTF-8, ``\\n`` line ends)."""

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8", newline="\n")

    return atomic_write(path, write)
