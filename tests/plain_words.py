"""What an error message a finance partner reads must never hold: a validation or parsing
library's type names and words (``constrained-float``, ``dict[...]``, ``float_parsing``,
``Input should be``), a library's name or a traceback."""

from __future__ import annotations

import re

LIBRARY_WORDS = re.compile(
    r"constrained-|function-(?:after|before|plain|wrap)|tagged-union|json-or-python|is-instance|lax-or-strict"
    r"|\b(?:dict|list|tuple|set|frozenset|literal|union)\[|\b[a-z]+_(?:parsing|type|error)\b|Input should"
    r"|pydantic|ValidationError|Traceback|openpyxl|xlsxwriter|ParseError|xml\.etree|expat|zipfile|BadZipFile"
    r"|UserWarning|DTDForbidden|EntitiesForbidden|defusedxml|TOMLDecodeError|NoneType|\bNone\b"
)


def library_words(text: str) -> list[str]:
    """The library words in ``text`` (none, for a message in the user's words)."""
    return [m.group(0) for m in LIBRARY_WORDS.finditer(text)]
