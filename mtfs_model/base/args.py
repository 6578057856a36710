"""The one argument checker: whole numbers and output formats, for the API and the CLI alike.

Standard library only, so ``mtfs --help`` and an argument error need no heavy import.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from collections.abc import Callable
from numbers import Integral
from pathlib import PurePath

from mtfs_model.base.errors import InputError

__all__ = [
    "ARGS",
    "FORMATS",
    "NAME_MAX",
    "PATH_MAX",
    "check_path",
    "check_whole",
    "iso_date",
    "path_problem",
    "whole_number",
]

ARGS = "(arguments)"
"""The "file" an argument's error names."""
FORMATS = ("table", "csv", "json", "markdown")
"""Output formats of the tables (``--format``)."""


def check_whole(key: str, value: object, least: int = 0, *, where: str = ARGS) -> int:
    """``value`` if it is a whole number >= ``least`` (not a bool), else :class:`InputError`
    ``<where>: <key>: expected a whole number >= <least>, got <value>``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or int(value) < least:
        raise InputError(where, key, f"a whole number >= {least}", value)
    return int(value)


def whole_number(at_most: int | None = None, at_least: int | None = None) -> Callable[[str], int]:
    """An argparse ``type``: a whole number (``1_000_000`` allowed), at most ``at_most``
    (and, where the command checks it before any work, at least ``at_least``).

    Lower bounds are the API's own checks (:func:`check_whole`, called by ``simulate``
    and ``write_brief``), so the command line says the same as the API.
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if at_most is not None and value > at_most:
            raise argparse.ArgumentTypeError(f"expected a whole number <= {at_most:,}, got {text!r}")
        if at_least is not None and value < at_least:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {at_least:,}, got {text!r}")
        return value

    return parse


def iso_date(text: str) -> str:
    """An argparse ``type``: a date written ``YYYY-MM-DD`` (a real date), as written."""
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


# --- paths --------------------------------------------------------------------------------

NAME_MAX = 255
"""The longest file or folder name, in bytes (Linux, macOS and Windows file systems)."""
PATH_MAX = 4096
"""The longest path, in bytes (Linux's limit; the others' are shorter or configurable)."""


def path_problem(text: str) -> str | None:
    """Why ``text`` cannot name a file or folder at all (the *expected* part of an error),
    before the file system is asked: empty, a NUL character, too long, a name too long."""
    if not text:
        return "a path, not empty"
    if "\x00" in text:
        return "a path without NUL characters"
    size = len(os.fsencode(text))
    if size > PATH_MAX:
        return f"a path of at most {PATH_MAX:,} bytes (this one has {size:,})"
    for part in PurePath(text).parts:
        size = len(os.fsencode(part))
        if size > NAME_MAX:
            return f"file and folder names of at most {NAME_MAX} bytes (one has {size:,})"
    return None


def check_path(text: str | os.PathLike[str], key: str, *, where: str = ARGS) -> str:
    """``text`` as a string if it can name a file or folder, else :class:`InputError`
    ``<where>: <key>: expected <what>, got <text>`` (:func:`path_problem`)."""
    value = os.fspath(text)
    problem = path_problem(value)
    if problem:
        raise InputError(where, key, problem, value)
    return value
