"""Declarative schema building blocks shared by edition, scenario and risk files.

Pydantic v2 models with ``extra="forbid"`` and strict types (TOML already types its
values: a quoted ``"5"`` is text, not a number).  Every number is finite and bounded so
no output can become infinite or NaN; :func:`validate` turns pydantic's report into one
:class:`~mtfs_model.base.errors.InputError` line per problem, all at once.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mtfs_model.base.errors import InputError, Problem

MAX_GBP000 = 10_000_000.0
"""The largest magnitude of a money figure in GBP000 (GBP10bn): far above any council
department, far below anything that could overflow a sum."""
MAX_FACTOR = 10.0
"""The largest multiplier a scenario may apply (scale, delivery, expenditure scale)."""
MAX_NESTING = 32
"""The deepest nesting of tables and arrays read from a file (a guard, not a limit anyone meets)."""


class Strict(BaseModel):
    """A table that rejects unknown keys and coerces nothing."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Open(BaseModel):
    """A table of provenance and notes around checked figures: unknown keys are kept."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)


Money = Annotated[float, Field(allow_inf_nan=False, ge=-MAX_GBP000, le=MAX_GBP000)]
"""GBP000, finite, |x| <= 10,000,000."""
Cost = Annotated[float, Field(allow_inf_nan=False, ge=0.0, le=MAX_GBP000)]
"""GBP000 >= 0."""
Gain = Annotated[float, Field(allow_inf_nan=False, ge=-MAX_GBP000, le=0.0)]
"""GBP000 <= 0 (savings and funding are negative, as published)."""
Factor = Annotated[float, Field(allow_inf_nan=False, ge=0.0, le=MAX_FACTOR)]
"""A multiplier, 0 to 10."""
Fraction = Annotated[float, Field(allow_inf_nan=False, ge=0.0, le=1.0)]
"""A share, 0 to 1."""
Positive = Annotated[float, Field(allow_inf_nan=False, ge=0.0, le=1e9)]
"""A finite non-negative quantity in the unit its key names (GBP a week, cases, ...)."""
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
"""A month as ``YYYY-MM``."""
YearLabel = Annotated[str, Field(pattern=r"^\d{4}/\d{2}$")]
"""A fiscal year as ``2021/22``."""


DocKey = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$", max_length=64)]
"""The key of a document in an edition's ``sources.toml``."""


class Source(Strict):
    """Where a figure is printed: a document of ``sources.toml`` (``doc``), the place in it
    (``ref``) and a phrase to grep for (``grep``); or a publication by ``title`` (and
    ``href``).  Always a table: a source written as text is an error."""

    doc: DocKey | None = None
    ref: Text | None = None
    grep: Text | None = None
    title: Text | None = None
    href: Text | None = None

    @model_validator(mode="after")
    def _named(self) -> Source:
        if self.doc is None and self.title is None:
            raise ValueError('doc = "<a document of sources.toml>" (with ref and grep), or title = "..."')
        return self


class Reference(Strict):
    """A structured reference (PolicyEngine's ``title``/``href``)."""

    title: Text
    href: str | None = None


M = TypeVar("M", bound=BaseModel)


def _key(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts).replace(".[", "[") or "(file)"


MISSING = "a value (the key is required)"
"""What a problem expects when a required key is absent."""
_EXPECTED = {
    "extra_forbidden": "no such key (check the spelling against the schema: mtfs schema)",
    "missing": MISSING,
    "float_type": "a number",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "string_type": "text in quotes",
    "dict_type": "a table",
    "model_type": "a table",
    "list_type": "an array",
    "finite_number": "a finite number",
    "float_parsing": "a number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_parsing": "true or false",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date without a time",
    "datetime_type": "a date and time",
    "time_type": "a time of day",
    "tuple_type": "an array",
    "set_type": "an array",
    "none_required": "no value",
    "is_instance_of": "a value of another kind",
    "callable_type": "a value of another kind",
}
_PATTERN_WORDS = {
    r"^\d{4}/\d{2}$": "a fiscal year (YYYY/YY)",
    r"^\d{4}-(0[1-9]|1[0-2])$": "a month (YYYY-MM)",
    r"^[A-Za-z][A-Za-z0-9_\-]*$": "a key of letters, digits, _ and - that starts with a letter",
    r"^[a-z0-9_]+$": "an id of lower-case letters, digits and _",
    r"^[A-Za-z][A-Za-z0-9_.\-]*$": "an id of letters, digits, _ . and - that starts with a letter",
    r"^[^/\\\x00]+$": "a file name (no folder, no / or \\)",
    r"^[A-Za-z0-9][A-Za-z0-9_\-/]*$": "a key of letters, digits, _ - and / that starts with a letter or digit",
}
"""The text patterns of the schemas, in words (a finance partner does not read regular expressions)."""
_LIBRARY_WORDS = re.compile(r"constrained-|function-|\[|dict|instance|Input should|validat|parsing|_type\b")


