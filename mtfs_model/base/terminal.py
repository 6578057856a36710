"""Tables and paragraphs that fit the terminal they are printed on.

The width is the terminal's own (:func:`terminal_width`: standard output's real size when
it is a terminal, else ``$COLUMNS``, else 120 in a pipe, so piped output is the same on
every machine).  A table too wide for it is, in this order of preference (:func:`fit`):

1. one block per column group (``"<group> | <column>"`` headers, as ``mtfs compare`` makes);
2. transposed, if it has few rows and transposed it fits unwrapped;
3. wrapped: long labels and headers over several lines, figures never cut;
4. transposed and wrapped;
5. split into blocks of columns, each block repeating the label column.  The columns are
   split only between *groups that end at a total* (a column or row labelled ``Total``,
   ``Sub-total``, ``All ...``, ``Net ...``), so a total is never shown apart from the
   figures it adds up; a transposed table's blocks are so its original rows' groups.

Every rule is a pure function of the cells and the width: the same table and width give
the same text.
"""

from __future__ import annotations

import io
import os
import re
import sys
import textwrap
from collections.abc import Sequence
from typing import Any, TextIO

__all__ = [
    "DEFAULT_WIDTH",
    "MIN_WIDTH",
    "figures_only",
    "fit",
    "is_total",
    "terminal_width",
    "wrap_paragraphs",
]

DEFAULT_WIDTH = 120
"""The width in a pipe or a file when ``$COLUMNS`` does not say otherwise (characters)."""
MIN_WIDTH = 40
"""The narrowest width tables are fitted to (a narrower terminal or ``$COLUMNS`` is taken as this)."""
TRANSPOSE_ROWS = 8
"""A table with at most this many rows, and more columns than rows, may be shown transposed."""
LABEL_WIDTH = 40
"""The label column is wrapped no narrower than this on a wide terminal (or its longest
label, or its longest word); on a narrow one, no narrower than a third of the width."""
GAP = 3
"""Characters between two columns (padding, rule gap, padding)."""
GROUP = " | "
"""A column named ``"<group> | <column>"`` (``mtfs compare``) belongs to a group: a
table too wide is shown one group after another."""
TOTAL = re.compile(r"^(?:total\b|sub[- ]?total\b|all\b|net\b|cumulative\b|department total\b)", re.IGNORECASE)
"""A label that names a total of the figures before it (``Total growth``, ``Sub-total -
SEND Programme``, ``All properties``, ``Net budget``)."""
_RULE = None


def terminal_width(stream: TextIO | None = None) -> int:
    """The width output is fitted to (characters).

    Standard output's (``stream``'s) real size when it is a terminal -- a shell does not
    export ``$COLUMNS``, so the terminal itself is asked (:func:`os.get_terminal_size`);
    else ``$COLUMNS`` if it is a whole number; else :data:`DEFAULT_WIDTH`, so output sent
    to a pipe or a file is the same everywhere.  Never less than :data:`MIN_WIDTH`.
    """
    out = stream if stream is not None else sys.stdout
    try:
        if out.isatty():
            columns = os.get_terminal_size(out.fileno()).columns
            if columns > 0:  # 0: a pseudo-terminal whose size was never set
                return max(columns, MIN_WIDTH)
    except (AttributeError, OSError, ValueError):  # no file descriptor (captured output), or closed
        pass
    try:
        value = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        return DEFAULT_WIDTH
    return max(value, MIN_WIDTH) if value > 0 else DEFAULT_WIDTH


def wrap_paragraphs(text: str, width: int | None = None) -> str:
    """``text`` with each paragraph wrapped to ``width`` (default :func:`terminal_width`).

    Each line of ``text`` is a paragraph of its own (blank lines kept); a line starting
    ``* `` or ``- `` is a bullet, wrapped under its text; words (and hyphenated names) are
    never cut.
    """
    width = width or terminal_width()
    out: list[str] = []
    for line in text.split("\n"):
        bullet = re.match(r"^(\s*[*-] )", line)
        indent = bullet.group(1) if bullet else ""
        if not line.strip():
            out.append("")
            continue
        wrapped = textwrap.wrap(
            line,
            width,
            subsequent_indent=" " * len(indent),
            break_long_words=False,
            break_on_hyphens=False,
        )
        out.extend(wrapped or [line])
    return "\n".join(out)


def is_total(label: str) -> bool:
    """Whether a row or column ``label`` names a total of the figures before it (:data:`TOTAL`)."""
    return bool(TOTAL.match(label.strip()))


