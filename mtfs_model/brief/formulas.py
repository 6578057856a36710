"""The auditor workbook's formulas evaluated here, with no spreadsheet program, so each is
written with its computed value (:mod:`mtfs_model.brief.xlsx`).

The writer uses a small, fixed set: references (sheet-qualified or not, ``$`` allowed),
ranges, ``SUM``, ``MAX``, ``MIN``, ``+ - * /``, unary minus, parentheses and numbers.
An empty cell is 0; a division by zero gives ``#DIV/0!`` as Excel does; anything else
is a :class:`FormulaError` (a bug in the writer, never user input).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol


class Formula(str):
    """A live Excel formula (``=SUM(C5:C9)``); any other text is stored as text."""


def col(j: int) -> str:
    """Column letter of a 1-based column number."""
    out = ""
    while j > 0:
        j, rem = divmod(j - 1, 26)
        out = chr(ord("A") + rem) + out
    return out


def col_number(letters: str) -> int:
    """1-based column number of a column's letters."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - ord("A") + 1
    return n


class Cells(Protocol):
    """A sheet as the evaluator reads it: ``cells[(row, column)].value``."""

    @property
    def cells(self) -> Mapping[tuple[int, int], Any]:
        """Every written cell by ``(row, column)``: a number, text or a formula string."""


_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<ref>(?:(?:'(?P<qs>(?:[^']|'')+)'|(?P<bs>[A-Za-z_][A-Za-z0-9_.]*))!)?"
    r"\$?(?P<c0>[A-Z]{1,3})\$?(?P<r0>\d+)(?::\$?(?P<c1>[A-Z]{1,3})\$?(?P<r1>\d+))?)(?![A-Za-z0-9_(])"
    r"|(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)"
    r"|(?P<fn>[A-Z]+)\("
    r"|(?P<op>[-+*/(),])"
    r")"
)
FUNCTIONS: dict[str, Callable[[list[float]], float]] = {"SUM": sum, "MAX": max, "MIN": min}


class FormulaError(ValueError):
    """A formula this evaluator does not read (a bug in the writer, never user input)."""


class Evaluator:
    """Evaluates the workbook's formulas (no spreadsheet program): references
    (sheet-qualified or not), ranges, ``SUM``, ``MAX``, ``MIN``, ``+ - * /``, numbers.
    An empty cell is 0; a division by zero gives ``#DIV/0!`` as Excel does."""

    def __init__(self, sheets: Mapping[str, Cells]) -> None:
        self.sheets = sheets
        self.memo: dict[tuple[str, int, int], Any] = {}
        self.busy: set[tuple[str, int, int]] = set()

    def value(self, sheet: str, row: int, column: int) -> Any:
        """The value of the cell at ``row`` and ``column`` of ``sheet``, its formula evaluated once; a circular
        reference raises :class:`FormulaError`."""
        key = (sheet, row, column)
        if key in self.memo:
            return self.memo[key]
        if key in self.busy:
            raise FormulaError(f"circular reference at {sheet}!{col(column)}{row}")
        cell = self.sheets[sheet].cells.get((row, column))
        v: Any = None if cell is None else cell.value
        if isinstance(v, Formula):
            self.busy.add(key)
            try:
                v = self.formula(sheet, str(v))
            finally:
                self.busy.discard(key)
        self.memo[key] = 0.0 if v is None else v
        return self.memo[key]

    def formula(self, sheet: str, text: str) -> Any:
        """The value of one formula ``text`` (with or without its leading ``=``) written on ``sheet``."""
        tokens = self._tokens(text[1:] if text.startswith("=") else text)
        pos = 0

        def peek() -> tuple[str, Any] | None:
            return tokens[pos] if pos < len(tokens) else None

        def take() -> tuple[str, Any]:
            nonlocal pos
            pos += 1
            return tokens[pos - 1]

        def expr() -> Any:
            v = term()
            while (t := peek()) and t[0] == "op" and t[1] in "+-":
                take()
                w = term()
                v = _arith(v, w, t[1])
            return v

        def term() -> Any:
            v = unary()
            while (t := peek()) and t[0] == "op" and t[1] in "*/":
                take()
                w = unary()
                v = _arith(v, w, t[1])
            return v

        def unary() -> Any:
            t = peek()
            if t and t[0] == "op" and t[1] in "+-":
                take()
                v = unary()
                return v if t[1] == "+" or isinstance(v, str) else -v
            return primary()

        def primary() -> Any:
            t = take()
            kind, x = t
            if kind == "num":
                return float(x)
            if kind == "ref":
                sh, c0, r0, c1, r1 = x
                sh = sh or sheet
                if c1 is None:
                    return number_or_error(self.value(sh, r0, c0))
                return [number_or_error(self.value(sh, r, c)) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
            if kind == "fn":
                args: list[Any] = []
                if peek() != ("op", ")"):
                    args.append(expr())
                    while peek() == ("op", ","):
                        take()
                        args.append(expr())
                if take() != ("op", ")"):
                    raise FormulaError(text)
                flat = [a for arg in args for a in (arg if isinstance(arg, list) else [arg])]
                errors = [a for a in flat if isinstance(a, str)]
                return errors[0] if errors else float(FUNCTIONS[x](flat)) if flat else 0.0
            if t == ("op", "("):
                v = expr()
                if take() != ("op", ")"):
                    raise FormulaError(text)
                return v
            raise FormulaError(text)

        try:
            out = expr()
        except IndexError:
            raise FormulaError(text) from None
        if pos != len(tokens) or isinstance(out, list):
            raise FormulaError(text)
        return out

    @staticmethod
    def _tokens(text: str) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise FormulaError(text)
            pos = m.end()
            if m["ref"]:
                sh = m["qs"].replace("''", "'") if m["qs"] else m["bs"]
                c0, r0 = col_number(m["c0"]), int(m["r0"])
                c1, r1 = (col_number(m["c1"]), int(m["r1"])) if m["c1"] else (None, None)
                out.append(("ref", (sh, c0, r0, c1, r1)))
            elif m["num"]:
                out.append(("num", m["num"]))
            elif m["fn"]:
                if m["fn"] not in FUNCTIONS:
                    raise FormulaError(text)
                out.append(("fn", m["fn"]))
            else:
                out.append(("op", m["op"]))
        return out


def number_or_error(v: Any) -> Any:
    """A cell's value in arithmetic: numbers as they are, an error (``#DIV/0!``) passed on,
    other text 0 (as SUM treats it)."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, str) and v.startswith("#"):
        return v
    return 0.0


def _arith(a: Any, b: Any, op: str) -> Any:
    if isinstance(a, str):
        return a
    if isinstance(b, str):
        return b
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return "#DIV/0!" if b == 0 else a / b
