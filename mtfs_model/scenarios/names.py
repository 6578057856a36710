"""The one rule for a scenario's name, wherever the name comes from: a file name
(``placement_unit_cost_plus_10pct.toml``), a ``[scenario] name``, Python
(``mtfs_model.scenario(..., name=...)``) or scenarios combined (``a+b``).

A name is a letter or digit, then letters, digits, ``_`` or ``-`` (at most
:data:`MAX_LENGTH` characters); names combined are joined by ``+``; a variant the
library derives (the risk model's "paper view") adds `` - `` and lower-case words.  So a name can never
start a spreadsheet formula (``=``, ``+``, ``-``, ``@``), hold a path separator, a space
or a quote, and it is the same on every system.
"""

from __future__ import annotations

import re

from mtfs_model.base.errors import InputError

MAX_LENGTH = 64
"""The longest name of one scenario (a file name is far longer on any system)."""
NAME = rf"[A-Za-z0-9][A-Za-z0-9_\-]{{0,{MAX_LENGTH - 1}}}"
NAME_PATTERN = rf"^{NAME}$"
"""One scenario's name."""
VARIANT = r"[a-z][a-z ]{0,39}"
"""What a variant the library derives adds to a name, after `` - ``: ``paper view``."""
COMBINED_PATTERN = rf"^{NAME}(\+{NAME})*( - {VARIANT})*$"
"""One name, or names joined by ``+`` (scenarios combined), and the `` - `` suffixes of a
variant the library derives from it (``baseline - paper view``)."""
RULE = f"a scenario name: a letter or digit, then letters, digits, _ or - (at most {MAX_LENGTH})"
"""The rule in words, for errors."""


def is_name(text: object, *, combined: bool = False) -> bool:
    """True if ``text`` is a scenario name (or, with ``combined``, names joined by ``+``)."""
    pattern = COMBINED_PATTERN if combined else NAME_PATTERN
    return isinstance(text, str) and re.fullmatch(pattern, text) is not None


def check_name(text: object, file: object, key: str, *, combined: bool = False) -> str:
    """``text`` if it is a scenario name, else :class:`InputError` ``<file>: <key>:
    expected a scenario name: ..., got <text>``."""
    if not is_name(text, combined=combined):
        what = RULE + (', names joined by "+"' if combined else "")
        raise InputError(str(file), key, what, text)
    return str(text)