def _num(x: Any) -> str:
    return f"{int(x):,}" if isinstance(x, int | float) and float(x).is_integer() else str(x)


def _expected(e: Any) -> str:
    """What pydantic expected, in a finance partner's words."""
    ctx = e.get("ctx") or {}
    kind = e["type"]
    if kind in _EXPECTED:
        return _EXPECTED[kind]
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        op = {"greater_than_equal": ">=", "less_than_equal": "<=", "greater_than": ">", "less_than": "<"}[kind]
        bound = next(iter(ctx.values()), "")
        return f"a number {op} {_num(bound)}"
    if kind == "string_too_short":
        return "text, not empty"
    if kind == "string_too_long":
        return f"text of at most {_num(ctx.get('max_length', ''))} characters"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"at least {_num(n)} item{'s' * (n != 1)}"
    if kind == "too_long":
        return f"at most {_num(ctx.get('max_length', ''))} items"
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return _PATTERN_WORDS.get(pattern, f"text matching the pattern {pattern}")
    if kind in ("literal_error", "enum") and "expected" in ctx:
        return f"one of {ctx['expected']}"
    if kind == "union_tag_invalid" and "expected_tags" in ctx:
        return f"one of {ctx['expected_tags']}"
    if kind == "multiple_of" and "multiple_of" in ctx:
        return f"a multiple of {_num(ctx['multiple_of'])}"
    text = str(e["msg"])
    for prefix in ("Value error, ", "Assertion failed, ", "Input should be "):
        text = text.removeprefix(prefix)
    # a message of the library's own (not one of ours) would name its types: say what is wanted plainly
    return "a value of the kind this key holds (see: mtfs schema)" if _LIBRARY_WORDS.search(text) else text


_TAG = re.compile(
    r"^(?:[a-z]+(?:-[a-z0-9]+)+(?:\[.*\])?"  # constrained-float, function-after[...], json-or-python[...]
    r"|[a-z]+\[.*\]|[A-Z][A-Za-z0-9]*\[.*\]"  # dict[str,float], list[...], literal['a','b'], Model[...]
    r"|str|int|float|bool|none|date|datetime|time|bytes|decimal)$"
)
"""The union branch names pydantic puts in an error's location, told apart from keys
without the data (a key such as ``G2`` or ``Total`` never matches)."""


def _is_tag(part: int | str, node: Any, known: bool) -> bool:
    """A segment of pydantic's error location that names a branch of a union (a type), not
    a key of the data.  With the data at hand (``known``): a name that is no key of ``node``
    (``constrained-float``, a model's class name); without it: a name shaped like a type."""
    if not isinstance(part, str):
        return False
    if known:
        return not (isinstance(node, dict) and part in node)
    return bool(_TAG.match(part))


def _data_loc(loc: tuple[int | str, ...], data: Any, *, keep_last: bool = False) -> tuple[int | str, ...]:
    """``loc`` without pydantic's union branch names, walking ``data`` where it can (the
    last segment of a missing key's location is the key, whatever it looks like)."""
    out: list[int | str] = []
    node: Any = data
    for i, part in enumerate(loc):
        if not (keep_last and i == len(loc) - 1) and _is_tag(part, node, data is not None and node is not None):
            continue
        out.append(part)
        in_table = isinstance(node, dict) and part in node
        in_array = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        node = node[part] if in_table or in_array else None
    return tuple(out)


def problems_of(error: ValidationError, file: str | Path, prefix: str = "", data: Any = None) -> list[Problem]:
    """Pydantic's errors as :class:`Problem` lines naming the file and the dotted key, in a
    finance partner's words: union branches (``constrained-float``, ``dict[...]``) are not
    keys, and the branches one value failed are one line (``a number, or a table``).

    Parameters
    ----------
    error
        Pydantic's report.
    file
        The file the problems name.
    prefix
        A dotted key the locations are under (``record[3]``).
    data
        The data validated, if at hand: a location segment that names a key of it is never
        taken for a union branch.

    Returns
    -------
    list[Problem]
        One problem per key, in pydantic's order.
    """
    by_key: dict[str, list[dict[str, Any]]] = {}
    for e in error.errors(include_url=False):
        loc = _data_loc(tuple(e["loc"]), data, keep_last=e["type"] == "missing")
        key = _key(loc)
        if prefix:
            key = f"{prefix}.{key}" if key != "(file)" else prefix
        by_key.setdefault(key, []).append(dict(e))
    out = []
    for key, errors in by_key.items():
        wanted = list(dict.fromkeys(_expected(e) for e in errors))
        expected = wanted[0] if len(wanted) == 1 else ", or ".join(wanted)
        first = errors[0]
        show = first["type"] not in ("extra_forbidden", "missing")
        out.append(Problem(str(file), key, expected, first.get("input"), show))
    return out


