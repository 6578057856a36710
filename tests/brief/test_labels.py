"""Every figure the brief and the auditor workbook print sits under the label that names
it, and no label is an id or a tuple.

The money labels are checked against the engine, not against the brief: a header that
says "MTFS net budget 2024/25" holds the engine's 2024/25 net budget of the MTFS as
published (89,851), never the 13,200 the MTFS books from the DCFSF programme (that
figure once shared the id ``mtfs_final`` and was printed under this label).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from openpyxl import load_workbook

from mtfs_model.base import rows
from mtfs_model.base.cells import cell
from mtfs_model.brief import build as brief
from mtfs_model.brief.labels import column_labels, merged
from mtfs_model.engine import guarantee, high_needs
from mtfs_model.engine.run import Result
from mtfs_model.reconciliation.findings import in_words
from tests.brief.test_brief import PIECES_IN_ORDER

pytestmark = pytest.mark.slow  # a brief with simulations

SCENARIOS = ["newton_guarantee", "newton_estimate", "newton_stretch"]
PIECES = [p for p in PIECES_IN_ORDER if p != "html_footer"]  # the run's parameters name files by design
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
TUPLE = re.compile(r"\(\s*'[^']*'\s*,")


@pytest.fixture(scope="module")
def newton() -> brief.Brief:
    return brief.build(SCENARIOS, run_date="2021-03-09", risk_n=4000)


def net_final(r: Result) -> float:
    return cell(r.revenue, rows.NET_BUDGET, r.edition.final_year)


def money_rules(b: brief.Brief) -> list[tuple[re.Pattern[str], Callable[[Result], float]]]:
    """(a money label, the engine's figure it names for a scenario's result)."""
    final = re.escape(b.edition.final_year)
    terms = b.terms
    assert terms is not None
    return [
        (re.compile(rf"MTFS net budget {final}\b"), lambda r: net_final(b.baseline)),
        (re.compile(rf"^Net budget {final} \((£000|£m)\)$"), net_final),
        (re.compile(rf"^MTFS assumes {final}"), lambda r: float(guarantee.assumed(b.baseline, terms).iloc[-1])),
        (
            re.compile(rf"^High Needs deficit, end of {final}"),
            lambda r: cell(r.high_needs, high_needs.CUMULATIVE, r.edition.final_year),
        ),
        (re.compile(rf"^Above the MTFS {final}"), lambda r: net_final(r) - net_final(b.baseline)),
    ]


def by_name(b: brief.Brief) -> dict[str, Result]:
    return dict(zip(b.names, b.all_results, strict=True))


def test_one_id_has_one_label() -> None:
    assert merged({"a": "A"}, {"a": "A", "b": "B"}) == {"a": "A", "b": "B"}
    with pytest.raises(ValueError, match="'mtfs_final' has two labels"):
        merged({"mtfs_final": "MTFS assumes 2024/25"}, {"mtfs_final": "MTFS net budget 2024/25"})


def test_the_money_labels_name_their_figures_in_every_brief_table(newton: brief.Brief) -> None:
    labels = column_labels(newton.edition)
    results = by_name(newton)
    checked = 0
    for name, frame in brief.tables(newton).items():
        if frame.index.nlevels != 1:
            continue
        for column in frame.columns:
            label = labels.get(str(column), "")
            for pattern, figure in money_rules(newton):
                if not pattern.search(label):
                    continue
                for row, value in frame[column].items():
                    r = results.get(str(row), newton.baseline)  # a view's rows are the MTFS as published
                    assert float(value) == pytest.approx(figure(r), abs=0.5), (name, label, row)
                    checked += 1
    assert checked >= 10  # the summary, the guarantee summary and the risk views at least


def table_cells(page: str) -> Iterator[tuple[list[str], list[str]]]:
    """(headers, cells) of each row of each table of a page, as text."""
    for table in re.findall(r"<table.*?</table>", page, re.S):
        thead = re.findall(r"<thead>.*?</thead>", table, re.S)
        head = [text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", thead[0] if thead else "", re.S)]
        for tr in re.findall(r"<tbody>.*?</tbody>", table, re.S)[:1]:
            for row in re.findall(r"<tr>(.*?)</tr>", tr, re.S):
                yield head, [text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def said_once(page: str) -> Iterator[tuple[str, str]]:
    """(label, figure) of each "label: figure" said once under a table (the same in every scenario)."""
    for line in re.findall(r'<p class="same">(.*?)</p>', page, re.S):
        for part in text(line).split(" — ")[0].split("; "):
            if ": " in part:
                label, figure = part.rsplit(": ", 1)
                yield label, figure


def as_number(shown: str) -> float:
    return float(re.sub(r"[^\d.\-]", "", shown.replace("−", "-")))


def test_the_brief_prints_each_money_figure_under_the_label_that_names_it(newton: brief.Brief) -> None:
    page = "".join(getattr(brief, p)(newton) for p in PIECES)
    results = by_name(newton)
    checked = 0
    for pattern, figure in money_rules(newton):
        for head, cells in table_cells(page):
            for j, h in enumerate(head):
                if pattern.search(h) and j < len(cells) and cells[j]:
                    r = results.get(cells[0], newton.baseline)
                    scale, tol = (1000.0, 0.0501) if "(£m)" in h else (1.0, 0.501)  # as printed: 0.1 £m or £1k
                    assert as_number(cells[j]) == pytest.approx(figure(r) / scale, abs=tol), (h, cells)
                    checked += 1
        for label, shown in said_once(page):
            if pattern.search(label):
                scale, tol = (1000.0, 0.0501) if "(£m)" in label else (1.0, 0.501)
                expected = figure(newton.baseline) / scale  # the same in every scenario: the MTFS's figure too
                assert as_number(shown) == pytest.approx(expected, abs=tol), (label, shown)
                checked += 1
    assert checked >= 8


def edition_ids(b: brief.Brief) -> set[str]:
    """Ids a reader must never see as a label: headline ids (and the same in words),
    property ids, scenario file names."""
    ids = {str(h["id"]) for h in b.edition.headlines}
    ids |= {in_words(i) for i in list(ids)}
    ids |= set(b.edition.cip.get("properties", {}))
    ids |= set(SCENARIOS)
    return ids


def labels_of(page: str) -> list[str]:
    """Every label of a page: column and row headers, captions, the labels said once."""
    found = [text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", page, re.S)]
    found += [text(c) for c in re.findall(r"<caption>(.*?)</caption>", page, re.S)]
    found += [label for label, _ in said_once(page)]
    found += [text(c) for c in re.findall(r'<td class="text">(.*?)</td>', page, re.S)]  # where, what, why
    return found


def test_no_label_of_the_brief_is_an_id_or_a_tuple(newton: brief.Brief) -> None:
    page = "".join(getattr(brief, p)(newton) for p in PIECES)
    ids = edition_ids(newton)
    labels = labels_of(page)
    assert len(labels) > 100
    bad = [x for x in labels if SNAKE.search(x) or TUPLE.search(x) or any(i in x.split(": ")[-1:] for i in ids)]
    bad += [x for x in labels if any(re.search(rf"(^|[\s:,]){re.escape(i)}($|[\s,])", x) for i in ids)]
    assert not bad, bad[:10]


def sheet_columns(book: Any) -> Iterator[tuple[str, str, list[Any], list[Any]]]:
    """(sheet, header, first-column values, column values) for each header of each sheet."""
    for ws in book:
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        head_at = next((i for i, r in enumerate(grid) if i >= 2 and any(isinstance(v, str) for v in r)), None)
        if head_at is None:
            continue
        body = [r for r in grid[head_at + 1 :] if any(v is not None for v in r)]
        for j, h in enumerate(grid[head_at]):
            if isinstance(h, str):
                yield ws.title, h, [r[0] for r in body], [r[j] if j < len(r) else None for r in body]


def test_the_workbook_prints_each_money_figure_under_the_label_that_names_it(newton: brief.Brief) -> None:
    book = load_workbook(io.BytesIO(brief.workbook(newton)), data_only=True)  # the values written with each formula
    results = by_name(newton)
    checked = 0
    for sheet, header, names, values in sheet_columns(book):
        for pattern, figure in money_rules(newton):
            if not pattern.search(header):
                continue
            for name, value in zip(names, values, strict=True):
                if isinstance(value, int | float) and str(name) in results:
                    assert value == pytest.approx(figure(results[str(name)]), abs=0.5), (sheet, header, name)
                    checked += 1
    assert checked >= 8  # Summary and Guarantee summary, every scenario


def test_no_header_or_row_label_of_the_workbook_is_an_id_or_a_tuple(newton: brief.Brief) -> None:
    book = load_workbook(io.BytesIO(brief.workbook(newton)))
    ids = edition_ids(newton)
    bad = []
    for ws in book:
        for row in ws.iter_rows(min_row=1, max_col=4, values_only=True):
            for v in row:
                text = v if isinstance(v, str) and not v.startswith("=") else ""
                if text and (TUPLE.search(text) or text in ids or text.split(": ")[-1] in ids):
                    bad.append((ws.title, text))
    assert not bad, bad[:10]
