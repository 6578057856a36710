"""The one argument checker: whole numbers and output formats, for the API and the CLI alike.

Standard library only, so ``mtfs --help`` and an argument error need no heavy import.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from numbers import Integral

from mtfs_model.base.errors import InputError

__all__ = ["ARGS", "FORMATS", "check_whole", "whole_number"]

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


def whole_number(at_most: int | None = None) -> Callable[[str], int]:
    """An argparse ``type``: a whole number (``1_000_000`` allowed), at most ``at_most``.

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
        return value

    return parse