def validate(model: type[M], data: Any, file: str | Path, prefix: str = "") -> M:
    """Validate ``data`` against ``model``; every problem raised at once as one InputError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError.many(problems_of(exc, file, prefix, data)) from None


def _prune(data: Any, loc: tuple[int | str, ...]) -> bool:
    """Remove the value at ``loc`` from nested dicts/lists; False if nothing could go."""
    if not loc:
        return False
    node = data
    for part in loc[:-1]:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_dict or in_list:
            node = node[part]
        else:
            return False
    last = loc[-1]
    if isinstance(node, dict) and last in node:
        del node[last]
        return True
    return False


def validate_partial(model: type[M], data: Any, file: str | Path) -> tuple[M | None, list[Problem]]:
    """Validate ``data``; on failure, also validate what is left once the bad keys are
    taken out, so that later checks still see the rest of the file (every problem at
    once).  Returns the model of the good part (or None) and the problems found."""
    import copy

    problems: list[Problem] = []
    current = copy.deepcopy(data)
    for _ in range(4):
        try:
            return model.model_validate(current), problems
        except ValidationError as exc:
            problems += problems_of(exc, file, data=current)
            pruned = [_prune(current, tuple(e["loc"])) for e in exc.errors()]
            if not all(pruned):
                return None, problems
    return None, problems


def _depth(value: Any, limit: int) -> int:
    stack: list[tuple[Any, int]] = [(value, 0)]
    deepest = 0
    while stack:
        item, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((v, d + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, d + 1) for v in item)
    return deepest


MAX_NUMBER = 1e12
"""The largest magnitude of any number in a data file (a guard: no figure comes near it,
and sums of figures this size stay finite)."""


def number_problems(data: Any, file: str | Path) -> list[Problem]:
    """Every number in a parsed file that no figure can be -- NaN, infinite, or beyond
    +/-:data:`MAX_NUMBER` -- as a problem naming its dotted key (``a.b[0].c``)."""
    found: list[Problem] = []
    stack: list[tuple[Any, tuple[int | str, ...]]] = [(data, ())]
    while stack:
        item, loc = stack.pop()
        if isinstance(item, dict):
            stack.extend((v, (*loc, k)) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((v, (*loc, i)) for i, v in reversed(list(enumerate(item))))
        elif isinstance(item, float) and not math.isfinite(item):
            found.append(Problem(str(file), _key(loc), "a finite number", item))
        elif isinstance(item, int | float) and not isinstance(item, bool) and abs(item) > MAX_NUMBER:
            found.append(Problem(str(file), _key(loc), f"a number within +/-{int(MAX_NUMBER):,}", item))
    return found


def parse_toml(raw: bytes, file: str | Path) -> dict[str, Any]:
    """Parse TOML bytes: UTF-8 only (a BOM, cp1252 or binary is one clear error), no
    duplicated key, nesting bounded."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raise InputError(
            file,
            "(encoding)",
            "UTF-8 without a byte-order mark (save as 'UTF-8', not 'UTF-8 with BOM')",
            show_got=False,
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            file,
            "(encoding)",
            f"UTF-8 text (byte {exc.start} is not UTF-8: saved as Windows-1252 or binary?)",
            show_got=False,
        ) from None
    if "\x00" in text:
        raise InputError(file, "(encoding)", "a text file (it holds NUL bytes: binary?)", show_got=False)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(file, "(syntax)", f"valid TOML with no duplicated key ({exc})", show_got=False) from None
    except RecursionError:
        raise InputError(
            file, "(syntax)", f"tables and arrays nested at most {MAX_NESTING} deep", show_got=False
        ) from None
    if _depth(data, MAX_NESTING) > MAX_NESTING:
        raise InputError(file, "(syntax)", f"tables and arrays nested at most {MAX_NESTING} deep", show_got=False)
    return data


def read_toml(path: Path) -> dict[str, Any]:
    """Read and parse a TOML file (see :func:`parse_toml`); a missing file is an InputError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "(file)", "an existing TOML file", show_got=False) from None
    except IsADirectoryError:
        raise InputError(path, "(file)", "a TOML file, not a folder", show_got=False) from None
    except OSError as exc:
        raise InputError(path, "(file)", f"a readable file ({exc.strerror})", show_got=False) from None
    return parse_toml(raw, path)


def month_date(text: str) -> dt.date:
    """``"2021-12"`` -> the first of that month (the text already matched :data:`Month`)."""
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)
