"""The one exception bad input raises: it names the file, the key and what was expected.

A file with several problems raises one :class:`InputError` carrying every problem, one
line each, so a finance partner mends the file in one pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_GOT = 60  # characters of a bad value echoed back: enough to recognise it, no more


class Described(str):
    """What was found, in words rather than a value (``an old binary Excel workbook``):
    shown as it is, without quotes or shortening."""

    __slots__ = ()


def _shown(got: Any) -> str:
    """A bad value as the user typed it: text in quotes, a date as a date (not Python's repr)."""
    if isinstance(got, Described):
        return str(got)
    if isinstance(got, dt.datetime):
        return f"{got.isoformat(sep=' ')} (a date and time)" if got.time() != dt.time(0) else f"{got.date()} (a date)"
    if isinstance(got, dt.date):
        return f"{got.isoformat()} (a date)"
    text = repr(got)
    return text if len(text) <= MAX_GOT else text[: MAX_GOT - 3] + "..."


@dataclass(frozen=True)
class Problem:
    """One problem in one file: ``file: key: expected <expected>[, got <got>]``."""

    file: str
    key: str
    expected: str
    got: Any = None
    show_got: bool = True

    def __str__(self) -> str:
        text = f"{self.file}: {self.key}: expected {self.expected}"
        if self.show_got and self.got is not None:
            text += f", got {_shown(self.got)}"
        return text


class InputError(ValueError):
    """Bad input in an edition, scenario or data file, or on the command line.

    ``str(error)`` reads ``<file>: <key>: expected <expected>, got <got>`` -- one line
    per problem when a file has several (``error.problems``).
    """

    def __init__(self, file: str | Path, key: str, expected: str, got: Any = None, *, show_got: bool = True) -> None:
        self.problems: tuple[Problem, ...] = (Problem(str(file), key, expected, got, show_got),)
        self.file, self.key, self.expected, self.got = str(file), key, expected, got
        super().__init__(str(self.problems[0]))

    @classmethod
    def many(cls, problems: Iterable[Problem]) -> InputError:
        """One error carrying every problem (at least one), each on its own line."""
        found = tuple(problems)
        if not found:
            raise ValueError("InputError.many needs at least one problem")
        first = found[0]
        err = cls(first.file, first.key, first.expected, first.got, show_got=first.show_got)
        err.problems = found
        err.args = ("\n".join(str(p) for p in found),)
        return err

    def lines(self) -> list[str]:
        """Each problem as one line."""
        return [str(p) for p in self.problems]


class Problems:
    """Collects problems while checking a file; :meth:`raise_if_any` raises them all at once."""

    def __init__(self, file: str | Path) -> None:
        self.file = str(file)
        self.found: list[Problem] = []

    def add(self, key: str, expected: str, got: Any = None, *, show_got: bool = True) -> None:
        self.found.append(Problem(self.file, key, expected, got, show_got))

    def extend(self, error: InputError) -> None:
        self.found.extend(error.problems)

    def __bool__(self) -> bool:
        return bool(self.found)

    def raise_if_any(self) -> None:
        if self.found:
            raise InputError.many(self.found)


class OutputError(OSError):
    """An output file cannot be written.  ``str(error)`` is one line, in the shape of
    :class:`~mtfs_model.base.errors.InputError`: ``<file>: (output): expected <what>[, got <why>]``.

    An :class:`OSError`, so ``except OSError`` still catches it.
    """

    def __init__(self, path: str | Path, expected: str, got: str | None = None) -> None:
        self.path = str(path)
        self.expected = expected
        self.got = got
        message = f"{self.path}: (output): expected {expected}"
        if got:
            message += f", got {got!r}"
        super().__init__(message)

    def __str__(self) -> str:
        return str(self.args[0])
