"""No error message of import, load or the command line holds a validation or parsing
library's type names (``constrained-float``, ``dict[...]``, ``float_parsing``): the messages
of the bad-edition corpus (``tests/bad_editions/cases.toml``) and of the hostile-workbook
corpus (``tests/hostile_workbooks/cases.toml``) are scanned, and a workbook carrying each
bad edition's change, imported, says it in the same plain words."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from mtfs_model import InputError, load_edition
from tests.edition.test_bad_editions import CASES, make_case
from tests.plain_words import LIBRARY_WORDS, library_words

HOSTILE = Path(__file__).resolve().parents[1] / "hostile_workbooks" / "cases.toml"


def test_the_scan_finds_the_library_words_it_is_for() -> None:
    for text in (
        "dsg_blocks.high_needs_block.constrained-float: expected a number",
        "x.dict[constrained-str,constrained-float]: expected a table",
        "expected float_parsing",
        "Input should be a valid number",
        "xml.etree.ElementTree.ParseError: not well-formed",
    ):
        assert LIBRARY_WORDS.search(text), text
    assert not library_words("Growth!G5: lines.G1.values.2021/22: expected a number in £000, got 'tbc'")


def messages(cases: list[dict[str, Any]], tmp_path: Path) -> list[str]:
    lines: list[str] = []
    for i, case in enumerate(cases):
        folder = make_case(case, tmp_path / str(i))
        with pytest.raises(InputError) as err:
            load_edition(folder)
        lines += err.value.lines()
    return lines


def test_bad_edition_messages_are_plain(tmp_path: Path) -> None:
    lines = messages(CASES[::4], tmp_path)
    assert lines and [line for line in lines if library_words(line)] == []


@pytest.mark.slow  # every case of the bad-edition corpus
def test_every_bad_edition_message_is_plain(tmp_path: Path) -> None:
    lines = messages(CASES, tmp_path)
    assert len(lines) >= len(CASES) and [line for line in lines if library_words(line)] == []


def test_hostile_workbook_lines_are_plain() -> None:
    cases = tomllib.loads(HOSTILE.read_text(encoding="utf-8"))["case"]
    lines = [line for case in cases for line in case["lines"]]
    assert len(lines) >= 40 and [line for line in lines if library_words(line)] == []
