"""``mtfs edition export|import|new``: the edition as a workbook, and next year's edition.

mtfs edition export [--edition PATH] -o BOOK.xlsx
mtfs edition import BOOK.xlsx -o FOLDER
mtfs edition new --from PATH --years 2022/23..2026/27 -o FOLDER [--xlsx BOOK.xlsx] [--id ID]

Bad input exits 2 with one ``error: ...`` line per problem (for a workbook: ``error:
book.xlsx: Growth!E7: lines.G2.values.2023/24: expected a number, got 'tbc'``) and writes
nothing.  XlsxWriter and openpyxl are imported only when a command runs, so ``mtfs
--help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from mtfs_model.base.args import ARGS
from mtfs_model.base.errors import InputError

COMMANDS = ("edition",)


def add_parsers(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``mtfs edition`` and its three sub-commands."""
    p = subparsers.add_parser(
        "edition",
        help="the edition as a workbook (export, import) and next year's edition (new)",
        description="The edition as a workbook a finance partner edits, and back; next year's edition.",
    )
    sub = p.add_subparsers(dest="edition_command", metavar="{export,import,new}")
    sub.required = True
    e = sub.add_parser("export", help="write the edition as one workbook (.xlsx)")
    e.add_argument("--edition", help="an edition folder (default: the bundled edition)")
    e.add_argument("-o", "--output", required=True, help="the workbook to write, in an existing folder")
    i = sub.add_parser("import", help="write an edition folder from a workbook, if every sheet is right")
    i.add_argument("book", help="the workbook (.xlsx)")
    i.add_argument("-o", "--output", required=True, help="the edition folder to write (new, or empty)")
    n = sub.add_parser("new", help="start next year's edition from this one: figures to update marked")
    n.add_argument("--from", dest="source", help="the edition folder to start from (default: the bundled one)")
    n.add_argument("--years", required=True, help="the new horizon, FIRST..LAST fiscal years (YYYY/YY..YYYY/YY)")
    n.add_argument("-o", "--output", help="the edition folder to write (new, or empty)")
    n.add_argument("--xlsx", help="also (or instead) write it as a workbook")
    n.add_argument("--id", dest="edition_id", help="the new edition's id (default: the old one, moved on)")
    return p


def _default_folder(path: str | None) -> Path:
    from mtfs_model.edition.folder import DEFAULT_EDITION

    return Path(path) if path else DEFAULT_EDITION


def _validator(folder: Path) -> None:
    """Load the folder as ``mtfs run`` would (every file's checks)."""
    from mtfs_model.edition.folder import load_edition

    load_edition(folder)


def _export(args: argparse.Namespace) -> str:
    from mtfs_model.base.output import check_output
    from mtfs_model.edition.workbook.export import export_edition

    out = check_output(args.output)
    folder = _default_folder(args.edition)
    export_edition(folder, out)
    return f"wrote {out}: the edition {folder.resolve().name} as a workbook"


def _import(args: argparse.Namespace) -> str:
    from mtfs_model.edition.workbook.container import check_book

    check_book(args.book, args.book)  # a hostile or broken file refused before the heavy imports
    from mtfs_model.edition.workbook.importer import import_book

    out = import_book(args.book, args.output, _validator)
    return f"wrote {out}: the edition from {args.book}"


def _new(args: argparse.Namespace) -> str:
    from mtfs_model.base.output import check_output
    from mtfs_model.edition.markers import marked
    from mtfs_model.edition.workbook.export import book_bytes, read_folder, save_book
    from mtfs_model.edition.workbook.folder_write import check_target, write_folder
    from mtfs_model.edition.workbook.rollforward import parse_years, roll_forward

    if not args.output and not args.xlsx:
        raise InputError(ARGS, "-o/--output", "a folder to write (or --xlsx BOOK.xlsx)", show_got=False)
    years = parse_years(args.years)
    if args.output:
        check_target(Path(args.output))
    xlsx = check_output(args.xlsx, "--xlsx") if args.xlsx else None
    files = read_folder(_default_folder(args.source))
    new = roll_forward(files, years, args.edition_id)
    todo = sum(1 for name, tree in new.items() if name.endswith(".toml") for _ in marked(tree))
    wrote = []
    if xlsx is not None:
        save_book(book_bytes(new, ""), xlsx)
        wrote.append(str(xlsx))
    if args.output:
        wrote.append(str(write_folder(new, args.output)))
    names = (
        f"mtfs run baseline --edition {args.output}" if args.output else f"mtfs edition import {args.xlsx} -o FOLDER"
    )
    return f"wrote {' and '.join(wrote)}: {years[0]}–{years[-1]}, {todo:,} figures to update ({names} names each)"


def dispatch(args: argparse.Namespace) -> int:
    """Run ``mtfs edition ...``: 0, or 2 with one ``error:`` line per problem."""
    from mtfs_model.base.errors import OutputError

    handlers = {"export": _export, "import": _import, "new": _new}
    try:
        message = handlers[args.edition_command](args)
    except InputError as exc:
        for line in exc.lines():
            print(f"error: {line}", file=sys.stderr)
        return 2
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(message)
    return 0
