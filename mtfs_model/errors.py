"""The one exception bad input raises: it names the file, the key and what was expected."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class InputError(ValueError):
    """Bad input in a data or scenario file.

    ``str(error)`` reads ``<file>: <key>: expected <expected>, got <got>`` so that a
    finance partner can go straight to the line to mend.
    """

    def __init__(self, file: str | Path, key: str, expected: str, got: Any = None, *, show_got: bool = True) -> None:
        self.file = str(file)
        self.key = key
        self.expected = expected
        self.got = got
        message = f"{self.file}: {key}: expected {expected}"
        if show_got and got is not None:
            message += f", got {got!r}"
        super().__init__(message)