def _box() -> Any:
    from rich.box import Box

    global _RULE
    if _RULE is None:  # a dashed rule under the header only, in ASCII
        _RULE = Box("    \n    \n -  \n    \n    \n    \n    \n    \n", ascii=True)
    return _RULE


def _label_least(width: int) -> int:
    """The narrowest the label column is wrapped to on a terminal ``width`` wide."""
    return min(LABEL_WIDTH, max(16, width // 3))


def _least(header: list[str], rows: list[list[str]], right: list[bool], width: int) -> list[int]:
    """Each column's narrowest width: a figure never cut (its header wraps at words), the
    label column wrapped only past :func:`_label_least`, text at its longest word (at
    least 12)."""
    out = []
    for k, h in enumerate(header):
        cells = [r[k] for r in rows]
        natural = max([len(h), *(len(c) for c in cells)])
        words = max([len(w) for c in [h, *cells] for w in c.split()] + [1])
        if k == 0:
            out.append(min(natural, max(_label_least(width), words)))
        elif right[k]:
            out.append(max([len(c) for c in cells] + [len(w) for w in h.split()] + [1]))
        else:
            out.append(min(natural, max(12, words)))
    return out


def _widths(header: list[str], rows: list[list[str]], right: list[bool], width: int) -> list[int] | None:
    """Column widths that fit ``width`` (None if even the narrowest do not): the narrowest
    (:func:`_least`), then the room left shared by the label and the text, then the
    figures' headers, each up to its natural width."""
    least = _least(header, rows, right, width)
    spare = width - sum(least) - GAP * (len(least) - 1)
    if spare < 0:
        return None
    natural = [max([len(h), *(len(r[k]) for r in rows)]) for k, h in enumerate(header)]
    widths = list(least)
    text = [k for k in range(1, len(header)) if not right[k]]
    # the labels and the text share the room first (in proportion to what each would take),
    # then the figures' headers
    for group in ([0, *text], [k for k in range(1, len(header)) if right[k]]):
        want = {k: natural[k] - widths[k] for k in group if natural[k] > widths[k]}
        total = sum(want.values())
        if not want or spare <= 0:
            continue
        if total <= spare:  # room for all: each at its natural width
            for k, w in want.items():
                widths[k] += w
            spare -= total
        else:  # share the room in proportion to what each would take
            for k, w in want.items():
                widths[k] += min(w, spare * w // total)
            spare = width - sum(widths) - GAP * (len(widths) - 1)
    return widths


def _grid(header: list[str], rows: list[list[str]], right: list[bool], width: int) -> str:
    """The table drawn with rich at fixed column widths (:func:`_widths`): figures
    right-aligned, text and headers wrapped at words; trailing spaces removed."""
    from rich.console import Console
    from rich.table import Table

    widths = _widths(header, rows, right, width) or _least(header, rows, right, width)
    table = Table(box=_box(), show_edge=False, pad_edge=False, padding=(0, 1))
    for h, r, w in zip(header, right, widths, strict=True):
        table.add_column(h, justify="right" if r else "left", overflow="fold", width=w)
    for row in rows:
        table.add_row(*row)
    buf = io.StringIO()
    console = Console(file=buf, width=max(width, sum(widths) + GAP * len(widths)), color_system=None)
    console.print(table, crop=False)
    return "\n".join(line.rstrip() for line in buf.getvalue().rstrip("\n").splitlines())


def _min_needed(header: list[str], rows: list[list[str]], right: list[bool], width: int) -> int:
    """The narrowest the table can be drawn without cutting a figure (characters)."""
    least = _least(header, rows, right, width)
    return sum(least) + GAP * (len(least) - 1)


def _natural(header: list[str], rows: list[list[str]]) -> int:
    """The width of the table unwrapped (characters)."""
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
    return sum(widths) + GAP * (len(widths) - 1)


FIGURE = re.compile(r"[-+−]?£?[\d,]*\.?\d+(?: ?%|m)?")
"""A cell that is a figure: ``1,234``, ``-0.785``, ``12.5%``, ``£4.2m``."""
NOT_A_FIGURE = ("", "never", "n/a", "–", "-")
"""Cells that stand in a figure column for a figure that is not there."""


def figures_only(cells: Sequence[str]) -> bool:
    """Whether a column of text ``cells`` holds figures (right-aligned, never cut): every
    cell a :data:`FIGURE` or a stand-in (:data:`NOT_A_FIGURE`), at least one a figure."""
    shown = [c.strip() for c in cells if c.strip() not in NOT_A_FIGURE]
    return bool(shown) and all(FIGURE.fullmatch(c) for c in shown)


def _transposed(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]], list[bool]]:
    """Rows as columns: the old column headers become the label column (its title blank:
    the old one named the rows, now the columns); a new column right-aligned if it holds
    figures only (:func:`figures_only`), else text that wraps."""
    t_header = ["", *(r[0] for r in rows)]
    t_rows = [[header[k], *(r[k] for r in rows)] for k in range(1, len(header))]
    right = [figures_only([t[j] for t in t_rows]) for j in range(1, len(t_header))]
    return t_header, t_rows, [False, *right]


def segments(labels: Sequence[str]) -> list[list[int]]:
    """Positions ``0..len(labels)-1`` in runs that each end at a total (:func:`is_total`)
    and hold the figures it adds up; a run of totals stays with the run before it, and the
    figures after the last total are a run of their own.

    >>> segments(["G1", "G2", "Total growth", "CF1", "Total savings", "Net"])
    [[0, 1, 2], [3, 4, 5]]
    """
    runs: list[list[int]] = []
    current: list[int] = []
    for k, label in enumerate(labels):
        if is_total(label) and not current and runs:  # a total of totals: with the run it closes
            runs[-1].append(k)
            continue
        current.append(k)
        if is_total(label):
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _split(header: list[str], rows: list[list[str]], right: list[bool], width: int) -> str:
    """Blocks of whole :func:`segments` of the columns, as many as fit side by side, the
    label column repeated in each, each block marked ``(columns i-j of n)``.  A segment too
    wide on its own is cut into pieces, the total kept with the last of them."""

    def fits(keep: list[int]) -> bool:
        sub = [0, *keep]
        return (
            _min_needed([header[j] for j in sub], [[r[j] for j in sub] for r in rows], [right[j] for j in sub], width)
            <= width
        )

    n = len(header) - 1
    pieces: list[list[int]] = []
    for run in segments(header[1:]):
        run = [k + 1 for k in run]
        while run:  # a run too wide for one block: its head first, its total with what is left
            take = len(run)
            while take > 1 and not fits(run[:take]):
                take -= 1
            if take < len(run) and is_total(header[run[-1]]) and take == len(run) - 1 and take > 1:
                take -= 1  # never leave a total alone in the next block
            pieces.append(run[:take])
            run = run[take:]
    blocks: list[list[int]] = []
    for piece in pieces:
        if blocks and fits([*blocks[-1], *piece]):
            blocks[-1].extend(piece)
        else:
            blocks.append(list(piece))
    out = []
    for keep in blocks:
        sub = [0, *keep]
        note = f"(columns {keep[0]}-{keep[-1]} of {n})"
        grid = _grid([header[j] for j in sub], [[r[j] for j in sub] for r in rows], [right[j] for j in sub], width)
        out.append(note + "\n" + grid)
    return "\n\n".join(out)


def fit(header: list[str], rows: list[list[str]], right: list[bool], width: int | None = None) -> str:
    """A text table that fits ``width`` characters (default :func:`terminal_width`).

    ``header`` holds the label column's title then each column's; each row its label then
    its cells (text); ``right`` says which columns are figures (right-aligned, never cut).
    See the module docstring for what a table too wide becomes.
    """
    width = width or terminal_width()
    if _natural(header, rows) <= width:
        return _grid(header, rows, right, width)
    groups = [h.split(GROUP, 1)[0] for h in header[1:]]
    if all(GROUP in h for h in header[1:]) and len(set(groups)) > 1:
        blocks = []
        for g in dict.fromkeys(groups):
            keep = [0, *(k for k in range(1, len(header)) if groups[k - 1] == g)]
            sub = [header[0], *(header[k].split(GROUP, 1)[1] for k in keep[1:])]
            blocks.append(f"{g}\n" + fit(sub, [[r[k] for k in keep] for r in rows], [right[k] for k in keep], width))
        return "\n\n".join(blocks)
    # few rows, more columns, and rows that have names (not 0, 1, 2: those make poor column headers)
    short = len(rows) <= TRANSPOSE_ROWS and len(rows) < len(header) - 1 and not all(r[0].isdigit() for r in rows)
    t_header, t_rows, t_right = _transposed(header, rows)
    if short and _natural(t_header, t_rows) <= width:
        return _grid(t_header, t_rows, t_right, width)
    if _min_needed(header, rows, right, width) <= width:
        return _grid(header, rows, right, width)
    if short and _min_needed(t_header, t_rows, t_right, width) <= width:
        return _grid(t_header, t_rows, t_right, width)
    if short:  # the original rows' groups (each with its total) as blocks of columns
        return _split(t_header, t_rows, t_right, width)
    return _split(header, rows, right, width)
